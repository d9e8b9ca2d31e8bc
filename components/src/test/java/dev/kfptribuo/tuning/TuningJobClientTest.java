package dev.kfptribuo.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The production HTTP client against a local server on 127.0.0.1 that answers in the documented
 * shapes of both APIs: the request paths, the documents, errors that fail at once (404, 403),
 * transient errors that are retried (429, 5xx, dropped connections), and the credential path.
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

    private TuningJobClient.Builder client() {
        return TuningJobClient.builder()
                .endpoint(server.endpoint())
                .maxRetries(3)
                .initialBackoff(Duration.ofMillis(1))
                .log(log::add);
    }

    @Test
    void fetchesAnAiPlatformJobWithoutCredentialsFromALoopbackServer() throws IOException {
        server.script(AI_PLATFORM_PATH, Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

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
        assertNull(requests.get(0).authorization(), "no credentials go to a plain-http loopback server");
        assertEquals("application/json", requests.get(0).accept());
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void fetchesAVertexJobByItsResourceName() throws IOException {
        server.script("/v1/" + VERTEX_NAME, Reply.ok(LocalTuningServer.document("vertex/succeeded.json")));

        TuningJob job = client().build().fetchVertexJob(VERTEX_NAME);

        assertEquals(TuningJob.Service.VERTEX_AI, job.service());
        assertEquals(VERTEX_NAME, job.name());
        BestTrial best = BestTrial.choose(job);
        assertEquals("2", best.trial().id());
        assertEquals(0.7092, best.metricValue());
        assertEquals(List.of("/v1/" + VERTEX_NAME), server.requests().stream().map(Request::path).toList());
    }

    @Test
    void notFoundFailsAtOnceWithTheServicesMessage() {
        server.script(AI_PLATFORM_PATH, Reply.error(404, "NOT_FOUND",
                "Field: name Error: The specified job does not exist."));

        TuningJobFetchException e = assertThrows(TuningJobFetchException.class,
                () -> client().build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(404, e.statusCode());
        assertTrue(e.getMessage().startsWith("GET " + server.endpoint() + "projects/" + PROJECT + "/jobs/" + JOB_ID
                + ": HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("NOT_FOUND: Field: name Error: The specified job does not exist."),
                e.getMessage());
        assertTrue(e.getMessage().contains("check the project, the job id or name"), e.getMessage());
        assertEquals(1, server.requests().size(), "a 404 is not retried");
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void permissionDeniedFailsAtOnce() {
        server.script("/v1/" + VERTEX_NAME, Reply.error(403, "PERMISSION_DENIED",
                "Permission 'aiplatform.hyperparameterTuningJobs.get' denied on resource"));

        TuningJobFetchException e = assertThrows(TuningJobFetchException.class,
                () -> client().build().fetchVertexJob(VERTEX_NAME));

        assertEquals(403, e.statusCode());
        assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
        assertTrue(e.getMessage().contains("PERMISSION_DENIED: Permission 'aiplatform.hyperparameterTuningJobs.get'"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(no credentials were sent)"), e.getMessage());
        assertEquals(1, server.requests().size(), "a 403 is not retried");
    }

    @Test
    void serviceUnavailableThenSuccessIsRetried() throws IOException {
        server.script(AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "The service is currently unavailable."),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        assertEquals(2, server.requests().size());
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("HTTP 503 Service Unavailable from GET " + server.endpoint()), log.get(0));
        assertTrue(log.get(0).contains("retry 1 of 3 in "), log.get(0));
    }

    @ParameterizedTest
    @CsvSource({"429, RESOURCE_EXHAUSTED", "500, INTERNAL", "502, UNAVAILABLE", "504, DEADLINE_EXCEEDED"})
    void everyTransientStatusIsRetried(int status, String googleStatus) throws IOException {
        server.script("/v1/" + VERTEX_NAME,
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
        server.script(AI_PLATFORM_PATH, Reply.error(503, "UNAVAILABLE", "The service is currently unavailable."));

        TuningJobFetchException e = assertThrows(TuningJobFetchException.class,
                () -> client().build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(503, e.statusCode());
        assertEquals(4, server.requests().size(), "one attempt and three retries");
        assertTrue(e.getMessage().contains("HTTP 503 Service Unavailable: UNAVAILABLE: The service is currently"
                + " unavailable. (after 4 attempts)"), e.getMessage());
        assertEquals(3, log.size(), log.toString());
    }

    @Test
    void noRetriesWhenTheyAreSwitchedOff() {
        server.script(AI_PLATFORM_PATH, Reply.error(503, "UNAVAILABLE", "unavailable"));

        assertThrows(TuningJobFetchException.class,
                () -> client().maxRetries(0).build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(1, server.requests().size());
    }

    @Test
    void droppedConnectionsAreRetried() throws IOException {
        // The JDK's HttpURLConnection itself silently retries a GET once when the connection drops
        // before a response, so two drops are needed for the client's own retry to be seen.
        server.script(AI_PLATFORM_PATH, Reply.dropConnection(), Reply.dropConnection(),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        assertEquals(3, server.requests().size(), server.requests().toString());
        assertTrue(log.stream().anyMatch(line -> line.startsWith("network error from GET ")), log.toString());
    }

    @Test
    void aServerThatIsNotThereFailsAfterTheRetries() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        TuningJobClient client = client().endpoint("http://127.0.0.1:" + port + "/v1/").maxRetries(2).build();

        TuningJobFetchException e = assertThrows(TuningJobFetchException.class,
                () -> client.fetchAiPlatformJob(PROJECT, JOB_ID));

        assertEquals(TuningJobFetchException.NO_RESPONSE, e.statusCode());
        assertTrue(e.getMessage().startsWith("GET http://127.0.0.1:" + port + "/v1/projects/"), e.getMessage());
        assertTrue(e.getMessage().contains("ConnectException"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(after 3 attempts)"), e.getMessage());
        assertEquals(2, log.size(), log.toString());
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedNamingTheUrl() {
        server.script(AI_PLATFORM_PATH, Reply.ok(LocalTuningServer.text("<html>Sign in</html>")));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client().build().fetchAiPlatformJob(PROJECT, JOB_ID));

        assertTrue(e.getMessage().startsWith(server.endpoint() + "projects/" + PROJECT + "/jobs/" + JOB_ID
                + ": not valid JSON"), e.getMessage());
    }

    @Test
    void givenCredentialsAreSentAsABearerToken() throws IOException {
        server.script(AI_PLATFORM_PATH, Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        client().credentials(new RefreshingCredentials()).build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals("Bearer token-1", server.requests().get(0).authorization());
    }

    @Test
    void unauthorizedRefreshesTheTokenOnceAndTransientErrorsAreStillRetried() throws IOException {
        server.script(AI_PLATFORM_PATH,
                Reply.error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
                Reply.error(503, "UNAVAILABLE", "unavailable"),
                Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        TuningJob job = client().credentials(new RefreshingCredentials()).build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertEquals(JOB_ID, job.name());
        assertEquals(List.of("Bearer token-1", "Bearer token-2", "Bearer token-2"),
                server.requests().stream().map(Request::authorization).toList());
        assertTrue(log.get(0).contains("refreshed the access token"), log.toString());
        assertTrue(log.get(1).startsWith("HTTP 503"), log.toString());
    }

    @Test
    void noAuthSendsNoCredentialsEvenWhenGiven() throws IOException {
        server.script(AI_PLATFORM_PATH, Reply.ok(LocalTuningServer.document("ai-platform/succeeded-unordered.json")));

        client().credentials(new RefreshingCredentials()).noAuth(true).build().fetchAiPlatformJob(PROJECT, JOB_ID);

        assertNull(server.requests().get(0).authorization());
    }

    @Test
    void credentialsAreNeverSentOverPlainHttpToAnotherHost() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TuningJobClient.builder().endpoint("http://tuning.example.com/v1/").build());
        assertTrue(e.getMessage().startsWith("refusing to send Google credentials over plain http to tuning.example.com"),
                e.getMessage());
        TuningJobClient.builder().endpoint("http://tuning.example.com/v1/").noAuth(true).build();
    }

    @Test
    void defaultEndpoints() {
        TuningJobClient client = TuningJobClient.builder().build();
        assertEquals("https://ml.googleapis.com/v1/projects/p/jobs/lab_tuning_01",
                client.aiPlatformUrl("p", "lab_tuning_01").build());
        assertEquals("https://us-central1-aiplatform.googleapis.com/v1/" + VERTEX_NAME,
                client.vertexUrl(VERTEX_NAME).build());
        assertEquals("https://europe-west4-aiplatform.googleapis.com/v1/",
                TuningJobClient.vertexEndpoint("projects/p/locations/europe-west4/hyperparameterTuningJobs/1"));
        assertEquals("https://aiplatform.googleapis.com/v1/",
                TuningJobClient.vertexEndpoint("projects/p/locations/global/hyperparameterTuningJobs/1"));
    }

    @Test
    void anOverriddenEndpointServesBothApis() {
        TuningJobClient client = TuningJobClient.builder().endpoint("https://us-central1-ml.googleapis.com/v1").build();
        assertEquals("https://us-central1-ml.googleapis.com/v1/projects/p/jobs/j", client.aiPlatformUrl("p", "j").build());
        assertEquals("https://us-central1-ml.googleapis.com/v1/" + VERTEX_NAME, client.vertexUrl(VERTEX_NAME).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "projects/p/jobs/j", "projects/p/locations/us-central1/customJobs/1",
        "projects/p/locations/us-central1/hyperparameterTuningJobs/", "projects//locations/l/hyperparameterTuningJobs/1",
        "projects/p/locations/us-central1/hyperparameterTuningJobs/1/extra"})
    void otherResourceNamesAreRefused(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TuningJobClient.builder().build().vertexUrl(name));
        assertTrue(e.getMessage().contains("projects/PROJECT/locations/LOCATION/hyperparameterTuningJobs/ID"),
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
    @ValueSource(strings = {"ftp://ml.googleapis.com/v1/", "ml.googleapis.com/v1/", "https:///v1/",
        "https://ml.googleapis.com/v1/?key=1", "not a url"})
    void endpointsThatAreNotHttpUrlsAreRefused(String endpoint) {
        assertThrows(IllegalArgumentException.class, () -> TuningJobClient.builder().endpoint(endpoint).build());
    }

    @Test
    void retrySettingsAreBounded() {
        assertThrows(IllegalArgumentException.class, () -> TuningJobClient.builder().maxRetries(-1));
        assertThrows(IllegalArgumentException.class, () -> TuningJobClient.builder().maxRetries(21));
        assertThrows(IllegalArgumentException.class, () -> TuningJobClient.builder().initialBackoff(Duration.ZERO));
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, true", "127.1.2.3, true", "localhost, true", "[::1], true", "::1, true",
        "128.0.0.1, false", "example.com, false", "127.0.0.1.example.com, false"})
    void loopbackHosts(String host, boolean loopback) {
        assertEquals(loopback, TuningJobClient.isLoopback(host));
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
