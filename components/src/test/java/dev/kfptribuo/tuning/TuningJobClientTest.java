package dev.kfptribuo.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.OAuth2Credentials;
import dev.kfptribuo.tuning.LocalTuningServer.Reply;
import dev.kfptribuo.tuning.LocalTuningServer.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The production HTTP client against a local server on 127.0.0.1 that answers in the documented
 * shapes of both APIs: the request paths, the documents, errors that fail at once (404, 403),
 * transient errors that are retried (429, 5xx, dropped connections), and the credential path; and
 * against the same server playing a hostile one: a trickled body, stalls before and after the
 * headers, an endless body, oversize bodies, 429 and 503 with {@code Retry-After}. Those tests use
 * deadlines of a second or two and print how long each took.
 */
class TuningJobClientTest {
    private static final String PROJECT = "kfp-lab-project";
    private static final String JOB_ID = "forestcover_tuning_20240312_101512";
    private static final String AI_PLATFORM_PATH = "/v1/projects/" + PROJECT + "/jobs/" + JOB_ID;
    private static final String VERTEX_NAME =
            "projects/123456789012/locations/us-central1/hyperparameterTuningJobs/4180427633474584576";

    private LocalTuningServer server;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = LocalTuningServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** The URL of the AI Platform job. */
    private String aiPlatformUrl() {
        return server.endpoint() + "projects/" + PROJECT + "/jobs/" + JOB_ID;
    }

    private TuningJobClient.Builder client() {
        return TuningJobClient.builder()
                .endpoint(server.endpoint())
                .maxRetries(3)
                .initialBackoff(Duration.ofMillis(1))
                .log(log::add);
    }

    @Test
    void fetchesAnAiPlatformJobWithoutCredentialsFromALoopbackServer() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(TuningJob.Service.AI_PLATFORM, job.service());
        assertEquals(JOB_ID, job.name());
        assertEquals(6, job.trials().size());
        assertEquals(server.endpoint() + "projects/" + PROJECT + "/jobs/" + JOB_ID, job.origin());
        assertEquals("4", BestTrial.choose(job).trial().id());
        List<Request> requests = server.requests();
        assertEquals(1, requests.size());
        assertEquals("GET", requests.get(0).method());
        assertEquals(AI_PLATFORM_PATH, requests.get(0).path());
        assertNull(
                requests.get(0).authorization(),
                "no credentials go to a plain-http loopback server");
        assertEquals("application/json", requests.get(0).accept());
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void fetchesAVertexJobByItsResourceName() throws IOException {
        server.script(
                "/v1/" + VERTEX_NAME,
                Reply.ok(LocalTuningServer.document("vertex/succeeded.json")));

        TuningJob job = client().build().fetchVertexJob(VERTEX_NAME);

        assertEquals(TuningJob.Service.VERTEX_AI, job.service());
        assertEquals(VERTEX_NAME, job.name());
        BestTrial best = BestTrial.choose(job);
        assertEquals("2", best.trial().id());
        assertEquals(0.7092, best.metricValue());
        assertEquals(
                List.of("/v1/" + VERTEX_NAME),
                server.requests().stream().map(Request::path).toList());
    }

    @Test
    void notFoundFailsAtOnceWithTheServicesMessage() {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(
                        404, "NOT_FOUND", "Field: name Error: The specified job does not exist."));

