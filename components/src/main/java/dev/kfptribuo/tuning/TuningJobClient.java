package dev.kfptribuo.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.Credentials;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import dev.kfptribuo.io.RetryAfter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches tuning jobs from AI Platform Training v1 ({@code projects.jobs.get}) and Vertex AI
 * ({@code projects.locations.hyperparameterTuningJobs.get}) over HTTPS with google-http-client.
 *
 * <p><b>Endpoints.</b> AI Platform: {@value #AI_PLATFORM_ENDPOINT}{@code projects/P/jobs/J}. Vertex
 * AI: the regional {@code https://{location}-aiplatform.googleapis.com/v1/} taken from the job's
 * resource name {@code projects/P/locations/L/hyperparameterTuningJobs/ID} (the global endpoint for
 * location {@code global}). An endpoint given to the builder (a regional AI Platform endpoint such
 * as {@code https://us-central1-ml.googleapis.com/v1/}, or a test server) replaces both; it is the
 * base URL including the API version.
 *
 * <p><b>Credentials.</b> Application Default Credentials scoped to {@value #CLOUD_PLATFORM_SCOPE}
 * ({@code GOOGLE_APPLICATION_CREDENTIALS}, {@code gcloud auth application-default login}, or the
 * metadata server on Google Cloud), sent as a bearer token and refreshed once on HTTP 401. No
 * credentials are looked up or sent when {@link Builder#noAuth(boolean)} is set or when the
 * endpoint is plain {@code http://} on a loopback host ({@code 127.0.0.1}, {@code localhost},
 * {@code [::1]}), which is how tests talk to a local server. Credentials are never sent over plain
 * http to any other host: such an endpoint is refused unless {@code noAuth} is set.
 *
 * <p><b>Deadline.</b> One fetch, with every attempt, every wait between attempts, the credential
 * lookup and the reading of the body, ends within an overall deadline ({@link
 * Builder#deadline(Duration)}, default {@link #DEFAULT_DEADLINE} = 2 minutes), not only within the
 * per-read timeout ({@link Builder#readTimeout(Duration)}, default 20 s, which a server sending a
 * byte now and then never trips). At the deadline the fetch fails with a {@link
 * TuningJobDeadlineException} naming the URL, the deadline and what was under way. It does not wait
 * for the attempt to end. A connection still waiting for its response is closed on a daemon thread;
 * a body already being read is left to its reader, which stops at its next byte or at the read
 * timeout (each attempt's is cut to the time left) and closes the connection itself. Closing the
 * JDK's stream from another thread would hand the rest of the body to the JDK's keep-alive cleaner,
 * which drains it holding the stream's lock, so that a reader that reads once more waits for the
 * whole trickled body.
 *
 * <p><b>Retries.</b> HTTP 429, 500, 502, 503 and 504 and network errors (a refused or dropped
 * connection, a read timeout) are retried at most {@link Builder#maxRetries(int)} times (default
 * {@value #DEFAULT_MAX_RETRIES}) with exponential backoff (initial delay {@link
 * Builder#initialBackoff(Duration)}, default 1 s, doubling up to {@link #MAX_BACKOFF}, ±50%
 * jitter), each retry logged with its cause and delay before the wait. A 429 or 503 with a {@code
 * Retry-After} header (delay-seconds or an HTTP date, taken relative to the response's {@code
 * Date}) is retried after exactly that delay instead. A retry that would come after the deadline is
 * not waited for: the fetch fails at once, saying what the server asked for and how much time was
 * left. Other statuses (400, 403, 404...) fail at once. A final failure is a {@link
 * TuningJobFetchException} naming the URL, the status and the service's error message.
 *
 * <p><b>Bounded bodies.</b> A job document is kilobytes; a body larger than {@link
 * Builder#maxBodyBytes(long)} (default {@link #DEFAULT_MAX_BODY_BYTES}, 16 MiB, after content
 * decoding) fails at once without being retried, whether its {@code Content-Length} says so or it
 * simply does not end; at most that much is ever held. Of an error response only the first {@value
 * #ERROR_BODY_BYTES} bytes are read, for its message.
 */
public final class TuningJobClient {
    /** The global AI Platform Training and Prediction endpoint. */
    public static final String AI_PLATFORM_ENDPOINT = "https://ml.googleapis.com/v1/";

    /** The OAuth scope the credentials are given. */
    public static final String CLOUD_PLATFORM_SCOPE =
            "https://www.googleapis.com/auth/cloud-platform";

    /** Retries after the first attempt, by default. */
    public static final int DEFAULT_MAX_RETRIES = 5;

    /** The first backoff delay, by default. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);

    /**
     * The longest backoff delay (unless the initial one is longer; a Retry-After may ask for more).
     */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * The overall deadline of one fetch in seconds, all attempts and waits included, by default.
     */
    public static final int DEFAULT_DEADLINE_SECONDS = 120;

    /**
     * The overall deadline of one fetch, all attempts and waits included, by default: 2 minutes.
     */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(DEFAULT_DEADLINE_SECONDS);

    /** The longest overall deadline the builder accepts. */
    public static final Duration MAX_DEADLINE = Duration.ofHours(1);

    /** How close to the deadline a socket timeout counts as the deadline's. */
    private static final long DEADLINE_SLACK_MILLIS = 50;

    /** The most retries the builder accepts. */
    public static final int MAX_RETRIES = 20;

    /** The longest first backoff delay the builder accepts. */
    public static final Duration MAX_INITIAL_BACKOFF = Duration.ofMinutes(1);

    /** The connect timeout and the timeout of each read from the socket, by default. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);

    /**
     * The largest response body accepted, by default: 16 MiB (a tuning job document is kilobytes).
     */
    public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;

    /** How much of an error response's body is read for its message. */
    public static final int ERROR_BODY_BYTES = 64 << 10;

    /** HTTP statuses worth retrying: rate limiting and transient server errors. */
    public static final Set<Integer> TRANSIENT_STATUS_CODES = Set.of(429, 500, 502, 503, 504);

    /** The statuses whose {@code Retry-After} header is honoured. */
    public static final Set<Integer> RETRY_AFTER_STATUS_CODES = Set.of(429, 503);

    private static final Pattern VERTEX_NAME =
            Pattern.compile(
                    "projects/([^/\\s?#]+)/locations/([a-z0-9-]+)/hyperparameterTuningJobs/([^/\\s?#]+)");
    private static final Pattern ID = Pattern.compile("[^/\\s?#]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The attempt running on the current worker thread, for the default transport to record its
     * connection.
     */
    private static final ThreadLocal<Attempt> CURRENT = new ThreadLocal<>();

    private final String endpoint;
    private final boolean noAuth;
    private final Credentials credentials;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration deadline;
    private final Duration readTimeout;
    private final long maxBodyBytes;
    private final HttpTransport transport;
    private final Consumer<String> log;

    private TuningJobClient(Builder builder) {
        this.endpoint = builder.endpoint == null ? null : normalizeEndpoint(builder.endpoint);
        this.noAuth = builder.noAuth;
        this.credentials = builder.credentials;
        this.maxRetries = builder.maxRetries;
        this.initialBackoff = builder.initialBackoff;
        this.deadline = builder.deadline;
        this.readTimeout = builder.readTimeout;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.transport = builder.transport == null ? defaultTransport() : builder.transport;
        this.log = builder.log;
        if (endpoint != null && !noAuth) {
            URI uri = URI.create(endpoint);
            if (uri.getScheme().equals("http") && !isLoopback(uri.getHost())) {
                throw new IllegalArgumentException(
                        "refusing to send Google credentials over plain http to "
                                + uri.getHost()
                                + ": use an https endpoint, or send no credentials (--no-auth) to a server that needs none");
            }
        }
    }

    /**
     * @return a builder with the defaults: Google's endpoints, ADC, 5 retries from 1 s, a 2-minute
     *     deadline, 20 s read timeout, 16 MiB bodies
     */
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
        private Duration deadline = DEFAULT_DEADLINE;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private HttpTransport transport;
        private Consumer<String> log = line -> {};

        private Builder() {}

        /**
         * @param endpoint the API's base URL with its version, e.g. {@code
         *     https://us-central1-ml.googleapis.com/v1/} or {@code http://127.0.0.1:8080/v1/}; null
         *     for Google's endpoints
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
         * @param credentials credentials to send instead of Application Default Credentials, also
         *     to a loopback http endpoint (tests of the credential path); null for ADC
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
            if (maxRetries < 0 || maxRetries > MAX_RETRIES) {
                throw new IllegalArgumentException(
                        "retries must be in 0.." + MAX_RETRIES + ", got " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * @param initialBackoff the first backoff delay, 1 ms to 1 minute (later ones double)
         * @return this
         */
        public Builder initialBackoff(Duration initialBackoff) {
            if (initialBackoff.toMillis() < 1
                    || initialBackoff.compareTo(MAX_INITIAL_BACKOFF) > 0) {
                throw new IllegalArgumentException(
                        "initial backoff must be 1 ms to 1 minute, got " + initialBackoff);
            }
            this.initialBackoff = initialBackoff;
            return this;
        }

        /**
         * @param deadline the overall deadline of one fetch, all attempts and waits included, 1 ms
         *     to 1 hour
         * @return this
         */
        public Builder deadline(Duration deadline) {
            if (deadline.toMillis() < 1 || deadline.compareTo(MAX_DEADLINE) > 0) {
                throw new IllegalArgumentException(
                        "deadline must be 1 ms to 1 hour, got " + deadline);
            }
            this.deadline = deadline;
            return this;
        }

        /**
         * @param readTimeout the connect timeout and the timeout of each read from the socket, 1 ms
         *     to 10 minutes (an attempt's is cut to the time left of the deadline)
         * @return this
         */
        public Builder readTimeout(Duration readTimeout) {
            if (readTimeout.toMillis() < 1 || readTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException(
                        "read timeout must be 1 ms to 10 minutes, got " + readTimeout);
            }
            this.readTimeout = readTimeout;
            return this;
        }

        /**
         * @param maxBodyBytes the largest response body accepted, after content decoding, 1 byte to
         *     1 GiB
         * @return this
         */
        public Builder maxBodyBytes(long maxBodyBytes) {
            if (maxBodyBytes < 1 || maxBodyBytes > (1L << 30)) {
                throw new IllegalArgumentException(
                        "body limit must be 1 byte to 1 GiB, got " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * @param transport the HTTP transport; null for the JDK's ({@code NetHttpTransport}). At
         *     the deadline the JDK's connection is closed if its response has not come; another
         *     transport's request still waiting for its response is left to the transport's
         *     timeouts
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
     * @throws TuningJobFetchException if the job cannot be fetched after the retries, or its body
     *     is over the limit
     * @throws TuningJobDeadlineException if the overall deadline runs out first
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
     * @throws TuningJobFetchException if the job cannot be fetched after the retries, or its body
     *     is over the limit
     * @throws TuningJobDeadlineException if the overall deadline runs out first
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
        return url(
                endpoint == null ? AI_PLATFORM_ENDPOINT : endpoint,
                List.of("projects", projectId, "jobs", jobId));
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
     * @return the Vertex AI endpoint serving it: {@code https://L-aiplatform.googleapis.com/v1/},
     *     or {@code https://aiplatform.googleapis.com/v1/} for location {@code global}
     * @throws IllegalArgumentException if the name has another shape
     */
    public static String vertexEndpoint(String resourceName) {
        String location = checkVertexName(resourceName).group(2);
        return location.equals("global")
                ? "https://aiplatform.googleapis.com/v1/"
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
            throw new IllegalArgumentException(
                    "'"
                            + resourceName
                            + "' is not a Vertex AI hyperparameter tuning job"
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
     * @throws IllegalArgumentException if it is not an absolute http(s) URL with a host, or has a
     *     query or fragment
     */
    public static String normalizeEndpoint(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an http(s) endpoint such as " + AI_PLATFORM_ENDPOINT);
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
        return h.equals("localhost")
                || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1")
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

    /**
     * Whether this client sends credentials to a URL: not with no-auth, nor to plain http on
     * loopback.
     */
    private boolean sendsCredentials(GenericUrl url) {
        if (noAuth) {
            return false;
        }
        return credentials != null
                || !(url.getScheme().equals("http") && isLoopback(url.getHost()));
    }

    private Credentials credentials() throws IOException {
        if (credentials != null) {
            return credentials;
        }
        try {
            return GoogleCredentials.getApplicationDefault()
                    .createScoped(List.of(CLOUD_PLATFORM_SCOPE));
        } catch (IOException e) {
            throw new IOException(
                    "Application Default Credentials are not available (set"
                            + " GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or run on"
                            + " Google Cloud): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * The JDK's transport, recording each connection it opens so that the deadline can close it.
     */
    private static HttpTransport defaultTransport() {
        return new NetHttpTransport.Builder()
                .setConnectionFactory(
                        url -> {
                            HttpURLConnection connection = (HttpURLConnection) url.openConnection();
                            Attempt attempt = CURRENT.get();
                            if (attempt != null) {
                                attempt.connection = connection;
                            }
                            return connection;
                        })
                .build();
    }

    /**
     * One GET with its retries, within the deadline: each step (the credential lookup, each
     * attempt) runs on a worker thread that this thread waits for no longer than the time left.
     */
    private byte[] get(GenericUrl url) throws IOException {
        Deadline limit = new Deadline(deadline);
        ExecutorService worker =
                Executors.newSingleThreadExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "tuning-api GET");
                            thread.setDaemon(true);
                            return thread;
                        });
        try {
            boolean authenticated = sendsCredentials(url);
            HttpCredentialsAdapter auth =
                    !authenticated
                            ? null
                            : withinDeadline(
                                    worker,
                                    url,
                                    limit,
                                    0,
                                    attempt -> {
                                        attempt.phase = Phase.CREDENTIALS;
                                        return new HttpCredentialsAdapter(credentials());
                                    });
            int retried = 0;
            boolean refreshed = false;
            while (true) {
                boolean mayRefresh = auth != null && !refreshed && retried < maxRetries;
                Outcome outcome;
                try {
                    outcome =
                            withinDeadline(
                                    worker,
                                    url,
                                    limit,
                                    retried,
                                    attempt -> exchange(url, auth, mayRefresh, attempt));
                } catch (TuningJobFetchException notRetried) {
                    throw notRetried;
                } catch (IOException e) {
                    String failure =
                            "GET "
                                    + url
                                    + ": "
                                    + e.getClass().getSimpleName()
                                    + ": "
                                    + e.getMessage();
                    if (retried >= maxRetries) {
                        throw new TuningJobFetchException(
                                failure + attempts(retried),
                                TuningJobFetchException.NO_RESPONSE,
                                e);
                    }
                    retried =
                            waitToRetry(
                                    url,
                                    limit,
                                    retried,
                                    "network error from GET "
                                            + url
                                            + ": "
                                            + e.getClass().getSimpleName()
                                            + ": "
                                            + e.getMessage(),
                                    backoffMillis(retried),
                                    null,
                                    failure,
                                    TuningJobFetchException.NO_RESPONSE,
                                    e);
                    continue;
                }
                if (outcome.refreshed()) {
                    refreshed = true;
                    retried++;
                    log.accept(
                            "HTTP "
                                    + outcome.status()
                                    + " from GET "
                                    + url
                                    + "; refreshed the access token, retry "
                                    + retried
                                    + " of "
                                    + maxRetries);
                    continue;
                }
                int status = outcome.status();
                if (outcome.success()) {
                    return outcome.body();
                }
                String statusLine =
                        "HTTP "
                                + status
                                + (outcome.statusMessage() == null
                                        ? ""
                                        : " " + outcome.statusMessage());
                String failure = "GET " + url + ": " + statusLine + serviceMessage(outcome.body());
                if (TRANSIENT_STATUS_CODES.contains(status) && retried < maxRetries) {
                    Duration asked =
                            RETRY_AFTER_STATUS_CODES.contains(status)
                                    ? RetryAfter.delay(
                                            outcome.retryAfter(), outcome.date(), Instant.now())
                                    : null;
                    String retryAfter =
                            asked == null ? null : "Retry-After: " + outcome.retryAfter().strip();
                    retried =
                            waitToRetry(
                                    url,
                                    limit,
                                    retried,
                                    statusLine + " from GET " + url,
                                    asked == null ? backoffMillis(retried) : asked.toMillis(),
                                    retryAfter,
                                    failure,
                                    status,
                                    null);
                    continue;
                }
                throw new TuningJobFetchException(
                        failure + attempts(retried) + hint(status, authenticated), status, null);
            }
        } finally {
            worker.shutdownNow();
        }
    }

    /**
     * Logs a retry and waits for it, or fails at once if it would come after the deadline.
     *
     * @param cause what went wrong, for the log line
     * @param delayMillis the delay before the retry
     * @param retryAfter the server's {@code Retry-After: ...} that set the delay, or null for
     *     backoff
     * @param failure the one-line failure without the attempts, should the retry not fit
     * @return the number of retries made, this one included
     */
    private int waitToRetry(
            GenericUrl url,
            Deadline limit,
            int retried,
            String cause,
            long delayMillis,
            String retryAfter,
            String failure,
            int status,
            Throwable error)
            throws IOException {
        long left = limit.remainingMillis();
        if (delayMillis >= left) {
            throw new TuningJobDeadlineException(
                    failure
                            + attempts(retried)
                            + "; "
                            + (retryAfter == null
                                    ? "the next retry, in " + millis(delayMillis) + ", would come"
                                    : "the server asks to retry in "
                                            + millis(delayMillis)
                                            + " ("
                                            + retryAfter
                                            + "),")
                            + " past the overall deadline of "
                            + millis(deadline.toMillis())
                            + " ("
                            + millis(left)
                            + " left)",
                    status,
                    deadline,
                    error);
        }
        int retry = retried + 1;
        log.accept(
                cause
                        + "; retry "
                        + retry
                        + " of "
                        + maxRetries
                        + " in "
                        + delayMillis
                        + " ms"
                        + (retryAfter == null ? "" : " as the server asks (" + retryAfter + ")")
                        + ", "
                        + millis(left)
                        + " left of the overall deadline of "
                        + millis(deadline.toMillis()));
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("GET " + url + ": interrupted while waiting to retry");
        }
        return retry;
    }

    /**
     * The exponential backoff before retry {@code retried + 1}: doubling from the initial delay,
     * ±50%.
     */
    private long backoffMillis(int retried) {
        double initial = initialBackoff.toMillis();
        double interval =
                Math.min(initial * Math.pow(2, retried), Math.max(initial, MAX_BACKOFF.toMillis()));
        double jitter = 1 + 0.5 * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Math.max(1, Math.round(interval * jitter));
    }

    private static String attempts(int retried) {
        return retried == 0 ? "" : " (after " + (retried + 1) + " attempts)";
    }

    /** One step of a fetch, run on the worker thread. */
    @FunctionalInterface
    private interface Step<T> {
        T run(Attempt attempt) throws IOException;
    }

    /**
     * Runs a step on the worker and waits for it until the deadline; at the deadline closes its
     * connection (on a daemon thread, without waiting) and fails.
     */
    private <T> T withinDeadline(
            ExecutorService worker, GenericUrl url, Deadline limit, int retried, Step<T> step)
            throws IOException {
        Attempt attempt = new Attempt(limit);
        Future<T> future =
                worker.submit(
                        () -> {
                            CURRENT.set(attempt);
                            try {
                                return step.run(attempt);
                            } finally {
                                CURRENT.remove();
                            }
                        });
        try {
            return future.get(Math.max(0, limit.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            attempt.abort();
            future.cancel(true);
            throw deadlinePassed(url, attempt, retried, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // The socket's timeout is cut to the time left: one that fires as the deadline comes is
            // the deadline, whichever of the two threads sees it first.
            if (cause instanceof SocketTimeoutException
                    && limit.remainingMillis() <= DEADLINE_SLACK_MILLIS) {
                throw deadlinePassed(url, attempt, retried, cause);
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException("GET " + url + ": " + cause, cause);
        } catch (InterruptedException e) {
            attempt.abort();
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("GET " + url + ": interrupted");
        }
    }

    private TuningJobDeadlineException deadlinePassed(
            GenericUrl url, Attempt attempt, int retried, Throwable cause) {
        return new TuningJobDeadlineException(
                "GET "
                        + url
                        + ": no whole response within the overall deadline of "
                        + millis(deadline.toMillis())
                        + " ("
                        + attempt.describe()
                        + ")"
                        + attempts(retried),
                attempt.status,
                deadline,
                cause);
    }

    /**
     * One HTTP exchange, on the worker thread: the request, and the body read within the limit. A
     * 401 is answered by refreshing the credentials when {@code mayRefresh}.
     */
    private Outcome exchange(
            GenericUrl url, HttpCredentialsAdapter auth, boolean mayRefresh, Attempt attempt)
            throws IOException {
        HttpRequest request = transport.createRequestFactory().buildGetRequest(url);
        request.getHeaders().setUserAgent("kfp-tribuo retrieve-best-run");
        request.getHeaders().setAccept("application/json");
        if (auth != null) {
            auth.initialize(request);
        }
        // One exchange per attempt: the retries, their delays and the 401 refresh are this class's.
        request.setUnsuccessfulResponseHandler(null);
        request.setIOExceptionHandler(null);
        request.setNumberOfRetries(0);
        request.setThrowExceptionOnExecuteError(false);
        int timeout =
                (int)
                        Math.max(
                                1,
                                Math.min(readTimeout.toMillis(), attempt.limit.remainingMillis()));
        request.setConnectTimeout(timeout);
        request.setReadTimeout(timeout);

        attempt.phase = Phase.RESPONSE;
        HttpResponse response = request.execute();
        boolean closedByAbort = attempt.responded();
        try {
            if (closedByAbort) {
                throw new InterruptedIOException("aborted at the deadline");
            }
            int status = response.getStatusCode();
            attempt.status = status;
            if (status == 401 && mayRefresh && auth.handleResponse(request, response, true)) {
                return new Outcome(
                        status, response.getStatusMessage(), false, new byte[0], null, null, true);
            }
            boolean success = response.isSuccessStatusCode();
            HttpHeaders headers = response.getHeaders();
            Long declared = headers.getContentLength();
            attempt.declared = declared;
            if (success && declared != null && declared > maxBodyBytes) {
                throw new TuningJobFetchException(
                        "GET "
                                + url
                                + ": HTTP "
                                + status
                                + " with a body of "
                                + declared
                                + " bytes (Content-Length), more than the "
                                + bytes(maxBodyBytes)
                                + " limit of a tuning job document",
                        status,
                        null);
            }
            attempt.phase = Phase.BODY;
            InputStream content = response.getContent();
            byte[] body =
                    content == null
                            ? new byte[0]
                            : success
                                    ? readAtMost(content, (int) maxBodyBytes, false, attempt)
                                    : readAtMost(content, ERROR_BODY_BYTES, true, attempt);
            if (body == null) {
                throw new TuningJobFetchException(
                        "GET "
                                + url
                                + ": HTTP "
                                + status
                                + " with a body larger than the "
                                + bytes(maxBodyBytes)
                                + " limit of a tuning job document (stopped reading there)",
                        status,
                        null);
            }
            return new Outcome(
                    status,
                    response.getStatusMessage(),
                    success,
                    body,
                    headers.getFirstHeaderStringValue("Retry-After"),
                    headers.getFirstHeaderStringValue("Date"),
                    false);
        } finally {
            // The closer thread owns a connection it closed: closing it here too could wait for
            // the JDK's keep-alive cleaner, draining the rest of the body under the stream's lock.
            if (!closedByAbort) {
                response.disconnect();
            }
        }
    }

    /**
     * Reads a stream to its end, holding at most {@code limit} bytes: it reads one byte beyond, to
     * tell a longer stream, and stops there. Stops when the attempt is aborted.
     *
     * @param truncate what to do with a longer stream: true to return its first {@code limit}
     *     bytes, false to return null
     * @return the bytes, or null for a longer stream when not truncating
     */
    private static byte[] readAtMost(InputStream in, int limit, boolean truncate, Attempt attempt)
            throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(limit, 8192));
        byte[] buffer = new byte[8192];
        long total = 0;
        while (true) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1L - total));
            if (n == -1) {
                return body.toByteArray();
            }
            if (attempt.aborted) {
                throw new InterruptedIOException("aborted at the deadline");
            }
            total += n;
            attempt.received = total;
            if (total > limit) {
                // total is limit + 1: the last byte read is the one too many.
                if (!truncate) {
                    return null;
                }
                body.write(buffer, 0, n - 1);
                return body.toByteArray();
            }
            body.write(buffer, 0, n);
        }
    }

    /**
     * @return a duration for messages: {@code 800 ms}, {@code 1.5 s}, {@code 120 s}
     */
    static String millis(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        return BigDecimal.valueOf(millis, 3)
                        .setScale(1, RoundingMode.DOWN)
                        .stripTrailingZeros()
                        .toPlainString()
                + " s";
    }

    /**
     * @return a size for messages: {@code 16 MiB}, {@code 64 KiB}, {@code 1000 bytes}
     */
    static String bytes(long bytes) {
        if (bytes >= (1 << 20) && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= (1 << 10) && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + (bytes == 1 ? " byte" : " bytes");
    }

    /**
     * The service's own words from a Google API error body {@code {"error": {"code", "message",
     * "status"}}}.
     */
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

    /** What one exchange came back with. */
    private record Outcome(
            int status,
            String statusMessage,
            boolean success,
            byte[] body,
            String retryAfter,
            String date,
            boolean refreshed) {}

    /** The end of one fetch's time, on the monotonic clock. */
    private static final class Deadline {
        private final long end;

        Deadline(Duration total) {
            this.end = System.nanoTime() + total.toNanos();
        }

        long remainingNanos() {
            return end - System.nanoTime();
        }

        long remainingMillis() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(remainingNanos()));
        }
    }

    private enum Phase {
        CREDENTIALS,
        RESPONSE,
        BODY
    }

    /** One step on the worker thread, as far as the waiting thread can see it. */
    private static final class Attempt {
        final Deadline limit;
        volatile Phase phase = Phase.RESPONSE;
        volatile int status = TuningJobFetchException.NO_RESPONSE;
        volatile Long declared;
        volatile long received;
        volatile boolean aborted;
        volatile HttpURLConnection connection;
        private boolean responded;
        private boolean closedByAbort;

        Attempt(Deadline limit) {
            this.limit = limit;
        }

        String describe() {
            return switch (phase) {
                case CREDENTIALS -> "looking up credentials";
                case RESPONSE -> "no response yet";
                case BODY ->
                        "HTTP "
                                + status
                                + ", then "
                                + received
                                + (declared == null
                                        ? " body bytes, of no declared length"
                                        : " of " + declared + " body bytes");
            };
        }

        /**
         * Marks the response as come, on the worker thread, from then on its reader's to close.
         *
         * @return true if the deadline came first and the connection was closed by {@link
         *     #abort()}: the worker then reads nothing and leaves it alone
         */
        synchronized boolean responded() {
            responded = true;
            return closedByAbort;
        }

        /**
         * Marks the attempt aborted; a connection still waiting for its response is closed on a
         * daemon thread (closing may wait for the response being parsed). A body being read is not
         * touched: its reader stops at its next byte or read timeout.
         */
        synchronized void abort() {
            aborted = true;
            HttpURLConnection open = connection;
            if (responded || open == null) {
                return;
            }
            closedByAbort = true;
            Thread closer =
                    new Thread(
                            () -> {
                                try {
                                    open.disconnect();
                                } catch (RuntimeException ignored) {
                                    // the connection is being given up
                                }
                            },
                            "tuning-api abort");
            closer.setDaemon(true);
            closer.start();
        }
    }
}
