package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.tuning.LocalTuningServer;
import dev.kfptribuo.tuning.LocalTuningServer.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code retrieve-best-run} program through {@link HelperComponents#run}: the real HTTP path
 * against a local server on 127.0.0.1 serving both APIs' documents, job files, the KFP output
 * files, and its errors (one line, exit 1) and usage errors (exit 2).
 *
 * <p>The documents are the components module's test resources ({@code tuning/README.md} there
 * describes them). The hostile server cases (a trickled body, a stall after the headers, an endless
 * body, {@code Retry-After}) check the one error line and that the run ends in time.
 */
class RetrieveBestRunTest {
    private static final Path DOCUMENTS =
            Path.of("..", "components", "src", "test", "resources", "tuning");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "kfp-lab-project";
    private static final String JOB_ID = "forestcover_tuning_20240312_101512";
    private static final String AI_PLATFORM_PATH = "/v1/projects/" + PROJECT + "/jobs/" + JOB_ID;
    private static final String VERTEX_NAME =
            "projects/123456789012/locations/us-central1/hyperparameterTuningJobs/4180427633474584576";
    private static final String VERTEX_PATH = "/v1/" + VERTEX_NAME;
    private static final String PREFIX = "retrieve-best-run: ";

    /** How the one error line of a failed request to the tuning API starts, before the URL. */
    private static final String GET_FAILED = PREFIX + "error: I/O: GET ";

    @TempDir Path tmp;

    private LocalTuningServer server;
    private Path outputs;

