package dev.kfptribuo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
 * train in KFP v2 mode ({@code --executor-input}): the job_dir parameter and the
 * google.UnmanagedContainerModel artifact at the job dir naming the serving container, once the
 * model is saved; and the executor inputs and flags it refuses with one line and exit 2, before it
 * creates the job dir or reads a row.
 */
class TrainExecutorOutputTest {
    private static final Path SOURCE = Path.of("../data/covertype/covertype_small.csv");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVING_IMAGE =
            "127.0.0.1:5000/kfp-tribuo/serving_image@sha256:" + "3".repeat(64);

    @TempDir static Path shared;
    private static Path training;

    @TempDir Path tmp;

    @BeforeAll
    static void data() throws IOException {
        training = shared.resolve("training.csv");
        Files.write(training, Files.readAllLines(SOURCE).subList(0, 1501));
    }

    private static String executorInput(Path root, boolean withModel) {
        ObjectNode outputs = JSON.createObjectNode();
        outputs.putObject("parameters")
                .putObject("job_dir")
                .put("outputFile", root.resolve("job_dir").toString());
        ObjectNode artifacts = outputs.putObject("artifacts");
        if (withModel) {
            ObjectNode model = artifacts.putObject("model").putArray("artifacts").addObject();
            model.put("name", "model");
            model.putObject("type")
                    .put("schemaTitle", "google.UnmanagedContainerModel")
                    .put("schemaVersion", "0.0.1");
            model.put("uri", "gs://bucket/root/run/train/model");
            model.putObject("metadata");
        }
        outputs.put("outputFile", root.resolve("executor_output.json").toString());
        return JSON.createObjectNode().<ObjectNode>set("outputs", outputs).toString();
    }

    private record Run(int code, String out, List<String> err) {}

