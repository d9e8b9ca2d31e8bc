package dev.kfptribuo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --registry DIR --model ID}: the version of a local registry's model deployed last,
 * as bin/continuous-training deploys it. The registry here is made file by file as its reader
 * documents the layout (components' {@code registry.ModelRegistryReader}; local-run's deploys write
 * it, and nothing may depend on local-run): two versions holding two different models, {@code
 * current.json} naming the second.
 */
class ServingRegistryTest {
    private static final String MODEL = "covertype_classifier";

    @TempDir static Path shared;
    private static Path registry;
    private static Served.Rows first;
    private static Served.Rows second;

    @TempDir Path dir;

    @BeforeAll
    static void deployTwoVersions() throws IOException {
        String a = shared.resolve("job-a").toString();
        String b = shared.resolve("job-b").toString();
        Served.train(a, "--max_iter", "3", "--tol", "none");
        Served.train(b, "--max_iter", "50");
        first = Served.rows(a);
        second = Served.rows(b);
        registry = shared.resolve("model-registry");
        Path modelDir = registry.resolve(MODEL);
        publish(
                modelDir,
                "v01",
                "v01.20261130T141526123Z.1a2b3c4d",
                Path.of(a),
                "2026-11-30T14:15:26.123Z");
        publish(
                modelDir,
                "v02",
                "v02.20261201T090000000Z.0badcafe",
                Path.of(b),
                "2026-12-01T09:00:00Z");
        Files.writeString(modelDir.resolve("current.json"), "{\"version\": \"v02\"}");
    }

