package dev.kfptribuo.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpBackOffIOExceptionHandler;
import com.google.api.client.http.HttpBackOffUnsuccessfulResponseHandler;
import com.google.api.client.http.HttpIOExceptionHandler;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.HttpUnsuccessfulResponseHandler;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.util.ExponentialBackOff;
import com.google.api.client.util.Sleeper;
import com.google.auth.Credentials;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches tuning jobs from AI Platform Training v1 ({@code projects.jobs.get}) and Vertex AI
 * ({@code projects.locations.hyperparameterTuningJobs.get}) over HTTPS with google-http-client.
 *
 * <p><b>Endpoints.</b> AI Platform: {@value #AI_PLATFORM_ENDPOINT}{@code projects/P/jobs/J}.
 * Vertex AI: the regional {@code https://{location}-aiplatform.googleapis.com/v1/} taken from the
 * job's resource name {@code projects/P/locations/L/hyperparameterTuningJobs/ID} (the global
 * endpoint for location {@code global}). An endpoint given to the builder (a regional AI Platform
 * endpoint such as {@code https://us-central1-ml.googleapis.com/v1/}, or a test server) replaces
 * both; it is the base URL including the API version.
 *
 * <p><b>Credentials.</b> Application Default Credentials scoped to {@value #CLOUD_PLATFORM_SCOPE}
 * ({@code GOOGLE_APPLICATION_CREDENTIALS}, {@code gcloud auth application-default login}, or the
 * metadata server on Google Cloud), sent as a bearer token and refreshed once on HTTP 401. No
 * credentials are looked up or sent when {@link Builder#noAuth(boolean)} is set or when the
 * endpoint is plain {@code http://} on a loopback host ({@code 127.0.0.1}, {@code localhost},
 * {@code [::1]}), which is how tests talk to a local server. Credentials are never sent over plain
 * http to any other host: such an endpoint is refused unless {@code noAuth} is set.
 *
 * <p><b>Retries.</b> HTTP 429, 500, 502, 503 and 504 and network errors are retried at most
 * {@link Builder#maxRetries(int)} times (default {@value #DEFAULT_MAX_RETRIES}) with exponential
 * backoff (initial delay {@link Builder#initialBackoff(Duration)}, default 1 s, doubling, ±50%
 * jitter, at most {@link #MAX_ELAPSED} in all). Other statuses (400, 403, 404...) fail at once. A
 * final failure is a {@link TuningJobFetchException} naming the URL, the status and the service's
 * error message.
 */
public final class TuningJobClient {
    /** The global AI Platform Training and Prediction endpoint. */
    public static final String AI_PLATFORM_ENDPOINT = "https://ml.googleapis.com/v1/";
    /** The OAuth scope the credentials are given. */
    public static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    /** Retries after the first attempt, by default. */
    public static final int DEFAULT_MAX_RETRIES = 5;
    /** The first backoff delay, by default. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** The most time spent backing off over all retries of one request. */
    public static final Duration MAX_ELAPSED = Duration.ofMinutes(2);
    /** HTTP statuses worth retrying: rate limiting and transient server errors. */
    public static final Set<Integer> TRANSIENT_STATUS_CODES = Set.of(429, 500, 502, 503, 504);

    private static final Pattern VERTEX_NAME =
            Pattern.compile("projects/([^/\\s?#]+)/locations/([a-z0-9-]+)/hyperparameterTuningJobs/([^/\\s?#]+)");
    private static final Pattern ID = Pattern.compile("[^/\\s?#]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String endpoint;
    private final boolean noAuth;
    private final Credentials credentials;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final HttpTransport transport;
    private final Consumer<String> log;

    private TuningJobClient(Builder builder) {
        this.endpoint = builder.endpoint == null ? null : normalizeEndpoint(builder.endpoint);
        this.noAuth = builder.noAuth;
        this.credentials = builder.credentials;
        this.maxRetries = builder.maxRetries;
        this.initialBackoff = builder.initialBackoff;
        this.transport = builder.transport == null ? new NetHttpTransport() : builder.transport;
        this.log = builder.log;
        if (endpoint != null && !noAuth) {
            URI uri = URI.create(endpoint);
            if (uri.getScheme().equals("http") && !isLoopback(uri.getHost())) {
                throw new IllegalArgumentException("refusing to send Google credentials over plain http to "
                        + uri.getHost() + ": use an https endpoint, or send no credentials (--no-auth) to a server that needs none");
            }
        }
    }

    /** @return a builder with the defaults: Google's endpoints, ADC, 5 retries from 1 s */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link TuningJobClient}. */
    public static final class Builder {
        private String endpoint;
        private boolean noAuth;
        private Credentials credentials;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private HttpTransport transport;
        private Consumer<String> log = line -> { };

        private Builder() {}

        /**
         * @param endpoint the API's base URL with its version, e.g.
         *     {@code https://us-central1-ml.googleapis.com/v1/} or {@code http://127.0.0.1:8080/v1/};
         *     null for Google's endpoints
         * @return this
         */
        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /**
         * @param noAuth true to send no credentials at all (and look none up)
         * @return this
         */
        public Builder noAuth(boolean noAuth) {
            this.noAuth = noAuth;
            return this;
        }

        /**
         * @param credentials credentials to send instead of Application Default Credentials, also to
         *     a loopback http endpoint (tests of the credential path); null for ADC
         * @return this
         */
        public Builder credentials(Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        /**
         * @param maxRetries retries after the first attempt, 0 to 20
         * @return this
         */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0 || maxRetries > 20) {
                throw new IllegalArgumentException("retries must be in 0..20, got " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * @param initialBackoff the first backoff delay, 1 ms to 1 minute (later ones double)
         * @return this
         */
        public Builder initialBackoff(Duration initialBackoff) {
            if (initialBackoff.toMillis() < 1 || initialBackoff.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("initial backoff must be 1 ms to 1 minute, got " + initialBackoff);
            }
            this.initialBackoff = initialBackoff;
            return this;
        }

        /**
         * @param transport the HTTP transport; null for the JDK's ({@code NetHttpTransport})
         * @return this
         */
        public Builder transport(HttpTransport transport) {
            this.transport = transport;
            return this;
        }

        /**
         * @param log receives one line per retry
         * @return this
         */
        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /**
         * @return the client
         * @throws IllegalArgumentException if the endpoint is not an http(s) URL, or is plain http
         *     to a non-loopback host while credentials would be sent
         */
        public TuningJobClient build() {
            return new TuningJobClient(this);
        }
    }

    /**
     * Fetches an AI Platform Training v1 job.
     *
     * @param projectId the project id, e.g. {@code my-project}
     * @param jobId the job id, e.g. {@code tuning_20240101_120000}
     * @return the job
     * @throws IllegalArgumentException if an id is empty or holds a slash, whitespace, ? or #, or
     *     the document is not a tuning job
     * @throws TuningJobFetchException if the job cannot be fetched after the retries
     * @throws IOException if Application Default Credentials are not available
     */
    public TuningJob fetchAiPlatformJob(String projectId, String jobId) throws IOException {
        GenericUrl url = aiPlatformUrl(projectId, jobId);
        return TuningJobDocuments.parseAiPlatform(get(url), url.build());
    }

    /**
     * Fetches a Vertex AI hyperparameter tuning job.
     *
     * @param resourceName {@code projects/P/locations/L/hyperparameterTuningJobs/ID}
     * @return the job
     * @throws IllegalArgumentException if the name has another shape, or the document is malformed
     * @throws TuningJobFetchException if the job cannot be fetched after the retries
     * @throws IOException if Application Default Credentials are not available
     */
    public TuningJob fetchVertexJob(String resourceName) throws IOException {
        GenericUrl url = vertexUrl(resourceName);
        return TuningJobDocuments.parseVertex(get(url), url.build());
    }

    /**
     * @param projectId the project id
     * @param jobId the job id
     * @return the URL {@link #fetchAiPlatformJob} gets
     * @throws IllegalArgumentException if an id is empty or holds a slash, whitespace, ? or #
     */
    public GenericUrl aiPlatformUrl(String projectId, String jobId) {
        checkId("project id", projectId);
        checkId("job id", jobId);
        return url(endpoint == null ? AI_PLATFORM_ENDPOINT : endpoint, List.of("projects", projectId, "jobs", jobId));
    }

    /**
     * @param resourceName {@code projects/P/locations/L/hyperparameterTuningJobs/ID}
     * @return the URL {@link #fetchVertexJob} gets
     * @throws IllegalArgumentException if the name has another shape
     */
    public GenericUrl vertexUrl(String resourceName) {
        String base = endpoint == null ? vertexEndpoint(resourceName) : endpoint;
        checkVertexName(resourceName);
        return url(base, Arrays.asList(resourceName.split("/")));
    }

    /**
     * @param resourceName {@code projects/P/locations/L/hyperparameterTuningJobs/ID}
     * @return the Vertex AI endpoint serving it: {@code https://L-aiplatform.googleapis.com/v1/}, or
     *     {@code https://aiplatform.googleapis.com/v1/} for location {@code global}
     * @throws IllegalArgumentException if the name has another shape
     */
    public static String vertexEndpoint(String resourceName) {
        String location = checkVertexName(resourceName).group(2);
        return location.equals("global") ? "https://aiplatform.googleapis.com/v1/"
                : "https://" + location + "-aiplatform.googleapis.com/v1/";
    }

    /**
     * @param resourceName a Vertex AI hyperparameter tuning job's resource name
     * @return the match: group 1 the project, 2 the location, 3 the job id
     * @throws IllegalArgumentException if the name has another shape
     */
    public static Matcher checkVertexName(String resourceName) {
        Matcher m = VERTEX_NAME.matcher(resourceName == null ? "" : resourceName);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + resourceName + "' is not a Vertex AI hyperparameter tuning job"
                    + " name (projects/PROJECT/locations/LOCATION/hyperparameterTuningJobs/ID)");
        }
        return m;
    }

    /**
     * @param what what the id names, for the message
     * @param id a project or job id
     * @throws IllegalArgumentException if it is empty or holds a slash, whitespace, ? or #
     */
    public static void checkId(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("'" + id + "' is not a valid " + what);
        }
    }

    /**
     * @param text an http or https URL
     * @return the same with a trailing slash
     * @throws IllegalArgumentException if it is not an absolute http(s) URL with a host, or has a query or fragment
     */
    public static String normalizeEndpoint(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + text + "' is not an http(s) endpoint such as "
                    + AI_PLATFORM_ENDPOINT);
        }
        String normalized = uri.toString();
        return normalized.endsWith("/") ? normalized : normalized + "/";
    }

    /**
     * @param host a URL's host
     * @return true for {@code localhost}, 127.x.x.x and ::1
     */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static GenericUrl url(String base, List<String> segments) {
        GenericUrl url = new GenericUrl(base);
        List<String> parts = new ArrayList<>(url.getPathParts());
        if (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty()) {
            parts.remove(parts.size() - 1);
        }
        parts.addAll(segments);
        url.setPathParts(parts);
        return url;
    }

    /** Whether this client sends credentials to a URL: not with no-auth, nor to plain http on loopback. */
    private boolean sendsCredentials(GenericUrl url) {
        if (noAuth) {
            return false;
        }
        return credentials != null || !(url.getScheme().equals("http") && isLoopback(url.getHost()));
    }

    private Credentials credentials() throws IOException {
        if (credentials != null) {
            return credentials;
        }
        try {
            return GoogleCredentials.getApplicationDefault().createScoped(List.of(CLOUD_PLATFORM_SCOPE));
        } catch (IOException e) {
            throw new IOException("Application Default Credentials are not available (set"
                    + " GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or run on"
                    + " Google Cloud): " + e.getMessage(), e);
        }
    }

    private byte[] get(GenericUrl url) throws IOException {
        boolean authenticated = sendsCredentials(url);
        HttpCredentialsAdapter auth = authenticated ? new HttpCredentialsAdapter(credentials()) : null;
        HttpRequest request = transport.createRequestFactory().buildGetRequest(url);
        request.getHeaders().setUserAgent("kfp-tribuo retrieve-best-run");
        request.getHeaders().setAccept("application/json");
        if (auth != null) {
            auth.initialize(request);
        }
        Retries retries = new Retries(url, auth);
        request.setUnsuccessfulResponseHandler(retries);
        request.setIOExceptionHandler(retries);
        request.setNumberOfRetries(maxRetries);
        request.setThrowExceptionOnExecuteError(false);

        HttpResponse response;
        try {
            response = request.execute();
        } catch (IOException e) {
            throw new TuningJobFetchException("GET " + url + ": " + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + retries.attempts(), TuningJobFetchException.NO_RESPONSE, e);
        }
        try {
            byte[] body;
            try (InputStream content = response.getContent()) {
                body = content == null ? new byte[0] : content.readAllBytes();
            }
            int status = response.getStatusCode();
            if (!response.isSuccessStatusCode()) {
                throw new TuningJobFetchException("GET " + url + ": HTTP " + status
                        + (response.getStatusMessage() == null ? "" : " " + response.getStatusMessage())
                        + serviceMessage(body) + retries.attempts() + hint(status, authenticated), status, null);
            }
            return body;
        } finally {
            response.disconnect();
        }
    }

    /** The service's own words from a Google API error body {@code {"error": {"code", "message", "status"}}}. */
    private static String serviceMessage(byte[] body) {
        if (body.length == 0) {
            return "";
        }
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String message = error.path("message").asText("");
            String status = error.path("status").asText("");
            if (!message.isBlank()) {
                return ": " + (status.isBlank() ? "" : status + ": ") + oneLine(message, 300);
            }
        } catch (IOException notJson) {
            // fall through: show the start of the body as text
        }
        return ": " + oneLine(new String(body, StandardCharsets.UTF_8), 200);
    }

    private static String hint(int status, boolean authenticated) {
        if (status == 401 || status == 403) {
            return authenticated
                    ? " (check that the Application Default Credentials may read the job: roles/ml.viewer"
                            + " for AI Platform, roles/aiplatform.viewer for Vertex AI)"
                    : " (no credentials were sent)";
        }
        if (status == 404) {
            return " (check the project, the job id or name, and the endpoint's region)";
        }
        return "";
    }

    private static String oneLine(String text, int max) {
        String line = text.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= max ? line : line.substring(0, max) + "...";
    }

    /**
     * The retry policy of one request: the credentials' 401 refresh first, then exponential
     * backoff on transient statuses and network errors, logging each retry before its wait.
     */
    private final class Retries implements HttpUnsuccessfulResponseHandler, HttpIOExceptionHandler {
        private final GenericUrl url;
        private final HttpCredentialsAdapter auth;
        private final HttpBackOffUnsuccessfulResponseHandler onStatus;
        private final HttpBackOffIOExceptionHandler onIoError;
        private String cause = "";
        private int retried;

        Retries(GenericUrl url, HttpCredentialsAdapter auth) {
            this.url = url;
            this.auth = auth;
            // One backoff for both kinds of failure, so that they share the delays and the time limit.
            ExponentialBackOff backOff = new ExponentialBackOff.Builder()
                    .setInitialIntervalMillis((int) initialBackoff.toMillis())
                    .setMultiplier(2.0)
                    .setRandomizationFactor(0.5)
                    .setMaxIntervalMillis((int) Math.max(initialBackoff.toMillis(), Duration.ofSeconds(30).toMillis()))
                    .setMaxElapsedTimeMillis((int) MAX_ELAPSED.toMillis())
                    .build();
            Sleeper sleeper = millis -> {
                retried++;
                log.accept(cause + " from GET " + url + "; retry " + retried + " of " + maxRetries + " in "
                        + millis + " ms");
                Sleeper.DEFAULT.sleep(millis);
            };
            this.onStatus = new HttpBackOffUnsuccessfulResponseHandler(backOff)
                    .setBackOffRequired(response -> TRANSIENT_STATUS_CODES.contains(response.getStatusCode()))
                    .setSleeper(sleeper);
            this.onIoError = new HttpBackOffIOExceptionHandler(backOff).setSleeper(sleeper);
        }

        @Override
        public boolean handleResponse(HttpRequest request, HttpResponse response, boolean supportsRetry)
                throws IOException {
            if (auth != null) {
                boolean refreshed = auth.handleResponse(request, response, supportsRetry);
                // The adapter re-initialises the request when it refreshes, which installs itself as the
                // handler: put this one back so that later transient errors are still retried.
                request.setUnsuccessfulResponseHandler(this);
                if (refreshed) {
                    if (supportsRetry) {
                        retried++;
                        log.accept("HTTP " + response.getStatusCode() + " from GET " + url
                                + "; refreshed the access token, retry " + retried + " of " + maxRetries);
                    }
                    return true;
                }
            }
            cause = "HTTP " + response.getStatusCode()
                    + (response.getStatusMessage() == null ? "" : " " + response.getStatusMessage());
            return onStatus.handleResponse(request, response, supportsRetry);
        }

        @Override
        public boolean handleIOException(HttpRequest request, boolean supportsRetry) throws IOException {
            cause = "network error";
            return onIoError.handleIOException(request, supportsRetry);
        }

        String attempts() {
            return retried == 0 ? "" : " (after " + (retried + 1) + " attempts)";
        }
    }
}