    private static Run train(String... args) {
        List<String> all =
                new ArrayList<>(
                        List.of("--training_dataset_path", training.toString(), "--max_iter", "5"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                Train.run(
                        all.toArray(String[]::new),
                        new PrintWriter(out),
                        new PrintWriter(err),
                        Map.of());
        return new Run(code, out.toString(), err.toString().lines().toList());
    }

    /**
     * train into {@code jobDir} with {@link #SERVING_IMAGE}, the {@code more} flags, then an
     * executor input declaring the model artifact, its output files in {@code outputs}.
     */
    private static Run trainV2(Path jobDir, Path outputs, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of("--job-dir", jobDir.toString(), "--serving-image", SERVING_IMAGE));
        args.addAll(List.of(more));
        args.addAll(List.of("--executor-input", executorInput(outputs, true)));
        return train(args.toArray(String[]::new));
    }

    private static List<String> written(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> !p.equals(root))
                    .map(p -> root.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theModelArtifactIsTheJobDirWithItsServingContainer() throws IOException {
        Path root = tmp.resolve("outputs");
        Path jobDir = tmp.resolve("jobdir/run-1");
        Run run = trainV2(jobDir, root);
        assertEquals(0, run.code(), run.err().toString());
        assertTrue(Files.isRegularFile(jobDir.resolve("manifest.json")), "the model is saved");
        assertEquals(List.of("executor_output.json"), written(root));

        JsonNode output = JSON.readTree(root.resolve("executor_output.json").toFile());
        assertEquals(jobDir.toString(), output.at("/parameterValues/job_dir").asText());
        JsonNode model = output.at("/artifacts/model/artifacts/0");
        assertEquals(
                jobDir.toString(),
                model.get("uri").asText(),
                "the artifact is the job dir, not the URI KFP gave it");
        assertEquals("google.UnmanagedContainerModel", model.at("/type/schemaTitle").asText());
        assertEquals(
                JSON.readTree(
                        """
                {"containerSpec": {"imageUri": "%s", "predictRoute": "/predict", "healthRoute": "/health",
                                   "ports": [{"containerPort": 8080}]}}"""
                                .formatted(SERVING_IMAGE)),
                model.get("metadata"));
    }

    @Test
    void theServingRoutesAndPortCanBeOthers() throws IOException {
        Path root = tmp.resolve("outputs");
        Run run =
                train(
                        "--job-dir",
                        tmp.resolve("jobdir").toString(),
                        "--serving-image",
                        "img@sha256:" + "1".repeat(64),
                        "--serving-predict-route",
                        "/v1/predict",
                        "--serving-health-route",
                        "/ready",
                        "--serving-port",
                        "9000",
                        "--executor-input",
                        executorInput(root, true));
        assertEquals(0, run.code(), run.err().toString());
        JsonNode spec =
                JSON.readTree(root.resolve("executor_output.json").toFile())
                        .at("/artifacts/model/artifacts/0/metadata/containerSpec");
        assertEquals("/v1/predict", spec.get("predictRoute").asText());
        assertEquals("/ready", spec.get("healthRoute").asText());
        assertEquals(9000, spec.at("/ports/0/containerPort").asInt());
    }

    @Test
    void refusedWithOneLineAndExit2BeforeTheJobDirIsMade() throws IOException {
        Path root = tmp.resolve("outputs");
        Path jobDir = tmp.resolve("jobdir");
        String[][] cases = {
            {
                "train: error: --executor-input: is not JSON: ",
                "--executor-input",
                "not json",
                "--serving-image",
                SERVING_IMAGE
            },
            {
                "train: error: --executor-input: names no executor output file (outputs.outputFile)",
                "--executor-input",
                "{\"outputs\": {}}",
                "--serving-image",
                SERVING_IMAGE
            },
            {
                "train: error: --executor-input: declares no output artifact model (outputs.artifacts has [])",
                "--executor-input",
                executorInput(root, false),
                "--serving-image",
                SERVING_IMAGE
            },
            {
                "train: error: --executor-input: the executor input names every output; --job-dir-output does not apply",
                "--executor-input",
                executorInput(root, true),
                "--serving-image",
                SERVING_IMAGE,
                "--job-dir-output",
                root.resolve("job_dir").toString()
            },
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("--job-dir", jobDir.toString()));
            args.addAll(List.of(c).subList(1, c.length));
            Run run = train(args.toArray(String[]::new));
            assertEquals(2, run.code(), run.err().toString());
            assertEquals(1, run.err().size(), "one line: " + run.err());
            assertTrue(run.err().get(0).startsWith(c[0]), run.err().toString());
            assertEquals("", run.out(), "nothing read");
            assertFalse(Files.exists(jobDir), "no job dir made");
            assertEquals(List.of(), written(root), "nothing written");
        }
        Run tuning =
                train(
                        "--hptune",
                        "True",
                        "--validation_dataset_path",
                        training.toString(),
                        "--executor-input",
                        executorInput(root, true),
                        "--serving-image",
                        SERVING_IMAGE);
        assertEquals(2, tuning.code());
        assertEquals(
                List.of(
                        "train: error: --executor-input: tuning mode (--hptune True) saves no model, so it has no "
                                + "outputs: the v2 spec runs final mode"),
                tuning.err());
        assertEquals(List.of(), written(root));
    }

    @Test
    void anExecutorOutputFileInsideTheJobDirIsAUsageErrorBeforeTheJobDirIsMade()
            throws IOException {
        Path jobDir = tmp.resolve("jobdir");
        Run run = trainV2(jobDir, jobDir);
        assertEquals(2, run.code(), run.err().toString());
        assertEquals(
                List.of(
                        "train: error: --executor-input outputs.outputFile "
                                + jobDir.resolve("executor_output.json")
                                + " lies inside --job-dir "
                                + jobDir
                                + "; train saves the model there, so give the output a path outside it",
                        "Try 'train --help' for more information."),
                run.err());
        assertEquals("", run.out(), "nothing read");
        assertFalse(Files.exists(jobDir), "no job dir made");
    }

    @Test
    void theServingImageGoesWithTheExecutorInput() throws IOException {
        Path root = tmp.resolve("outputs");
        Path jobDir = tmp.resolve("jobdir");
        Run missing =
                train(
                        "--job-dir",
                        jobDir.toString(),
                        "--executor-input",
                        executorInput(root, true));
        assertEquals(2, missing.code());
        assertTrue(
                missing.err()
                        .get(0)
                        .startsWith("train: error: --executor-input needs --serving-image"),
                missing.err().toString());
        Run alone = train("--job-dir", jobDir.toString(), "--serving-image", SERVING_IMAGE);
        assertEquals(2, alone.code());
        assertTrue(
                alone.err()
                        .get(0)
                        .startsWith(
                                "train: error: --serving-image names the serving container of the KFP "
                                        + "v2 model artifact: it needs --executor-input"),
                alone.err().toString());
        Run badRoute = trainV2(jobDir, root, "--serving-predict-route", "predict");
        assertEquals(2, badRoute.code());
        assertTrue(
                badRoute.err().get(0).contains("a serving route starts with '/'"),
                badRoute.err().toString());
        for (String port : new String[] {"0", "70000"}) {
            Run badPort = trainV2(jobDir, root, "--serving-port", port);
            assertEquals(2, badPort.code());
            assertEquals(
                    List.of(
                            "train: error: --serving-port must be 1-65535, got " + port,
                            "Try 'train --help' for more information."),
                    badPort.err());
        }
        assertFalse(Files.exists(jobDir));
        assertEquals(List.of(), written(root));
    }
}