    /**
     * A version directory (the job dir's files and version.json), then its pointer, as a deploy
     * writes them.
     */
    private static void publish(
            Path modelDir, String version, String directory, Path jobDir, String time)
            throws IOException {
        Path target = modelDir.resolve(directory);
        try (Stream<Path> files = Files.walk(jobDir)) {
            for (Path file :
                    files.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .toList()) {
                Path copy = target.resolve(jobDir.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
        }
        Files.writeString(
                target.resolve("version.json"),
                "{\"name\": \"models/"
                        + MODEL
                        + "/versions/"
                        + version
                        + "\", \"createTime\": \""
                        + time
                        + "\"}");
        Files.writeString(
                modelDir.resolve(version + ".version"),
                "{\"version\": \""
                        + version
                        + "\", \"directory\": \""
                        + directory
                        + "\", \"deployTime\": \""
                        + time
                        + "\", \"retired\": []}");
    }

    /**
     * Starts serve in its own JVM with the flags and checks rows 0..49 get the given model's
     * predictions.
     */
    private void servesRowsOf(Served.Rows rows, String expectedVersion, String... flags)
            throws Exception {
        try (ServeProcess serve = ServeProcess.start(dir, Map.of(), flags)) {
            serve.awaitHealthy("/health", 60);
            List<JsonNode> instances = new ArrayList<>();
            for (int row = 0; row < 50; row++) {
                instances.add(rows.object(row));
            }
            HttpResponse<String> response =
                    new Served.Client(serve.port).post("/predict", Served.body(instances));
            assertEquals(200, response.statusCode(), response.body());
            JsonNode predictions = Served.JSON.readTree(response.body()).get("predictions");
            for (int row = 0; row < 50; row++) {
                rows.check(row, predictions.get(row));
            }
            assertTrue(
                    serve.stdout().contains("serving " + MODEL + "/" + expectedVersion),
                    serve.stdout());
        }
    }

    @Test
    void theTwoVersionsHoldDifferentModels() {
        assertNotEquals(first.expected().scores()[0][0], second.expected().scores()[0][0]);
    }

    @Test
    void servesTheVersionDeployedLast() throws Exception {
        servesRowsOf(second, "v02", "--registry", registry.toString(), "--model", MODEL);
    }

    @Test
    void servesAGivenVersionAndNormalisesIdsAsDeploysDo() throws Exception {
        servesRowsOf(
                first,
                "v01",
                "--registry",
                registry.toString(),
                "--model",
                "covertype-classifier",
                "--model-version",
                "v01");
    }

    @Test
    void withoutCurrentJsonTheNewestVersionIsServed() throws Exception {
        // A first deploy stopped between the version's pointer and current.json: the reader takes
        // the newest.
        Path copy = dir.resolve("registry-without-current");
        try (Stream<Path> files = Files.walk(registry)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (!file.getFileName().toString().equals("current.json")) {
                    Path target = copy.resolve(registry.relativize(file).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                }
            }
        }
        servesRowsOf(second, "v02", "--registry", copy.toString(), "--model", MODEL);
    }

    private record Run(int code, String log, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code = Serve.run(args, log, new PrintWriter(err, true), Map.of());
        return new Run(code, log.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void aModelOrVersionThatIsNotDeployedExits1WithOneLine() throws IOException {
        Run none = run("--registry", registry.toString(), "--model", "other", "--port", "0");
        assertEquals(1, none.code, none.err);
        assertEquals(
                "serve: error: no version of model other is deployed in "
                        + registry.toAbsolutePath()
                        + " (bin/continuous-training deploys there)\n",
                none.err);
        assertTrue(none.log.contains("\"severity\":\"ERROR\""), none.log);
        assertFalse(none.log.contains("listening"), "no server is started");

        Run version =
                run(
                        "--registry",
                        registry.toString(),
                        "--model",
                        MODEL,
                        "--model-version",
                        "v09",
                        "--port",
                        "0");
        assertEquals(1, version.code, version.err);
        assertTrue(
                version.err.startsWith(
                        "serve: error: version v09 of model " + MODEL + " is not deployed in "),
                version.err);

        Run missing =
                run(
                        "--registry",
                        dir.resolve("no-registry").toString(),
                        "--model",
                        MODEL,
                        "--port",
                        "0");
        assertEquals(1, missing.code, missing.err);
        assertEquals(1, missing.err.lines().count(), missing.err);

        // A pointer naming no whole directory is an error naming the pointer, not "not deployed".
        Path broken = dir.resolve("broken").resolve(MODEL);
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("current.json"), "{\"version\": \"v01\"}");
        Files.writeString(
                broken.resolve("v01.version"),
                "{\"version\": \"v01\", \"directory\": "
                        + "\"v01.20261130T141526123Z.1a2b3c4d\", \"deployTime\": \"2026-11-30T14:15:26Z\", \"retired\": []}");
        Run dangling =
                run(
                        "--registry",
                        dir.resolve("broken").toString(),
                        "--model",
                        MODEL,
                        "--port",
                        "0");
        assertEquals(1, dangling.code, dangling.err);
        assertTrue(
                dangling.err.contains(
                        "v01.version: names v01.20261130T141526123Z.1a2b3c4d, which is not a whole "
                                + "version directory"),
                dangling.err);
    }

    @Test
    void usageErrorsExit2() {
        for (String[] args :
                List.of(
                        new String[] {"--registry", "runs/model-registry"},
                        new String[] {
                            "--registry",
                            "runs/model-registry",
                            "--model",
                            MODEL,
                            "--model-dir",
                            "job"
                        },
                        new String[] {"--model", MODEL, "--model-dir", "job"},
                        new String[] {"--model-version", "v01", "--model-dir", "job"})) {
            Run run = run(args);
            assertEquals(2, run.code, String.join(" ", args) + ": " + run.err);
            assertFalse(run.log.contains("listening"), run.log);
        }
        assertTrue(
                run("--registry", "r")
                        .err
                        .startsWith(
                                "serve: error: --registry needs --model, the id of the model to serve"));
        assertTrue(
                run("--model", MODEL)
                        .err
                        .startsWith(
                                "serve: error: --model chooses a model of a local registry: give --registry DIR too"));
        assertTrue(
                run("--registry", "r", "--model", MODEL, "--model-dir", "j")
                        .err
                        .startsWith(
                                "serve: error: --registry and --model-dir each name a model: give one"));
    }
}
