package dev.kfptribuo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serve program as the image runs it: Vertex AI's variables, the exit-code contract, and a
 * graceful stop on SIGTERM that answers the request in flight; in this JVM through the tests' seam
 * where the run ends by itself.
 */
class ServeProcessTest {
    private static final String HEALTH = "/v1/endpoints/1234/deployedModels/5678";
    private static final String PREDICT = HEALTH + ":predict";

    @TempDir static Path shared;
    private static String jobDir;
    private static Served.Rows rows;

    @TempDir Path dir;

    @BeforeAll
    static void train() throws IOException {
        jobDir = shared.resolve("job").toString();
        Served.train(jobDir);
        rows = Served.rows(jobDir);
    }

    private record Run(int code, String log, String err) {}

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code = Serve.run(args, log, new PrintWriter(err, true), env);
        return new Run(code, log.toString(StandardCharsets.UTF_8), err.toString());
    }

    /** A usage error: exit 2, the reason on the first line, then the pointer to --help. */
    private static void assertUsage(Run run, String reason) {
        assertEquals(2, run.code, run.err);
        List<String> lines = run.err.lines().toList();
        assertTrue(lines.get(0).startsWith("serve: error: " + reason), run.err);
        assertEquals(
                List.of("Try 'serve --help' for more information."),
                lines.subList(1, lines.size()),
                run.err);
    }

    /** An InputStream that gives the first part of a body, then blocks until released. */
    private static final class HeldBody extends InputStream {
        private final byte[] body;
        private final int held;
        private final CountDownLatch sent = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private int next;

        HeldBody(byte[] body, int held) {
            this.body = body;
            this.held = held;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (next == held) {
                sent.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            if (next == body.length) {
                return -1;
            }
            int end = next < held ? held : body.length;
            int n = Math.min(length, end - next);
            System.arraycopy(body, next, buffer, offset, n);
            next += n;
            return n;
        }
    }

    @Test
    void servesWithVertexVariablesAndOnSigtermFinishesTheRequestInFlightThenExits()
            throws Exception {
        try (ServeProcess serve =
                ServeProcess.start(
                        dir,
                        Map.of(
                                "AIP_STORAGE_URI",
                                jobDir,
                                "AIP_HEALTH_ROUTE",
                                HEALTH,
                                "AIP_PREDICT_ROUTE",
                                PREDICT,
                                "AIP_MODE",
                                "PREDICTION",
                                "AIP_DEPLOYED_MODEL_ID",
                                "5678"))) {
            double healthy = serve.awaitHealthy(HEALTH, 60);
            assertTrue(healthy < 30, healthy + " s");
            Served.Client client = new Served.Client(serve.port);
            HttpResponse<String> ok =
                    client.post(PREDICT, Served.body(List.of(rows.object(0), rows.array(1))));
            assertEquals(200, ok.statusCode(), ok.body());
            rows.check(0, Served.JSON.readTree(ok.body()).get("predictions").get(0));
            rows.check(1, Served.JSON.readTree(ok.body()).get("predictions").get(1));
            assertEquals(
                    400,
                    client.post(PREDICT, "{\"instances\": [{\"Elevation\": \"high\"}]}")
                            .statusCode());
            assertEquals(
                    404,
                    client.post("/predict", "{}").statusCode(),
                    "the default route is not served");

            // A request whose body is half sent when SIGTERM arrives.
            List<JsonNode> instances = new ArrayList<>();
            for (int row = 100; row < 300; row++) {
                instances.add(rows.object(row));
            }
            byte[] body = Served.body(instances);
            HeldBody held = new HeldBody(body, body.length / 2);
            HttpClient http = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<String>> inFlight =
                    http.sendAsync(
                            HttpRequest.newBuilder(client.uri(PREDICT))
                                    .timeout(Duration.ofSeconds(60))
                                    .POST(
                                            HttpRequest.BodyPublishers.fromPublisher(
                                                    HttpRequest.BodyPublishers.ofInputStream(
                                                            () -> held),
                                                    body.length))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertTrue(held.sent.await(30, TimeUnit.SECONDS));
            Thread.sleep(500); // the server has read the first half
            serve.process.destroy(); // SIGTERM
            serve.awaitOutput("stopping: finishing the requests in flight", 30);
            // No new connections once stopping (the listener closes just after the log line: on a
            // loaded machine a connection may still get in for a moment).
            HttpClient fresh =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            boolean refused = false;
            for (int attempt = 0; attempt < 50 && !refused; attempt++) {
                try {
                    fresh.send(
                            HttpRequest.newBuilder(client.uri(HEALTH)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    Thread.sleep(100);
                } catch (ConnectException e) {
                    refused = true;
                }
            }
            assertTrue(refused, "new connections are refused once stopping");
            assertTrue(serve.process.isAlive(), "serve waits for the request in flight");
            held.release.countDown();
            HttpResponse<String> answered = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, answered.statusCode(), answered.body() + serve.stdout());
            JsonNode predictions = Served.JSON.readTree(answered.body()).get("predictions");
            assertEquals(200, predictions.size());
            for (int row = 100; row < 300; row++) {
                rows.check(row, predictions.get(row - 100));
            }
            assertTrue(serve.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, serve.process.exitValue(), "128 + SIGTERM, after a graceful stop");

            List<String> messages = new ArrayList<>();
            for (String line : serve.stdout().split("\n")) {
                messages.add(Served.JSON.readTree(line).get("message").textValue());
            }
            assertTrue(
                    messages.get(0)
                            .startsWith(
                                    "listening on 0.0.0.0:"
                                            + serve.port
                                            + " (health: GET "
                                            + HEALTH
                                            + ", predictions: POST "
                                            + PREDICT
                                            + ")"),
                    messages.toString());
            assertTrue(
                    messages.stream()
                            .anyMatch(m -> m.startsWith("model loaded from " + jobDir + " in ")),
                    messages.toString());
            int stopping =
                    messages.indexOf("stopping: finishing the requests in flight (at most 25 s)");
            assertEquals(
                    List.of("POST " + PREDICT + " 200 (200 instances)", "stopped"),
                    messages.subList(stopping + 1, messages.size()),
                    messages.toString());
            // One line per request: the three before, the one in flight; the health checks' own.
            assertEquals(
                    List.of(
                            "POST " + PREDICT + " 200 (2 instances)",
                            "POST "
                                    + PREDICT
                                    + " 400: instance 0: column "
                                    + rows.predictor().numericColumns().get(0)
                                    + ": missing",
                            "POST /predict 404: no route /predict: the routes are GET "
                                    + HEALTH
                                    + " and POST "
                                    + PREDICT,
                            "POST " + PREDICT + " 200 (200 instances)"),
                    messages.stream().filter(m -> m.startsWith("POST ")).toList());
            assertEquals("", serve.stderr(), "no stack trace, no warning");
        }
    }

    @Test
    void aModelThatCannotBeLoadedStopsTheServerWithExitCode1AndOneLine() {
        Run run =
                run(Map.of(), "--model-dir", dir.resolve("nothing-here").toString(), "--port", "0");
        assertEquals(1, run.code, run.err);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.startsWith("serve: error: "), run.err);
        assertTrue(run.err.contains("nothing-here"), run.err);
        assertTrue(
                run.log.contains(
                        "\"severity\":\"ERROR\",\"message\":\"the model could not be loaded from "),
                run.log);
        assertTrue(run.log.contains("\"message\":\"stopped\""), run.log);
    }

    @Test
    void aPortInUseIsARuntimeError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            Run run =
                    run(
                            Map.of(
                                    "AIP_HTTP_PORT",
                                    Integer.toString(taken.getLocalPort()),
                                    "AIP_STORAGE_URI",
                                    jobDir));
            assertEquals(1, run.code, run.err);
            assertEquals(
                    "serve: error: I/O: cannot listen on 0.0.0.0:"
                            + taken.getLocalPort()
                            + ": address in use or not available\n",
                    run.err);
        }
    }

    @Test
    void usageErrorsExit2WithTheReason() {
        for (Map.Entry<Map<String, String>, String[]> usage :
                List.of(
                        Map.entry(Map.<String, String>of(), new String[0]),
                        Map.entry(Map.of("AIP_STORAGE_URI", ""), new String[0]),
                        Map.entry(
                                Map.of("AIP_STORAGE_URI", jobDir, "AIP_HTTP_PORT", "eighty"),
                                new String[0]),
                        Map.entry(
                                Map.of("AIP_STORAGE_URI", jobDir),
                                new String[] {"--port", "70000"}),
                        Map.entry(
                                Map.of("AIP_STORAGE_URI", jobDir, "AIP_HEALTH_ROUTE", "health"),
                                new String[0]),
                        Map.entry(
                                Map.of("AIP_STORAGE_URI", jobDir),
                                new String[] {"--max-request-bytes", "0"}),
                        Map.entry(
                                Map.of("AIP_STORAGE_URI", jobDir),
                                new String[] {"--no-such-flag"}))) {
            Run run = run(usage.getKey(), usage.getValue());
            assertEquals(2, run.code, usage + ": " + run.err);
            String reason = run.err.lines().findFirst().orElse("");
            assertFalse(reason.isBlank(), run.err);
            assertFalse(run.log.contains("listening"), "a usage error starts no server");
        }
        assertUsage(
                run(Map.of(), "--max-request-bytes", "0", "--model-dir", jobDir),
                "--max-request-bytes must be at least 1 byte, got 0");
        assertUsage(
                run(Map.of(), "--parallel-predictions", "0", "--model-dir", jobDir),
                "--parallel-predictions must be at least 1, got 0");
        assertUsage(
                run(Map.of(), "--shutdown-timeout", "-1", "--model-dir", jobDir),
                "--shutdown-timeout must be 0..86400 seconds, got -1");
        assertUsage(
                run(Map.of(), "--idle-timeout", "0", "--model-dir", jobDir),
                "--idle-timeout must be 1..86400 seconds, got 0");
        assertUsage(
                run(Map.of("AIP_HTTP_PORT", "eighty", "AIP_STORAGE_URI", jobDir)),
                "AIP_HTTP_PORT='eighty' is not a port number");
        assertUsage(
                run(Map.of(), "--port", "70000", "--model-dir", jobDir),
                "--port must be 0..65535, got 70000");
        assertUsage(
                run(Map.of(), "--port", "-1", "--model-dir", jobDir),
                "--port must be 0..65535, got -1");
        assertUsage(
                run(Map.of("AIP_HTTP_PORT", "65536", "AIP_STORAGE_URI", jobDir)),
                "AIP_HTTP_PORT=65536 is not a port number in 0..65535");
        assertUsage(run(Map.of()), "no model: set AIP_STORAGE_URI or --model-dir");
        Run help = run(Map.of(), "--help");
        assertEquals(0, help.code);
        assertTrue(help.log.contains("Usage: serve"), help.log);
        assertTrue(
                Arrays.stream(
                                new String[] {
                                    "AIP_HTTP_PORT",
                                    "AIP_HEALTH_ROUTE",
                                    "AIP_PREDICT_ROUTE",
                                    "AIP_STORAGE_URI",
                                    "--max-request-bytes"
                                })
                        .allMatch(help.log::contains),
                help.log);
    }
}