        TuningJobFetchException e =
                assertThrows(
                        TuningJobFetchException.class,
                        () -> client().build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(404, e.statusCode());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "GET "
                                        + server.endpoint()
                                        + "projects/"
                                        + PROJECT
                                        + "/jobs/"
                                        + JOB_ID
                                        + ": HTTP 404"),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains(
                                "NOT_FOUND: Field: name Error: The specified job does not exist."),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("check the project, the job id or name"), e.getMessage());
        assertEquals(1, server.requests().size(), "a 404 is not retried");
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void permissionDeniedFailsAtOnce() {
        server.script(
                "/v1/" + VERTEX_NAME,
                Reply.error(
                        403,
                        "PERMISSION_DENIED",
                        "Permission 'aiplatform.hyperparameterTuningJobs.get' denied on resource"));

        TuningJobFetchException e =
                assertThrows(
                        TuningJobFetchException.class,
                        () -> client().build().fetchVertexJob(VERTEX_NAME));

        assertEquals(403, e.statusCode());
        assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains(
                                "PERMISSION_DENIED: Permission 'aiplatform.hyperparameterTuningJobs.get'"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(no credentials were sent)"), e.getMessage());
        assertEquals(1, server.requests().size(), "a 403 is not retried");
    }

    @Test
    void serviceUnavailableThenSuccessIsRetried() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "The service is currently unavailable."),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        assertEquals(2, server.requests().size());
        assertEquals(1, log.size(), log.toString());
        assertTrue(
                log.get(0).startsWith("HTTP 503 Service Unavailable from GET " + server.endpoint()),
                log.get(0));
        assertTrue(log.get(0).contains("retry 1 of 3 in "), log.get(0));
    }

    @ParameterizedTest
    @CsvSource({
        "429, RESOURCE_EXHAUSTED",
        "500, INTERNAL",
        "502, UNAVAILABLE",
        "504, DEADLINE_EXCEEDED"
    })
    void everyTransientStatusIsRetried(int status, String googleStatus) throws IOException {
        server.script(
                "/v1/" + VERTEX_NAME,
                Reply.error(status, googleStatus, "transient"),
                Reply.error(status, googleStatus, "transient"),
                Reply.ok(LocalTuningServer.document("vertex/succeeded.json")));

        TuningJob job = client().build().fetchVertexJob(VERTEX_NAME);

        assertEquals(VERTEX_NAME, job.name());
        assertEquals(3, server.requests().size());
        assertEquals(2, log.size(), log.toString());
    }

    @Test
    void aStatusThatStaysTransientFailsAfterTheRetries() {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "The service is currently unavailable."));

        TuningJobFetchException e =
                assertThrows(
                        TuningJobFetchException.class,
                        () -> client().build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(503, e.statusCode());
        assertEquals(4, server.requests().size(), "one attempt and three retries");
        assertTrue(
                e.getMessage()
                        .contains(
                                "HTTP 503 Service Unavailable: UNAVAILABLE: The service is currently"
                                        + " unavailable. (after 4 attempts)"),
                e.getMessage());
        assertEquals(3, log.size(), log.toString());
    }

    @Test
    void noRetriesWhenTheyAreSwitchedOff() {
        server.script(AI_PLATFORM_PATH, Reply.error(503, "UNAVAILABLE", "unavailable"));

        assertThrows(
                TuningJobFetchException.class,
                () -> client().maxRetries(0).build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(1, server.requests().size());
    }

    @Test
    void droppedConnectionsAreRetried() throws IOException {
        // The JDK's HttpURLConnection itself silently retries a GET once when the connection drops
        // before a response, so two drops are needed for the client's own retry to be seen.
        server.script(
                AI_PLATFORM_PATH,
                Reply.dropConnection(),
                Reply.dropConnection(),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        assertEquals(3, server.requests().size(), server.requests().toString());
        assertTrue(
                log.stream().anyMatch(line -> line.startsWith("network error from GET ")),
                log.toString());
    }

    @Test
    void aServerThatIsNotThereFailsAfterTheRetries() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        TuningJobClient client =
                client().endpoint("http://127.0.0.1:" + port + "/v1/").maxRetries(2).build();

        TuningJobFetchException e =
                assertThrows(
                        TuningJobFetchException.class,
                        () -> client.fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(TuningJobFetchException.NO_RESPONSE, e.statusCode());
        assertTrue(
                e.getMessage().startsWith("GET http://127.0.0.1:" + port + "/v1/projects/"),
                e.getMessage());
        assertTrue(e.getMessage().contains("ConnectException"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(after 3 attempts)"), e.getMessage());
        assertEquals(2, log.size(), log.toString());
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedNamingTheUrl() {
        server.script(AI_PLATFORM_PATH, Reply.ok(LocalTuningServer.text("<html>Sign in</html>")));

        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> client().build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertTrue(
                e.getMessage()
                        .startsWith(
                                server.endpoint()
                                        + "projects/"
                                        + PROJECT
                                        + "/jobs/"
                                        + JOB_ID
                                        + ": not valid JSON"),
                e.getMessage());
    }

    @Test
    void givenCredentialsAreSentAsABearerToken() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        client().credentials(new RefreshingCredentials())
                .build()
                .fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals("Bearer token-1", server.requests().get(0).authorization());
    }

    @Test
    void unauthorizedRefreshesTheTokenOnceAndTransientErrorsAreStillRetried() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(
                        401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
                Reply.error(503, "UNAVAILABLE", "unavailable"),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job =
                client().credentials(new RefreshingCredentials())
                        .build()
                        .fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        assertEquals(
                List.of("Bearer token-1", "Bearer token-2", "Bearer token-2"),
                server.requests().stream().map(Request::authorization).toList());
        assertTrue(log.get(0).contains("refreshed the access token"), log.toString());
        assertTrue(log.get(1).startsWith("HTTP 503"), log.toString());
    }

    @Test
    void noAuthSendsNoCredentialsEvenWhenGiven() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        client().credentials(new RefreshingCredentials())
                .noAuth(true)
                .build()
                .fetchAiPlatformJob(PROJECT, JOB_ID);

        assertNull(server.requests().get(0).authorization());
    }

    @Test
    void credentialsAreNeverSentOverPlainHttpToAnotherHost() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TuningJobClient.builder()
                                        .endpoint("http://tuning.example.com/v1/")
                                        .build());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "refusing to send Google credentials over plain http to tuning.example.com"),
                e.getMessage());
        TuningJobClient.builder().endpoint("http://tuning.example.com/v1/").noAuth(true).build();
    }

    @Test
    void defaultEndpoints() {
        TuningJobClient client = TuningJobClient.builder().build();
        assertEquals(
                "https://ml.googleapis.com/v1/projects/p/jobs/lab_tuning_01",
                client.aiPlatformUrl("p", "lab_tuning_01").build());
        assertEquals(
                "https://us-central1-aiplatform.googleapis.com/v1/" + VERTEX_NAME,
                client.vertexUrl(VERTEX_NAME).build());
        assertEquals(
                "https://europe-west4-aiplatform.googleapis.com/v1/",
                TuningJobClient.vertexEndpoint(
                        "projects/p/locations/europe-west4/hyperparameterTuningJobs/1"));
        assertEquals(
                "https://aiplatform.googleapis.com/v1/",
                TuningJobClient.vertexEndpoint(
                        "projects/p/locations/global/hyperparameterTuningJobs/1"));
    }

    @Test
    void anOverriddenEndpointServesBothApis() {
        TuningJobClient client =
                TuningJobClient.builder()
                        .endpoint("https://us-central1-ml.googleapis.com/v1")
                        .build();
        assertEquals(
                "https://us-central1-ml.googleapis.com/v1/projects/p/jobs/j",
                client.aiPlatformUrl("p", "j").build());
        assertEquals(
                "https://us-central1-ml.googleapis.com/v1/" + VERTEX_NAME,
                client.vertexUrl(VERTEX_NAME).build());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "projects/p/jobs/j",
                "projects/p/locations/us-central1/customJobs/1",
                "projects/p/locations/us-central1/hyperparameterTuningJobs/",
                "projects//locations/l/hyperparameterTuningJobs/1",
                "projects/p/locations/us-central1/hyperparameterTuningJobs/1/extra"
            })
    void otherResourceNamesAreRefused(String name) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TuningJobClient.builder().build().vertexUrl(name));
        assertTrue(
                e.getMessage()
                        .contains(
                                "projects/PROJECT/locations/LOCATION/hyperparameterTuningJobs/ID"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a b", "a?b", "a#b"})
    void idsThatWouldChangeThePathAreRefused(String id) {
        TuningJobClient client = TuningJobClient.builder().build();
        assertThrows(IllegalArgumentException.class, () -> client.aiPlatformUrl(id, "job"));
        assertThrows(IllegalArgumentException.class, () -> client.aiPlatformUrl("project", id));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ftp://ml.googleapis.com/v1/",
                "ml.googleapis.com/v1/",
                "https:///v1/",
                "https://ml.googleapis.com/v1/?key=1",
                "not a url"
            })
    void endpointsThatAreNotHttpUrlsAreRefused(String endpoint) {
        assertThrows(
                IllegalArgumentException.class,
                () -> TuningJobClient.builder().endpoint(endpoint).build());
    }

    @Test
    void retrySettingsAreBounded() {
        assertThrows(
                IllegalArgumentException.class, () -> TuningJobClient.builder().maxRetries(-1));
        assertThrows(
                IllegalArgumentException.class, () -> TuningJobClient.builder().maxRetries(21));
        assertThrows(
                IllegalArgumentException.class,
                () -> TuningJobClient.builder().initialBackoff(Duration.ZERO));
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, true",
        "127.1.2.3, true",
        "localhost, true",
        "[::1], true",
        "::1, true",
        "128.0.0.1, false",
        "example.com, false",
        "127.0.0.1.example.com, false"
    })
    void loopbackHosts(String host, boolean loopback) {
        assertEquals(loopback, TuningJobClient.isLoopback(host));
    }

    // ---------------------------------------------------------------- a hostile server

    /** A failed fetch and how long it took. */
    private record Failure(TuningJobFetchException error, long millis) {}

    private static Failure failure(String what, Supplier<TuningJobClient> client) {
        long start = System.nanoTime();
        TuningJobFetchException e =
                assertThrows(
                        TuningJobFetchException.class,
                        () -> client.get().fetchAiPlatformJob(PROJECT, JOB_ID));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "hostile tuning API, %s: failed after %d ms: %s%n", what, millis, e.getMessage());
        return new Failure(e, millis);
    }

    private static void assertMillisBetween(long low, long high, long millis) {
        assertTrue(
                millis >= low && millis < high,
                "took " + millis + " ms, expected " + low + " to " + high);
    }

    @Test
    void aBodyTrickledAByteASecondEndsAtTheDeadline() {
        byte[] document = LocalTuningServer.document("ai-platform/succeeded-unordered.json");
        server.script(AI_PLATFORM_PATH, Reply.trickle(document, Duration.ofSeconds(1)));

        Failure failure =
                failure(
                        "trickle, 1 byte/s",
                        () -> client().deadline(Duration.ofMillis(1500)).build());

        // Each byte comes well within the 20 s read timeout, so only the overall deadline ends it.
        TuningJobDeadlineException e =
                assertInstanceOf(TuningJobDeadlineException.class, failure.error());
        assertEquals(Duration.ofMillis(1500), e.deadline());
        assertMillisBetween(1500, 2500, failure.millis());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "GET "
                                        + aiPlatformUrl()
                                        + ": no whole response within the overall deadline of 1.5 s (HTTP 200, then "),
                e.getMessage());
        assertTrue(
                e.getMessage().endsWith(" of " + document.length + " body bytes)"), e.getMessage());
        assertEquals(200, e.statusCode());
        assertEquals(1, server.requests().size(), "the deadline is not retried");
        assertWorkerEnds();
    }

    @Test
    void aStallAfterTheHeadersEndsAtTheDeadline() {
        byte[] document = LocalTuningServer.document("ai-platform/succeeded-unordered.json");
        server.script(AI_PLATFORM_PATH, Reply.stallAfterHeaders(document));

        Failure failure =
                failure(
                        "stall after headers",
                        () -> client().deadline(Duration.ofSeconds(1)).build());

        assertInstanceOf(TuningJobDeadlineException.class, failure.error());
        assertMillisBetween(1000, 1800, failure.millis());
        assertEquals(
                "GET "
                        + aiPlatformUrl()
                        + ": no whole response within the overall deadline of 1 s (HTTP 200,"
                        + " then 0 of "
                        + document.length
                        + " body bytes)",
                failure.error().getMessage());
        assertWorkerEnds();
    }

    @Test
    void aStallBeforeTheHeadersEndsAtTheDeadline() {
        server.script(AI_PLATFORM_PATH, Reply.stallBeforeHeaders());

        Failure failure =
                failure(
                        "stall before headers",
                        () -> client().deadline(Duration.ofSeconds(1)).build());

        assertInstanceOf(TuningJobDeadlineException.class, failure.error());
        assertMillisBetween(1000, 1800, failure.millis());
        assertEquals(
                "GET "
                        + aiPlatformUrl()
                        + ": no whole response within the overall deadline of 1 s (no response"
                        + " yet)",
                failure.error().getMessage());
        assertEquals(TuningJobFetchException.NO_RESPONSE, failure.error().statusCode());
        assertWorkerEnds();
    }

    /**
     * The connection closed at the deadline frees the thread that was waiting on it, long before
     * its read timeout.
     */
    private static void assertWorkerEnds() {
        long start = System.nanoTime();
        while (Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("tuning-api GET"))) {
            // A liveness bound, generous: on a loaded machine the next trickled byte or the socket
            // close comes late (10 s was once not enough beside another build).
            assertTrue(
                    System.nanoTime() - start < 30_000_000_000L,
                    () -> "the worker still runs 30 s after the deadline:" + tuningThreads());
            Thread.onSpinWait();
        }
        System.out.printf(
                "hostile tuning API: the worker ended %d ms after the deadline%n",
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Where each of the client's threads is, for a failure message. */
    private static String tuningThreads() {
        StringBuilder where = new StringBuilder();
        Thread.getAllStackTraces()
                .forEach(
                        (thread, stack) -> {
                            if (thread.getName().startsWith("tuning-api")) {
                                where.append("\n").append(thread.getName());
                                for (StackTraceElement frame : stack) {
                                    where.append("\n    at ").append(frame);
                                }
                            }
                        });
        return where.toString();
    }

    @Test
    void readTimeoutsAreRetriedWithALogLineEachUntilTheDeadline() {
        server.script(
                AI_PLATFORM_PATH,
                Reply.stallAfterHeaders(LocalTuningServer.document("ai-platform/running.json")));

        Failure failure =
                failure(
                        "stall after headers, 300 ms read timeout",
                        () ->
                                client().maxRetries(20)
                                        .readTimeout(Duration.ofMillis(300))
                                        .deadline(Duration.ofSeconds(2))
                                        .build());

        assertInstanceOf(TuningJobDeadlineException.class, failure.error());
        assertMillisBetween(1900, 2800, failure.millis());
        assertTrue(
                failure.error().getMessage().startsWith("GET " + aiPlatformUrl() + ": "),
                failure.error().getMessage());
        assertTrue(
                failure.error().getMessage().contains("overall deadline of 2 s"),
                failure.error().getMessage());
        assertTrue(log.size() >= 3, log.toString());
        for (int i = 0; i < log.size(); i++) {
            String line = log.get(i);
            assertTrue(
                    line.startsWith(
                            "network error from GET "
                                    + aiPlatformUrl()
                                    + ": SocketTimeoutException: "),
                    line);
            assertTrue(line.contains("; retry " + (i + 1) + " of 20 in "), line);
            assertTrue(line.endsWith(" left of the overall deadline of 2 s"), line);
        }
        assertEquals(log.size() + 1, server.requests().size());
    }

    @Test
    void anEndlessBodyStopsAtTheDefaultLimit() {
        server.script(AI_PLATFORM_PATH, Reply.endless(200));

        Failure failure = failure("endless body, default 16 MiB limit", () -> client().build());

        assertFalse(
                failure.error() instanceof TuningJobDeadlineException, failure.error().toString());
        assertEquals(
                "GET "
                        + aiPlatformUrl()
                        + ": HTTP 200 with a body larger than the 16 MiB limit of a tuning job"
                        + " document (stopped reading there)",
                failure.error().getMessage());
        assertEquals(200, failure.error().statusCode());
        // The client left soon after the limit: what the server got out is the limit plus what the
        // loopback socket buffers hold (a few MiB), not what it could write until the deadline.
        assertTrue(server.bodyBytesSent() < 64L << 20, server.bodyBytesSent() + " bytes sent");
        assertEquals(1, server.requests().size(), "a body over the limit is not retried");
        System.out.printf(
                "hostile tuning API, endless body: the server wrote %d MiB before the client left%n",
                server.bodyBytesSent() >> 20);
    }

    @Test
    void anOversizeBodyDeclaredByItsLengthIsRefusedUnread() {
        long size = TuningJobClient.DEFAULT_MAX_BODY_BYTES + 1;
        server.script(AI_PLATFORM_PATH, Reply.large(size, true));

        Failure failure =
                failure("oversize body, Content-Length 16 MiB + 1", () -> client().build());

        assertEquals(
                "GET "
                        + aiPlatformUrl()
                        + ": HTTP 200 with a body of "
                        + size
                        + " bytes (Content-Length), more"
                        + " than the 16 MiB limit of a tuning job document",
                failure.error().getMessage());
        assertEquals(1, server.requests().size());
    }

    @Test
    void anOversizeBodyOfNoDeclaredLengthIsRefused() {
        server.script(AI_PLATFORM_PATH, Reply.large(100 << 10, false));

        Failure failure =
                failure(
                        "oversize chunked body, 100 KiB over a 64 KiB limit",
                        () -> client().maxBodyBytes(64 << 10).build());

        assertEquals(
                "GET "
                        + aiPlatformUrl()
                        + ": HTTP 200 with a body larger than the 64 KiB limit of a tuning job"
                        + " document (stopped reading there)",
                failure.error().getMessage());
        assertEquals(1, server.requests().size());
    }

    @Test
    void aBodyOfExactlyTheLimitIsRead() throws IOException {
        byte[] document = LocalTuningServer.document("ai-platform/succeeded-unordered.json");
        server.script(AI_PLATFORM_PATH, Reply.ok(document));

        assertEquals(
                JOB_ID,
                client().maxBodyBytes(document.length)
                        .build()
                        .fetchAiPlatformJob(PROJECT, JOB_ID)
                        .name());
        TuningJobFetchException e =
                assertThrows(
                        TuningJobFetchException.class,
                        () ->
                                client().maxBodyBytes(document.length - 1)
                                        .build()
                                        .fetchAiPlatformJob(PROJECT, JOB_ID));
        assertTrue(
                e.getMessage()
                        .contains(
                                "with a body of "
                                        + document.length
                                        + " bytes (Content-Length), more than"
                                        + " the "
                                        + (document.length - 1)
                                        + " bytes limit"),
                e.getMessage());
    }

    @Test
    void anEndlessErrorBodyIsCutForItsMessageAndTheRetryStillComes() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.endless(503),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job =
                client().deadline(Duration.ofSeconds(5))
                        .build()
                        .fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        assertEquals(2, server.requests().size());
        assertTrue(log.get(0).startsWith("HTTP 503 Service Unavailable from GET "), log.toString());
    }

    @Test
    void aRetryAfterInSecondsOn429IsWaitedAsAsked() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded")
                        .withHeader("Retry-After", "1"),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        long gap = server.gapBefore(1).toMillis();
        System.out.printf(
                "hostile tuning API, 429 with Retry-After: 1: retried after %d ms (backoff alone: 1 ms)%n",
                gap);
        assertMillisBetween(1000, 1500, gap);
        assertEquals(1, log.size(), log.toString());
        // The JDK's test server sends no reason phrase for 429; Google's says "Too Many Requests".
        assertTrue(
                log.get(0)
                        .startsWith(
                                "HTTP 429 from GET "
                                        + aiPlatformUrl()
                                        + "; retry 1 of 3 in 1000 ms as the server asks (Retry-After: 1), "),
                log.get(0));
        assertTrue(log.get(0).endsWith(" left of the overall deadline of 120 s"), log.get(0));
    }

    @Test
    void aRetryAfterDateOn503IsWaitedUntil() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "unavailable")
                        .withRetryAfterDate(Duration.ofSeconds(1)),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        Instant asked = server.retryAfterDatesSent().get(0);
        Instant retried = server.requests().get(1).receivedAt();
        long gap = server.gapBefore(1).toMillis();
        System.out.printf(
                "hostile tuning API, 503 with Retry-After: <date>: retried %d ms after the date, %d ms after"
                        + " the 503%n",
                Duration.between(asked, retried).toMillis(), gap);
        assertFalse(
                retried.isBefore(asked.minusMillis(5)),
                "retried at " + retried + ", asked for " + asked);
        assertTrue(gap < 3100, gap + " ms");
        assertTrue(log.get(0).contains(" as the server asks (Retry-After: "), log.get(0));
    }

    @Test
    void aRetryAfterBeyondTheDeadlineFailsAtOnce() {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "Down for maintenance")
                        .withHeader("Retry-After", "30"));

        Failure failure =
                failure(
                        "503 with Retry-After: 30, 2 s deadline",
                        () -> client().deadline(Duration.ofSeconds(2)).build());

        TuningJobDeadlineException e =
                assertInstanceOf(TuningJobDeadlineException.class, failure.error());
        assertTrue(
                failure.millis() < 500,
                failure.millis() + " ms: no sleeping towards a retry that cannot come");
        assertEquals(503, e.statusCode());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "GET "
                                        + aiPlatformUrl()
                                        + ": HTTP 503 Service Unavailable: UNAVAILABLE:"
                                        + " Down for maintenance; the server asks to retry in 30 s (Retry-After: 30), past the overall deadline"
                                        + " of 2 s ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(" s left)"), e.getMessage());
        assertEquals(1, server.requests().size());
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void theDeadlineCoversTheWaitsBetweenRetries() {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "unavailable").withHeader("Retry-After", "1"));

        Failure failure =
                failure(
                        "503 with Retry-After: 1 every time, 2.5 s deadline",
                        () -> client().maxRetries(10).deadline(Duration.ofMillis(2500)).build());

        // Attempts at 0, 1 and 2 s; the third asks for 1 s more with 0.5 s left.
        assertInstanceOf(TuningJobDeadlineException.class, failure.error());
        assertMillisBetween(2000, 2450, failure.millis());
        assertEquals(3, server.requests().size());
        assertTrue(
                failure.error()
                        .getMessage()
                        .contains("(after 3 attempts); the server asks to retry in 1 s"),
                failure.error().getMessage());
        assertEquals(2, log.size(), log.toString());
    }

    @Test
    void aBackoffThatWouldPassTheDeadlineFailsAtOnce() {
        server.script(AI_PLATFORM_PATH, Reply.error(500, "INTERNAL", "internal error"));

        Failure failure =
                failure(
                        "500, 5 s backoff, 1 s deadline",
                        () ->
                                client().initialBackoff(Duration.ofSeconds(5))
                                        .deadline(Duration.ofSeconds(1))
                                        .build());

        assertInstanceOf(TuningJobDeadlineException.class, failure.error());
        assertTrue(failure.millis() < 500, failure.millis() + " ms");
        assertTrue(
                failure.error()
                        .getMessage()
                        .startsWith(
                                "GET "
                                        + aiPlatformUrl()
                                        + ": HTTP 500 Internal Server Error:"
                                        + " INTERNAL: internal error; the next retry, in "),
                failure.error().getMessage());
        assertTrue(
                failure.error()
                        .getMessage()
                        .contains(", would come past the overall deadline of 1 s ("),
                failure.error().getMessage());
    }

    @Test
    void retryAfterIsOnlyHonouredOn429And503() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(502, "UNAVAILABLE", "bad gateway").withHeader("Retry-After", "30"),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertTrue(server.gapBefore(1).toMillis() < 1000, server.gapBefore(1).toString());
        assertFalse(log.get(0).contains("Retry-After"), log.get(0));
    }

    @Test
    void sizesAndDurationsInMessages() {
        assertEquals("16 MiB", TuningJobClient.bytes(16L << 20));
        assertEquals("64 KiB", TuningJobClient.bytes(64 << 10));
        assertEquals("1000 bytes", TuningJobClient.bytes(1000));
        assertEquals("1 byte", TuningJobClient.bytes(1));
        assertEquals("800 ms", TuningJobClient.millis(800));
        assertEquals("1 s", TuningJobClient.millis(1000));
        assertEquals("1.5 s", TuningJobClient.millis(1599));
        assertEquals("120 s", TuningJobClient.millis(120_000));
    }

    @Test
    void deadlineTimeoutAndBodySettingsAreBounded() {
        assertThrows(
                IllegalArgumentException.class,
                () -> TuningJobClient.builder().deadline(Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class,
                () -> TuningJobClient.builder().deadline(Duration.ofMinutes(61)));
        assertThrows(
                IllegalArgumentException.class,
                () -> TuningJobClient.builder().readTimeout(Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class, () -> TuningJobClient.builder().maxBodyBytes(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> TuningJobClient.builder().maxBodyBytes((1L << 30) + 1));
        TuningJobClient.builder()
                .deadline(TuningJobClient.MAX_DEADLINE)
                .maxBodyBytes(1L << 30)
                .build();
    }

    /** Credentials holding token-1 that refresh to token-2, as a real OAuth2 source would. */
    private static final class RefreshingCredentials extends OAuth2Credentials {
        private static final long serialVersionUID = 1L;

        RefreshingCredentials() {
            super(new AccessToken("token-1", new Date(System.currentTimeMillis() + 3_600_000)));
        }

        @Override
        public AccessToken refreshAccessToken() {
            return new AccessToken("token-2", new Date(System.currentTimeMillis() + 3_600_000));
        }
    }
}
