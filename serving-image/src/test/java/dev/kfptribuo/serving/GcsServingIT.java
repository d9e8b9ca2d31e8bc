package dev.kfptribuo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.GcsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model on Cloud Storage, as Vertex AI gives it ({@code AIP_STORAGE_URI}, a {@code gs://}
 * prefix): read through the real Cloud Storage client from a local fake-gcs-server, in this JVM and
 * in serve's own process (the emulator named by {@code STORAGE_EMULATOR_HOST}, as the Cloud Storage
 * clients read it).
 */
@ExtendWith(FakeGcsServer.class)
class GcsServingIT {
    private static final String JOB_DIR = FakeGcsServer.uri("serving/jobs/final");
    private static Served.Rows rows;

    @TempDir Path dir;

    @BeforeAll
    static void trainToCloudStorage() throws IOException {
        Served.train(JOB_DIR);
        rows = Served.rows(JOB_DIR);
    }

    private static void predicts(Served.Client client, String route, int from, int to)
            throws Exception {
        List<JsonNode> instances = new ArrayList<>();
        for (int row = from; row < to; row++) {
            instances.add(row % 2 == 0 ? rows.object(row) : rows.array(row));
        }
        HttpResponse<String> response = client.post(route, Served.body(instances));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode predictions = Served.JSON.readTree(response.body()).get("predictions");
        assertEquals(to - from, predictions.size());
        for (int row = from; row < to; row++) {
            rows.check(row, predictions.get(row - from));
        }
    }

    @Test
    void servesAModelFromAGcsPrefix() throws Exception {
        PredictionServer server =
                new PredictionServer(
                        ServingTest.config(JOB_DIR, 1 << 20),
                        new ServerLog(new ByteArrayOutputStream()));
        server.start();
        try {
            server.load();
            Served.Client client = new Served.Client(server.port());
            for (int from = 0; from < 1000; from += 250) {
                predicts(client, "/predict", from, from + 250);
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void serveReadsAipStorageUriInItsOwnProcess() throws Exception {
        String emulator = System.getProperty(GcsClient.EMULATOR_HOST_PROPERTY);
        try (ServeProcess serve =
                ServeProcess.start(
                        dir,
                        Map.of(
                                "AIP_STORAGE_URI",
                                JOB_DIR,
                                GcsClient.EMULATOR_HOST_ENV,
                                emulator))) {
            serve.awaitHealthy("/health", 60);
            predicts(new Served.Client(serve.port), "/predict", 2000, 2100);
            assertTrue(
                    serve.stdout().contains("\"message\":\"model loaded from " + JOB_DIR + " in "),
                    serve.stdout());
            serve.process.destroy();
            assertTrue(serve.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, serve.process.exitValue());
            assertEquals("", serve.stderr());
        }
    }

    @Test
    void aGcsPrefixWithoutAModelExits1WithOneLine() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        String missing = FakeGcsServer.uri("serving/jobs/none");
        int code =
                Serve.run(
                        new String[] {"--port", "0"},
                        log,
                        new PrintWriter(err, true),
                        Map.of("AIP_STORAGE_URI", missing));
        assertEquals(1, code, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(
                err.toString().startsWith("serve: error: ") && err.toString().contains(missing),
                err.toString());
        assertTrue(
                log.toString(StandardCharsets.UTF_8)
                        .contains("the model could not be loaded from " + missing),
                log.toString());
    }
}
