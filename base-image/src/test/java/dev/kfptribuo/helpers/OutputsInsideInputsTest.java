package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helpers refuse an output that lies inside a directory they read or write, or that is an input
 * file they read: a usage error naming both (exit 2, two lines), before anything is read, so that
 * the model, the data and the job document stay as they were.
 */
class OutputsInsideInputsTest {
    private static final Path TESTING =
            Path.of("..", "data", "covertype", "covertype_validation.csv");
    private static final Path JOB_DOCUMENT =
            Path.of(
                    "..",
                    "components",
                    "src",
                    "test",
                    "resources",
                    "tuning",
                    "ai-platform",
                    "succeeded-ordered.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;
    private static Path jobDir;
    private static Path baselineDir;

    @TempDir Path dir;
    private Path testing;
    private Map<Path, String> before;

    @BeforeAll
    static void train() {
        jobDir = shared.resolve("job");
        baselineDir = shared.resolve("baseline");
        for (Path job : List.of(jobDir, baselineDir)) {
            TrainRuns.train(job, 5);
        }
    }

    @BeforeEach
    void copyInputs() throws IOException {
        testing = Files.copy(TESTING, dir.resolve("testing.csv"));
        Files.copy(JOB_DOCUMENT, dir.resolve("job.json"));
        before = digests();
    }

    /** Every file of the model dirs and the test's directory, with a digest of its bytes. */
    private Map<Path, String> digests() throws IOException {
        Map<Path, String> files = new TreeMap<>();
        for (Path root : List.of(shared, dir)) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path file : all.filter(Files::isRegularFile).toList()) {
                    files.put(
                            file,
                            HexFormat.of()
                                    .formatHex(
                                            java.security.MessageDigest.getInstance("SHA-256")
                                                    .digest(Files.readAllBytes(file))));
                }
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return files;
    }