    @BeforeEach
    void start() {
        server = LocalTuningServer.start();
        outputs = tmp.resolve("outputs");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** All five outputs, in directories that do not exist yet (KFP's outputPath). */
    private List<String> allOutputs() {
        return List.of(
                "--metric-value-output", outputs.resolve("metric_value/data").toString(),
                "--alpha-output", outputs.resolve("alpha/data").toString(),
                "--max-iter-output", outputs.resolve("max_iter/data").toString(),
                "--trial-id-output", outputs.resolve("trial_id/data").toString(),
                "--hyperparameters-output", outputs.resolve("hyperparameters/data").toString());
    }

    private String output(String name) throws IOException {
        return Files.readString(outputs.resolve(name).resolve("data"));
    }

    private boolean anyOutputWritten() throws IOException {
        if (!Files.exists(outputs)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(outputs)) {
            return files.anyMatch(Files::isRegularFile);
        }
    }

    private static List<String> args(List<String> outputs, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(outputs);
        return all;
    }

    /** The path of a test document, {@code name} under {@link #DOCUMENTS}. */
    private static String documentFile(String name) {
        return DOCUMENTS.resolve(name).toString();
    }

    /** The server's reply of HTTP 200 with the test document {@code name}. */
    private static Reply ok(String name) {
        return Reply.ok(LocalTuningServer.document(name));
    }

    /** The AI Platform job, by project and job id, then {@code more}. */
    private static List<String> aiPlatformJobId(String... more) {
        List<String> all = new ArrayList<>(List.of("--project-id", PROJECT, "--job-id", JOB_ID));
        all.addAll(List.of(more));
        return all;
    }

    /** The flags of a job, the local server as its API, {@code more}, then all five outputs. */
    private List<String> fromServer(List<String> job, String... more) {
        List<String> all = new ArrayList<>(job);
        all.addAll(List.of("--api-endpoint", server.endpoint()));
        all.addAll(List.of(more));
        all.addAll(allOutputs());
        return all;
    }

    /** The AI Platform job from the local server, {@code more}, then all five outputs. */
    private List<String> aiPlatformJob(String... more) {
        return fromServer(aiPlatformJobId(), more);
    }

    /** The Vertex AI job from the local server, {@code more}, then all five outputs. */
    private List<String> vertexJob(String... more) {
        return fromServer(List.of("--job-name", VERTEX_NAME), more);
    }

    /** The AI Platform job's URL on the local server. */
    private String aiPlatformUrl() {
        return server.endpoint() + "projects/" + PROJECT + "/jobs/" + JOB_ID;
    }

    /** The Vertex AI job's URL on the local server. */
    private String vertexUrl() {
        return server.endpoint() + VERTEX_NAME;
    }

    /** The test document {@code name} as the job file, then all five outputs. */
    private List<String> jobFile(String name) {
        return args(allOutputs(), "--job-file", documentFile(name));
    }

    @Test
    void aiPlatformJobOverHttpWritesEveryOutput() throws IOException {
        server.script(AI_PLATFORM_PATH, ok("ai-platform/succeeded-unordered.json"));

        Run run = Run.of(aiPlatformJob());

        assertEquals(0, run.code, run.err);
        assertEquals("", run.err);
        assertEquals("0.7079", output("metric_value"));
        assertEquals("0.00042394175571804614", output("alpha"));
        assertEquals("1000", output("max_iter"));
        assertEquals("4", output("trial_id"));
        assertEquals(
                JSON.readTree("{\"alpha\": 0.00042394175571804614, \"max_iter\": 1000}"),
                JSON.readTree(output("hyperparameters")));
        assertEquals(List.of(AI_PLATFORM_PATH), server.paths());
        assertTrue(run.outLines().stream().allMatch(line -> line.startsWith(PREFIX)), run.out);
        assertTrue(run.out.contains(PREFIX + "skipped trial 6: state FAILED"), run.out);
        assertTrue(run.out.contains(PREFIX + "best trial 4: accuracy=0.7079"), run.out);
    }

    @Test
    void theLabsUnderscoreSpellings() throws IOException {
        server.script(AI_PLATFORM_PATH, ok("ai-platform/succeeded-ordered.json"));

        Run run =
                Run.of(
                        args(
                                allOutputs(),
                                "--project_id",
                                PROJECT,
                                "--job_id",
                                JOB_ID,
                                "--api_endpoint",
                                server.endpoint(),
                                "--no-auth"));

        assertEquals(0, run.code, run.err);
        assertEquals("3", output("trial_id"));
        assertEquals("0.7118", output("metric_value"));
        assertEquals(
                0.00012968706232686341,
                Double.parseDouble(output("alpha")),
                "the same double, shortest text");
        assertEquals("1000", output("max_iter"));
    }

    @Test
    void vertexJobOverHttp() throws IOException {
        server.script(VERTEX_PATH, ok("vertex/succeeded.json"));

        Run run = Run.of(vertexJob());

        assertEquals(0, run.code, run.err);
        assertEquals("2", output("trial_id"));
        assertEquals("0.7092", output("metric_value"));
        assertEquals(0.00036712598502635956, Double.parseDouble(output("alpha")));
        assertEquals("1000", output("max_iter"));
        assertEquals(List.of(VERTEX_PATH), server.paths());
    }

    /** A gcp_resources document as HyperparameterTuningJobRunOp writes it. */
    private static String gcpResources(String resourceUri) {
        return "{\"resources\": [{\"resourceType\": \"HyperparameterTuningJob\", \"resourceUri\": \""
                + resourceUri
                + "\"}]}";
    }

    @Test
    void vertexJobNamedByGcpResources() throws IOException {
        server.script(VERTEX_PATH, ok("vertex/succeeded.json"));
        String resources =
                gcpResources("https://us-central1-aiplatform.googleapis.com/v1/" + VERTEX_NAME);

        Run run =
                Run.of(
                        args(
                                allOutputs(),
                                "--gcp-resources",
                                resources,
                                "--api-endpoint",
                                server.endpoint()));

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("gcp_resources names " + VERTEX_NAME), run.out);
        assertEquals("2", output("trial_id"));
        assertEquals("0.7092", output("metric_value"));
        assertEquals(List.of(VERTEX_PATH), server.paths());
    }

    @Test
    void aProjectIdThatMatchesTheVertexNameIsAccepted() {
        server.script(VERTEX_PATH, ok("vertex/succeeded.json"));
        Run run =
                Run.of(
                        "--project-id",
                        "123456789012",
                        "--job-name",
                        VERTEX_NAME,
                        "--api-endpoint",
                        server.endpoint());
        assertEquals(0, run.code, run.err);
    }

    @Test
    void serviceUnavailableThenSuccess() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "The service is currently unavailable."),
                ok("ai-platform/succeeded-unordered.json"));

        Run run = Run.of(aiPlatformJob("--initial-backoff-ms", "1"));

        assertEquals(0, run.code, run.err);
        assertEquals("4", output("trial_id"));
        assertEquals(2, server.paths().size());
        assertTrue(
                run.out.contains(
                        PREFIX + "HTTP 503 Service Unavailable from GET " + server.endpoint()),
                run.out);
    }

    @Test
    void notFoundIsOneErrorLine() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(
                        404, "NOT_FOUND", "Field: name Error: The specified job does not exist."));

        Run run = Run.of(aiPlatformJob());

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                GET_FAILED
                        + aiPlatformUrl()
                        + ": HTTP 404 Not Found: NOT_FOUND: Field: name Error: The specified job does not"
                        + " exist.");
        assertEquals(1, server.paths().size());
        assertFalse(anyOutputWritten());
    }

    @Test
    void permissionDeniedIsOneErrorLine() throws IOException {
        server.script(
                VERTEX_PATH,
                Reply.error(
                        403,
                        "PERMISSION_DENIED",
                        "Permission 'aiplatform.hyperparameterTuningJobs.get' denied on resource"));

        Run run = Run.of(vertexJob());

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                GET_FAILED + vertexUrl() + ": HTTP 403 Forbidden: PERMISSION_DENIED");
        assertFalse(anyOutputWritten());
    }

    @Test
    void aStatusThatStaysTransientFailsAfterTheRetries() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "The service is currently unavailable."));

        Run run = Run.of(aiPlatformJob("--max-retries", "2", "--initial-backoff-ms", "1"));

        assertEquals(1, run.code);
        run.assertOneErrorLine(GET_FAILED);
        assertTrue(run.err.strip().endsWith("(after 3 attempts)"), run.err);
        assertEquals(3, server.paths().size());
        assertFalse(anyOutputWritten());
    }

    @Test
    void aRunningJobFails() throws IOException {
        server.script(AI_PLATFORM_PATH, ok("ai-platform/running.json"));

        Run run = Run.of(aiPlatformJob());

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                "retrieve-best-run: error: AI Platform Training job forestcover_tuning_20240320_090412"
                        + " is RUNNING, not finished");
        assertFalse(anyOutputWritten());
    }

    @Test
    void oneUnwritableOutputFailsTheCommandAndWritesNoneOfTheFive() throws IOException {
        Files.createDirectories(outputs);
        Path blocker =
                Files.writeString(
                        outputs.resolve("trial_id"), "a file where the output's directory goes");
        Run run = Run.of(jobFile("ai-platform/minimize.json"));
        assertEquals(1, run.code(), run.err());
        assertTrue(run.err().contains(blocker + " is not a directory"), run.err());
        try (Stream<Path> files = Files.walk(outputs)) {
            assertEquals(
                    List.of(blocker),
                    files.filter(Files::isRegularFile).toList(),
                    "only the blocker: no output");
        }
    }

    @Test
    void aJobWithNoUsableTrialFails() throws IOException {
        Run run = Run.of(jobFile("ai-platform/failed-no-usable-trial.json"));

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                "retrieve-best-run: error: AI Platform Training job forestcover_tuning_20240321_163355"
                        + " (FAILED) has no usable trial: trial 1: state FAILED; trial 2: state FAILED; trial 3: state FAILED;"
                        + " job error: Too many failed trials");
        assertFalse(anyOutputWritten());
    }

    @Test
    void aCancelledJobWithSucceededTrialsIsUsedWithAWarning() throws IOException {
        ObjectNode doc =
                (ObjectNode)
                        JSON.readTree(
                                LocalTuningServer.document("ai-platform/succeeded-unordered.json"));
        doc.put("state", "CANCELLED");
        Path file = tmp.resolve("cancelled.json");
        JSON.writeValue(file.toFile(), doc);

        Run run = Run.of(args(allOutputs(), "--job-file", file.toString()));

        assertEquals(0, run.code, run.err);
        assertEquals("4", output("trial_id"));
        assertTrue(
                run.out.contains(
                        PREFIX
                                + "warning: the job ended CANCELLED; choosing among its succeeded trials"),
                run.out);
    }

    @Test
    void jobFilesOfBothApis() throws IOException {
        Run run = Run.of(jobFile("ai-platform/minimize.json"));
        assertEquals(0, run.code, run.err);
        assertEquals("2", output("trial_id"));
        assertEquals("0.6841", output("metric_value"));
        assertEquals("1000", output("max_iter"));

        run =
                Run.of(
                        args(
                                allOutputs(),
                                "--job_file",
                                documentFile("vertex/minimize-string-values.json")));
        assertEquals(0, run.code, run.err);
        assertEquals("2", output("trial_id"));
        assertEquals("0.6871", output("metric_value"));
        assertEquals("912", output("max_iter"), "912.0 from the service");
        assertEquals("0.00012745813834071", output("alpha"));
        assertEquals("{\"max_iter\":912,\"alpha\":0.00012745813834071}", output("hyperparameters"));
    }

    @Test
    void aGzipJobFile() throws IOException {
        Path file = tmp.resolve("job.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(LocalTuningServer.document("vertex/succeeded.json"));
        }
        Run run =
                Run.of(
                        "--job-file",
                        file.toString(),
                        "--trial-id-output",
                        outputs.resolve("trial_id/data").toString());
        assertEquals(0, run.code, run.err);
        assertEquals("2", output("trial_id"));
    }

    @Test
    void otherSearchesWriteTheirHyperparametersAsJson() throws IOException {
        String file = documentFile("vertex/other-search.json");
        Run run =
                Run.of(
                        "--job-file",
                        file,
                        "--metric-value-output",
                        outputs.resolve("metric_value/data").toString(),
                        "--trial-id-output",
                        outputs.resolve("trial_id/data").toString(),
                        "--hyperparameters-output",
                        outputs.resolve("hyperparameters/data").toString());

        assertEquals(0, run.code, run.err);
        assertEquals("0.7124", output("metric_value"));
        assertEquals(
                "{\"loss\":\"hinge\",\"tol\":0.00023713737056616554,\"n_iter_no_change\":9}",
                output("hyperparameters"));
    }

    @Test
    void askingForAlphaOfASearchWithoutItFailsAndWritesNothing() throws IOException {
        String file = documentFile("vertex/other-search.json");
        Run run = Run.of(args(allOutputs(), "--job-file", file));

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                "retrieve-best-run: error: Vertex AI hyperparameter tuning job "
                        + "projects/123456789012/locations/us-central1/hyperparameterTuningJobs/1571209383765721088: best trial 2"
                        + " has no hyperparameter 'alpha' (it has: loss, tol, n_iter_no_change)");
        assertFalse(
                anyOutputWritten(),
                "no output, not even metric_value, when one requested output cannot be made");
    }

    @Test
    void withoutOutputsItOnlyPrintsTheChoice() throws IOException {
        Run run = Run.of("--job-file", documentFile("vertex/succeeded.json"));
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains(PREFIX + "best trial 2: accuracy=0.7092"), run.out);
        assertTrue(run.out.strip().endsWith(PREFIX + "no output requested"), run.out);
        assertFalse(anyOutputWritten());
    }

    @Test
    void aMissingJobFile() throws IOException {
        Run run = Run.of("--job-file", tmp.resolve("nope.json").toString());
        assertEquals(1, run.code);
        run.assertOneErrorLine(
                "retrieve-best-run: error: " + tmp.resolve("nope.json") + ": no such file");
    }

    @Test
    void aJobFileThatIsNotJson() throws IOException {
        Path file = tmp.resolve("job.json");
        Files.writeString(file, "state: SUCCEEDED\n");
        Run run = Run.of("--job-file", file.toString());
        assertEquals(1, run.code);
        run.assertOneErrorLine("retrieve-best-run: error: " + file + ": not valid JSON");
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of(), "no job given: use exactly one of"),
                Arguments.of(List.of("--project-id", PROJECT), "--project-id needs --job-id"),
                Arguments.of(aiPlatformJobId("--job-file", "job.json"), "more than one job given"),
                Arguments.of(
                        List.of("--job-name", VERTEX_NAME, "--job-file", "job.json"),
                        "more than one job given"),
                Arguments.of(
                        List.of(
                                "--gcp-resources",
                                gcpResources("https://x/v1/" + VERTEX_NAME),
                                "--job-name",
                                VERTEX_NAME),
                        "more than one job given"),
                Arguments.of(List.of("--gcp-resources", "{not json"), "--gcp-resources: not JSON"),
                Arguments.of(
                        List.of(
                                "--gcp-resources",
                                "{\"resources\": [{\"resourceType\": \"CustomJob\", "
                                        + "\"resourceUri\": \"https://x/v1/projects/p/locations/l/customJobs/1\"}]}"),
                        "--gcp-resources: names 0 HyperparameterTuningJob resources, not exactly one"),
                Arguments.of(
                        List.of("--gcp-resources", gcpResources("https://x/v1/projects/p/jobs/j")),
                        "--gcp-resources: resourceUri 'projects/p/jobs/j' is not a Vertex AI hyperparameter tuning job name"),
                Arguments.of(List.of("--job-id", JOB_ID), "--job-id needs --project-id"),
                Arguments.of(
                        List.of("--project-id", "a/b", "--job-id", JOB_ID),
                        "--project-id/--job-id: 'a/b' is not a valid project id"),
                Arguments.of(
                        List.of("--job-name", "projects/p/jobs/j"),
                        "--job-name: 'projects/p/jobs/j' is not a Vertex AI hyperparameter tuning job name"),
                Arguments.of(
                        List.of("--project-id", "other", "--job-name", VERTEX_NAME),
                        "--project-id other is not the project of --job-name"),
                Arguments.of(
                        List.of(
                                "--job-file",
                                "job.json",
                                "--api-endpoint",
                                "http://127.0.0.1:1/v1/"),
                        "--job-file reads a file"),
                Arguments.of(
                        List.of("--job-file", "https://storage.googleapis.com/bucket/job.json"),
                        "--job-file: unsupported URI scheme"),
                Arguments.of(
                        aiPlatformJobId("--api-endpoint", "http://tuning.example.com/v1/"),
                        "--api-endpoint: refusing to send Google credentials over plain http to tuning.example.com"),
                Arguments.of(
                        aiPlatformJobId("--api-endpoint", "ftp://ml.googleapis.com/v1/"),
                        "--api-endpoint: 'ftp://ml.googleapis.com/v1/' is not an http(s) endpoint"),
                Arguments.of(aiPlatformJobId("--max-retries", "99"), "--max-retries must be 0-20"),
                Arguments.of(
                        aiPlatformJobId("--initial-backoff-ms", "0"),
                        "--initial-backoff-ms must be 1-60000"),
                Arguments.of(
                        aiPlatformJobId("--deadline-seconds", "0"),
                        "--deadline-seconds must be 1-3600, got 0"),
                Arguments.of(
                        aiPlatformJobId("--deadline_seconds", "3601"),
                        "--deadline-seconds must be 1-3600, got 3601"),
                Arguments.of(
                        List.of("--job-file", "job.json", "--deadline-seconds", "0"),
                        "--deadline-seconds must be 1-3600, got 0"),
                Arguments.of(
                        List.of("--job-file", "job.json", "--deadline-seconds", "-1"),
                        "--deadline-seconds must be 1-3600, got -1"),
                Arguments.of(
                        List.of(
                                "--job-file",
                                "gs://b/job.json",
                                "--gcs-deadline",
                                "9223372036854775807"),
                        "--gcs-deadline must be 1..604800 seconds (a week), got 9223372036854775807"),
                Arguments.of(
                        List.of("--job-file", "gs://b/job.json", "--gcs-deadline", "0"),
                        "--gcs-deadline must be 1..604800 seconds (a week), got 0"),
                Arguments.of(
                        List.of("--job-file", "job.json", "--alpha"), "Unknown option: '--alpha'"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrors(List<String> args, String message) {
        Run run = Run.of(args);
        assertEquals(2, run.code, run.err);
        assertTrue(run.err.contains(message), run.err);
        assertTrue(server.paths().isEmpty(), "nothing fetched");
    }

    @Test
    void helpNamesTheSourcesOutputsAndCredentials() {
        Run run = Run.of("--help");
        assertEquals(0, run.code);
        for (String flag :
                List.of(
                        "--project-id",
                        "--job-id",
                        "--job-name",
                        "--job-file",
                        "--api-endpoint",
                        "--no-auth",
                        "--metric-value-output",
                        "--alpha-output",
                        "--max-iter-output",
                        "--trial-id-output",
                        "--hyperparameters-output",
                        "Application Default Credentials",
                        "--deadline-seconds",
                        "Default: 120",
                        "Retry-After",
                        "16 MiB")) {
            assertTrue(run.out.contains(flag), flag + " in\n" + run.out);
        }
    }

    // ---------------------------------------------------------------- a hostile tuning API

    private Run timed(String what, List<String> args) {
        long start = System.nanoTime();
        Run run = Run.of(args);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "retrieve-best-run against a hostile tuning API, %s: exit %d after %d ms: %s%n",
                what, run.code, millis, run.err.strip());
        return new Run(run.code, run.out, run.err, millis);
    }

    @Test
    void aTrickledBodyEndsAtTheDeadlineWithOneLine() throws IOException {
        byte[] document = LocalTuningServer.document("ai-platform/succeeded-unordered.json");
        server.script(AI_PLATFORM_PATH, Reply.trickle(document, Duration.ofSeconds(1)));

        Run run =
                timed(
                        "trickle, 1 byte/s, --deadline-seconds 1",
                        aiPlatformJob("--deadline-seconds", "1"));

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                GET_FAILED
                        + aiPlatformUrl()
                        + ": no whole response within"
                        + " the overall deadline of 1 s (HTTP 200, then ");
        assertTrue(
                run.err
                        .strip()
                        .endsWith(" of " + document.length + " body bytes) (--deadline-seconds)"),
                run.err);
        assertTrue(run.millis >= 1000 && run.millis < 2000, run.millis + " ms");
        assertFalse(anyOutputWritten());
    }

    @Test
    void aStallAfterTheHeadersEndsAtTheDeadlineWithOneLine() throws IOException {
        server.script(
                VERTEX_PATH,
                Reply.stallAfterHeaders(LocalTuningServer.document("vertex/succeeded.json")));

        Run run =
                timed(
                        "stall after headers, --deadline-seconds 1",
                        vertexJob("--deadline-seconds", "1"));

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                GET_FAILED
                        + vertexUrl()
                        + ": no whole response within the overall deadline of 1 s (HTTP 200, then 0 of ");
        assertTrue(run.millis >= 1000 && run.millis < 2000, run.millis + " ms");
        assertFalse(anyOutputWritten());
    }

    @Test
    void anEndlessBodyIsOneLineNamingTheLimit() throws IOException {
        server.script(AI_PLATFORM_PATH, Reply.endless(200));

        Run run = timed("endless body", aiPlatformJob());

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                GET_FAILED
                        + aiPlatformUrl()
                        + ": HTTP 200 with a body larger"
                        + " than the 16 MiB limit of a tuning job document (stopped reading there)");
        assertFalse(anyOutputWritten());
    }

    @Test
    void aRetryAfterOn429IsWaitedAndLogged() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded")
                        .withHeader("Retry-After", "1"),
                ok("ai-platform/succeeded-unordered.json"));

        Run run = timed("429 with Retry-After: 1", aiPlatformJob("--initial-backoff-ms", "1"));

        assertEquals(0, run.code, run.err);
        assertEquals("4", output("trial_id"));
        assertTrue(server.gapBefore(1).toMillis() >= 1000, server.gapBefore(1).toString());
        assertTrue(
                run.out.contains(
                        PREFIX
                                + "HTTP 429 from GET "
                                + aiPlatformUrl()
                                + "; retry 1 of 5 in 1000 ms as the"
                                + " server asks (Retry-After: 1), "),
                run.out);
    }

    @Test
    void aRetryAfterBeyondTheDeadlineFailsAtOnceWithOneLine() throws IOException {
        server.script(
                AI_PLATFORM_PATH,
                Reply.error(503, "UNAVAILABLE", "Down for maintenance")
                        .withHeader("Retry-After", "30"));

        Run run =
                timed(
                        "503 with Retry-After: 30, --deadline-seconds 5",
                        aiPlatformJob("--deadline-seconds", "5"));

        assertEquals(1, run.code);
        run.assertOneErrorLine(
                GET_FAILED
                        + aiPlatformUrl()
                        + ": HTTP 503 Service Unavailable:"
                        + " UNAVAILABLE: Down for maintenance; the server asks to retry in 30 s (Retry-After: 30), past the"
                        + " overall deadline of 5 s (");
        assertTrue(run.err.strip().endsWith(" s left) (--deadline-seconds)"), run.err);
        assertTrue(run.millis < 1000, run.millis + " ms");
        assertEquals(1, server.paths().size());
        assertFalse(anyOutputWritten());
    }

    @Test
    void runningOutOfMemoryInASmallHeapIsOneLine() throws IOException, InterruptedException {
        // 16 MiB of heap cannot hold a body of up to 16 MiB: the program runs out of memory reading
        // it.
        server.script(AI_PLATFORM_PATH, Reply.endless(200));
        List<String> command =
                new ArrayList<>(
                        List.of(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-Xmx16m",
                                "-XX:+UseSerialGC",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                HelperComponents.class.getName(),
                                "retrieve-best-run"));
        command.addAll(aiPlatformJob());
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child ends");
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.printf(
                "retrieve-best-run in a -Xmx16m JVM, endless body: exit %d after %d ms: %s%n",
                process.exitValue(), (System.nanoTime() - start) / 1_000_000, err.strip());

        Run run =
                new Run(
                        process.exitValue(),
                        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                        err,
                        0);
        assertEquals(1, run.code, run.err);
        run.assertOneErrorLine(
                "retrieve-best-run: error: out of memory (Java heap space; the Java heap may grow to ");
        assertFalse(anyOutputWritten());
    }

    /** One run of the program. */
    private record Run(int code, String out, String err, long millis) {
        static Run of(String... args) {
            return of(Arrays.asList(args));
        }

        static Run of(List<String> args) {
            List<String> all = new ArrayList<>();
            all.add("retrieve-best-run");
            all.addAll(args);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code =
                    HelperComponents.run(
                            all.toArray(String[]::new),
                            new PrintWriter(out, true),
                            new PrintWriter(err, true));
            return new Run(code, out.toString(), err.toString(), 0);
        }

        List<String> outLines() {
            return out.lines().toList();
        }

        void assertOneErrorLine(String start) {
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith(start), "expected to start with\n" + start + "\ngot\n" + err);
            assertFalse(err.contains("\tat "), err);
        }
    }
}