    /**
     * Runs a subcommand and checks it was refused with exactly this reason, reading and writing
     * nothing.
     */
    private void assertRefused(String reason, String command, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                HelperComponents.run(
                        all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        assertEquals(2, code, err.toString());
        assertEquals(
                List.of(
                        command + ": error: " + reason,
                        "Try 'helpers " + command + " --help' for more information."),
                err.toString().lines().toList());
        assertEquals("", out.toString(), "nothing read");
        assertEquals(before, digests(), "nothing written");
    }

    /**
     * An executor input naming the output file, the parameters and the artifacts ({@code
     * name:schemaTitle}).
     */
    private static String executorInput(
            Object outputFile, List<String> artifacts, String... parameters) {
        ObjectNode outputs = JSON.createObjectNode();
        ObjectNode declared = outputs.putObject("parameters");
        for (String parameter : parameters) {
            declared.putObject(parameter).put("outputFile", "/tmp/unused/" + parameter);
        }
        ObjectNode artifactNodes = outputs.putObject("artifacts");
        for (String artifact : artifacts) {
            String[] nameAndType = artifact.split(":");
            ObjectNode node =
                    artifactNodes.putObject(nameAndType[0]).putArray("artifacts").addObject();
            node.put("name", nameAndType[0]);
            node.putObject("type").put("schemaTitle", nameAndType[1]);
            node.put("uri", "gs://bucket/root/" + nameAndType[0]);
            node.putObject("metadata");
        }
        outputs.put("outputFile", outputFile.toString());
        return JSON.createObjectNode().<ObjectNode>set("outputs", outputs).toString();
    }

    @Test
    void evaluateModelRefusesAnOutputInsideTheModelOrTheBaselineOrOnTheData() throws IOException {
        Path manifest = jobDir.resolve("manifest.json");
        assertRefused(
                "--metric-value-output "
                        + manifest
                        + " lies inside --model-path "
                        + jobDir
                        + "; evaluate-model reads the model there, so give the output a path outside it",
                "evaluate-model",
                "--dataset-path",
                testing.toString(),
                "--model-path",
                jobDir.toString(),
                "--metric-value-output",
                manifest.toString());
        Path ui = baselineDir.resolve("ui/metadata.json");
        assertRefused(
                "--mlpipeline-ui-metadata-output "
                        + ui
                        + " lies inside --baseline-model-path "
                        + baselineDir
                        + "; evaluate-model reads the baseline model there, so give the output a path outside it",
                "evaluate-model",
                "--dataset-path",
                testing.toString(),
                "--model-path",
                jobDir.toString(),
                "--baseline-model-path",
                baselineDir.toString(),
                "--mlpipeline-ui-metadata-output",
                ui.toString());
        assertRefused(
                "--metric-name-output "
                        + testing
                        + " is --dataset-path "
                        + testing
                        + "; evaluate-model reads it, so give the output another path",
                "evaluate-model",
                "--dataset-path",
                dir.resolve("test*.csv").toString(),
                "--model-path",
                jobDir.toString(),
                "--metric-name-output",
                testing.toString());
        Path executorOutput = jobDir.resolve("executor_output.json");
        assertRefused(
                "--executor-input outputs.outputFile "
                        + executorOutput
                        + " lies inside --model-path "
                        + jobDir
                        + "; evaluate-model reads the model there, so give the output a path outside it",
                "evaluate-model",
                "--dataset-path",
                testing.toString(),
                "--model-path",
                jobDir.toString(),
                "--executor-input",
                executorInput(
                        executorOutput,
                        List.of(
                                "metrics:system.Metrics",
                                "classification_metrics:system.ClassificationMetrics"),
                        "metric_name",
                        "metric_value",
                        "baseline_metric_value",
                        "metric_improvement"));
    }

    @Test
    void batchPredictRefusesAnOutputInsideTheModelOrThePredictionsOrOnTheData() throws IOException {
        Path predictions = dir.resolve("predictions");
        Path inModel = jobDir.resolve("predicted_rows");
        assertRefused(
                "--predicted-rows-output "
                        + inModel
                        + " lies inside --model-path "
                        + jobDir
                        + "; batch-predict reads the model there, so give the output a path outside it",
                "batch-predict",
                "--dataset-path",
                testing.toString(),
                "--model-path",
                jobDir.toString(),
                "--predictions-dir",
                predictions.toString(),
                "--predicted-rows-output",
                inModel.toString());
        Path inPredictions = predictions.resolve("bad_rows");
        assertRefused(
                "--bad-rows-output "
                        + inPredictions
                        + " lies inside --predictions-dir "
                        + predictions
                        + "; batch-predict writes the predictions there, so give the output a path outside it",
                "batch-predict",
                "--dataset-path",
                testing.toString(),
                "--model-path",
                jobDir.toString(),
                "--predictions-dir",
                predictions.toString(),
                "--bad-rows-output",
                inPredictions.toString());
        assertRefused(
                "--bad-rows-output "
                        + testing
                        + " is --dataset-path "
                        + testing
                        + "; batch-predict reads it, so give the output another path",
                "batch-predict",
                "--dataset-path",
                testing.toString(),
                "--model-path",
                jobDir.toString(),
                "--predictions-dir",
                predictions.toString(),
                "--bad-rows-output",
                testing.toString());
        assertRefused(
                "--executor-input outputs.outputFile gs://bucket/root/predictions/executor_output.json lies inside "
                        + "--executor-input's predictions artifact gs://bucket/root/predictions; batch-predict writes the "
                        + "predictions there, so give the output a path outside it",
                "batch-predict",
                "--dataset-path",
                testing.toString(),
                "--model-path",
                jobDir.toString(),
                "--executor-input",
                executorInput(
                        "gs://bucket/root/predictions/executor_output.json",
                        List.of("predictions:system.Dataset"),
                        "predicted_rows",
                        "bad_rows"));
        assertFalse(Files.exists(predictions));
    }

    @Test
    void retrieveBestRunRefusesAnOutputOnTheJobFile() throws IOException {
        Path job = dir.resolve("job.json");
        assertRefused(
                "--hyperparameters-output "
                        + job
                        + " is --job-file "
                        + job
                        + "; retrieve-best-run reads it, so give the output another path",
                "retrieve-best-run",
                "--job-file",
                job.toString(),
                "--alpha-output",
                dir.resolve("alpha").toString(),
                "--hyperparameters-output",
                job.toString());
        assertRefused(
                "--executor-input outputs.outputFile "
                        + job
                        + " is --job-file "
                        + job
                        + "; retrieve-best-run reads it, so give the output another path",
                "retrieve-best-run",
                "--job-file",
                job.toString(),
                "--executor-input",
                executorInput(
                        job,
                        List.of(),
                        "metric_value",
                        "alpha",
                        "max_iter",
                        "trial_id",
                        "hyperparameters"));
    }
}
