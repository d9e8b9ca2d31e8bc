package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helpers in KFP v2 mode ({@code --executor-input}): the executor output each writes, against
 * what the same command writes as KFP v1 output files, and the executor inputs they refuse with one
 * line and exit 2, writing nothing.
 */
class ExecutorOutputTest {
    private static final Path JOBS =
            Path.of("..", "components", "src", "test", "resources", "tuning");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads numbers as the decimals written, so that a test sees their text. */
    private static final ObjectMapper EXACT =
            JsonMapper.builder()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                    .build();

    private static final Map<String, String> EVALUATE_ARTIFACTS =
            Map.of(
                    "metrics",
                    "system.Metrics",
                    "classification_metrics",
                    "system.ClassificationMetrics");
    private static final List<String> EVALUATE_PARAMETERS =
            List.of("metric_name", "metric_value", "baseline_metric_value", "metric_improvement");
    private static final List<String> BATCH_PREDICT_PARAMETERS =
            List.of("predicted_rows", "bad_rows");

    @TempDir static Path shared;
    private static Path jobDir;
    private static Path test;

    @TempDir Path tmp;

    @BeforeAll
    static void train() throws IOException {
        TrainRuns.Split split = TrainRuns.split(shared, 5001, 7001, "--max_iter", "20");
        jobDir = split.jobDir();
        test = split.test();
    }

    /**
     * An executor input as KFP's launcher makes one: each output parameter with an outputFile, each
     * artifact with a URI under {@code root}, the executor output file {@code
     * root/executor_output.json}.
     */
    static String executorInput(Path root, List<String> parameters, Map<String, String> artifacts) {
        ObjectNode outputs = JSON.createObjectNode();
        ObjectNode parameterSpecs = outputs.putObject("parameters");
        for (String name : parameters) {
            parameterSpecs.putObject(name).put("outputFile", root.resolve(name).toString());
        }
        ObjectNode artifactSpecs = outputs.putObject("artifacts");
        artifacts.forEach(
                (name, type) -> {
                    ObjectNode artifact =
                            artifactSpecs.putObject(name).putArray("artifacts").addObject();
                    artifact.put("name", name);
                    artifact.putObject("type")
                            .put("schemaTitle", type)
                            .put("schemaVersion", "0.0.1");
                    artifact.put("uri", root.resolve(name).toString());
                    artifact.putObject("metadata");
                });
        outputs.put("outputFile", root.resolve("executor_output.json").toString());
        ObjectNode root_ = JSON.createObjectNode();
        root_.putObject("inputs").putObject("parameterValues");
        root_.set("outputs", outputs);
        return root_.toString();
    }

    record Run(int code, String out, List<String> err) {}

    static Run helpers(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HelperComponents.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString().lines().toList());
    }

    /** The run of {@code helpers FIRST MORE}. */
    private static Run helpers(List<String> first, String... more) {
        List<String> args = new ArrayList<>(first);
        args.addAll(List.of(more));
        return helpers(args.toArray(String[]::new));
    }

    /** {@code command} of the test rows with the trained model, then {@code more}. */
    private static Run onTheTestRows(String command, String... more) {
        return helpers(
                List.of(
                        command,
                        "--dataset-path",
                        test.toString(),
                        "--model-path",
                        jobDir.toString()),
                more);
    }

    /** evaluate-model of the test rows with the trained model, then {@code more}. */
    private static Run evaluate(String... more) {
        return onTheTestRows("evaluate-model", more);
    }

    /** batch-predict of the test rows with the trained model, then {@code more}. */
    private static Run batchPredict(String... more) {
        return onTheTestRows("batch-predict", more);
    }

    /** retrieve-best-run of the succeeded Vertex AI job's file, then {@code more}. */
    private static Run retrieveBestRun(String... more) {
        return helpers(
                List.of(
                        "retrieve-best-run",
                        "--job-file",
                        JOBS.resolve("vertex/succeeded.json").toString()),
                more);
    }

    /** An executor input naming every output of evaluate-model's v2 spec. */
    private static String evaluateExecutorInput(Path root) {
        return executorInput(root, EVALUATE_PARAMETERS, EVALUATE_ARTIFACTS);
    }

    /** An executor input naming every output of batch-predict's v2 spec. */
    private static String batchPredictExecutorInput(Path root) {
        return executorInput(
                root, BATCH_PREDICT_PARAMETERS, Map.of("predictions", "system.Dataset"));
    }

    private static JsonNode executorOutput(Path root) throws IOException {
        return EXACT.readTree(root.resolve("executor_output.json").toFile());
    }

    /** A number's text as written: a plain decimal, or an integer. */
    private static String text(JsonNode number) {
        assertTrue(number.isNumber(), number.toString());
        return number.isIntegralNumber() ? number.asText() : number.decimalValue().toPlainString();
    }

    /** Every file under a folder, relative: what a run wrote there. */
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
    void evaluateModelWritesItsParametersAndTheMetricsArtifacts() throws IOException {
        Path v1 = tmp.resolve("v1");
        Run files =
                evaluate(
                        "--metric-value-output",
                        v1.resolve("metric_value").toString(),
                        "--mlpipeline-metrics-output",
                        v1.resolve("metrics.json").toString(),
                        "--mlpipeline-ui-metadata-output",
                        v1.resolve("ui.json").toString());
        assertEquals(0, files.code(), files.err().toString());

        Path root = tmp.resolve("v2");
        Run run = evaluate("--executor-input", evaluateExecutorInput(root));
        assertEquals(0, run.code(), run.err().toString());
        assertEquals(
                List.of("executor_output.json"),
                written(root),
                "one file: no parameter files, nothing at the URIs");

        JsonNode output = executorOutput(root);
        JsonNode parameters = output.get("parameterValues");
        assertEquals(new TreeSet<>(EVALUATE_PARAMETERS), fieldNames(parameters));
        assertEquals("accuracy", parameters.get("metric_name").asText());
        assertEquals(
                Files.readString(v1.resolve("metric_value")),
                text(parameters.get("metric_value")),
                "the same plain decimal as the KFP v1 output file");
        assertEquals(
                0.0,
                parameters.get("baseline_metric_value").asDouble(),
                "no baseline: the worst value");
        assertEquals(
                text(parameters.get("metric_value")), text(parameters.get("metric_improvement")));

        // system.Metrics: every metric of the KFP v1 metrics file, with its value.
        JsonNode metrics = output.at("/artifacts/metrics/artifacts/0");
        assertEquals(root.resolve("metrics").toString(), metrics.get("uri").asText());
        assertEquals("system.Metrics", metrics.at("/type/schemaTitle").asText());
        Map<String, Double> expected = new LinkedHashMap<>();
        for (JsonNode metric : JSON.readTree(v1.resolve("metrics.json").toFile()).get("metrics")) {
            expected.put(metric.get("name").asText(), metric.get("numberValue").asDouble());
        }
        Map<String, Double> actual = new LinkedHashMap<>();
        metrics.get("metadata")
                .fields()
                .forEachRemaining(e -> actual.put(e.getKey(), e.getValue().asDouble()));
        assertEquals(expected, actual);

        // system.ClassificationMetrics: the KFP v1 confusion matrix's labels and counts, as
        // log_confusion_matrix writes them.
        JsonNode confusion =
                output.at("/artifacts/classification_metrics/artifacts/0/metadata/confusionMatrix");
        JsonNode viewer = JSON.readTree(v1.resolve("ui.json").toFile()).get("outputs").get(0);
        List<String> labels = new ArrayList<>();
        viewer.get("labels").forEach(l -> labels.add(l.asText()));
        List<String> names = new ArrayList<>();
        confusion.get("annotationSpecs").forEach(s -> names.add(s.get("displayName").asText()));
        assertEquals(labels, names);
        Map<String, Long> cells = new HashMap<>();
        for (String line : viewer.get("source").asText().split("\n")) {
            String[] parts = line.split(",");
            cells.put(parts[0] + "," + parts[1], Long.parseLong(parts[2]));
        }
        long total = 0;
        for (int t = 0; t < labels.size(); t++) {
            JsonNode row = confusion.get("rows").get(t).get("row");
            assertEquals(labels.size(), row.size());
            for (int p = 0; p < labels.size(); p++) {
                assertEquals(
                        cells.get(labels.get(t) + "," + labels.get(p)),
                        row.get(p).asLong(),
                        "cell " + t + "," + p);
                total += row.get(p).asLong();
            }
        }
        assertEquals(2000, total);
    }

    @Test
    void evaluateModelAgainstABaselineGivesItsMetricAndTheImprovement() throws IOException {
        Path root = tmp.resolve("v2");
        Run run =
                evaluate(
                        "--baseline-model-path",
                        jobDir.toString(),
                        "--metric-name",
                        "f1_macro",
                        "--executor-input",
                        evaluateExecutorInput(root));
        assertEquals(0, run.code(), run.err().toString());
        JsonNode parameters = executorOutput(root).get("parameterValues");
        assertEquals("f1_macro", parameters.get("metric_name").asText());
        assertEquals(
                parameters.get("metric_value").asDouble(),
                parameters.get("baseline_metric_value").asDouble());
        assertEquals(
                "0.0",
                text(parameters.get("metric_improvement")),
                "the same model: no improvement");
    }

    @Test
    void retrieveBestRunWritesItsFiveParameters() throws IOException {
        Path root = tmp.resolve("v2");
        List<String> outputs =
                List.of("metric_value", "alpha", "max_iter", "trial_id", "hyperparameters");
        Run run = retrieveBestRun("--executor-input", executorInput(root, outputs, Map.of()));
        assertEquals(0, run.code(), run.err().toString());
        assertEquals(List.of("executor_output.json"), written(root));
        JsonNode output = executorOutput(root);
        assertEquals(List.of("parameterValues"), List.copyOf(fieldNames(output)));
        JsonNode parameters = output.get("parameterValues");
        assertEquals(new TreeSet<>(outputs), fieldNames(parameters));

        Path v1 = tmp.resolve("v1");
        Run files =
                retrieveBestRun(
                        "--metric-value-output",
                        v1.resolve("metric_value").toString(),
                        "--alpha-output",
                        v1.resolve("alpha").toString(),
                        "--max-iter-output",
                        v1.resolve("max_iter").toString(),
                        "--trial-id-output",
                        v1.resolve("trial_id").toString(),
                        "--hyperparameters-output",
                        v1.resolve("hyperparameters").toString());
        assertEquals(0, files.code(), files.err().toString());
        for (String name : List.of("metric_value", "alpha", "max_iter")) {
            assertEquals(Files.readString(v1.resolve(name)), text(parameters.get(name)), name);
        }
        assertTrue(parameters.get("max_iter").isIntegralNumber(), parameters.toString());
        assertEquals(Files.readString(v1.resolve("trial_id")), parameters.get("trial_id").asText());
        assertEquals(
                EXACT.readTree(v1.resolve("hyperparameters").toFile()),
                parameters.get("hyperparameters"));
    }

    @Test
    void batchPredictWritesThePredictionsAtTheDatasetsUri() throws IOException {
        Path root = tmp.resolve("v2");
        Run run =
                batchPredict(
                        "--rows-per-shard",
                        "1500",
                        "--executor-input",
                        batchPredictExecutorInput(root));
        assertEquals(0, run.code(), run.err().toString());
        assertEquals(
                List.of(
                        "executor_output.json",
                        "predictions",
                        "predictions/prediction.results-00000-of-00002",
                        "predictions/prediction.results-00001-of-00002"),
                written(root));
        JsonNode output = executorOutput(root);
        assertEquals(2000, output.at("/parameterValues/predicted_rows").asLong());
        assertEquals(0, output.at("/parameterValues/bad_rows").asLong());
        JsonNode predictions = output.at("/artifacts/predictions/artifacts/0");
        assertEquals(root.resolve("predictions").toString(), predictions.get("uri").asText());
        assertEquals("system.Dataset", predictions.at("/type/schemaTitle").asText());
    }

    @Test
    void unusableExecutorInputIsOneLineAndExit2AndNothingIsWritten() throws IOException {
        Path root = tmp.resolve("v2");
        String noClassificationMetrics =
                executorInput(root, EVALUATE_PARAMETERS, Map.of("metrics", "system.Metrics"));
        String noMetricName =
                executorInput(root, EVALUATE_PARAMETERS.subList(1, 4), EVALUATE_ARTIFACTS);
        String wrongType =
                executorInput(
                        root,
                        EVALUATE_PARAMETERS,
                        Map.of(
                                "metrics",
                                "system.Metrics",
                                "classification_metrics",
                                "system.Metrics"));
        String noOutputFile = "{\"outputs\": {\"parameters\": {}}}";
        String[][] cases = {
            {"{{$}}", "evaluate-model: error: --executor-input: is not JSON: "},
            {"", "evaluate-model: error: --executor-input: is empty"},
            {
                noOutputFile,
                "evaluate-model: error: --executor-input: names no executor output file (outputs.outputFile)"
            },
            {
                noClassificationMetrics,
                "evaluate-model: error: --executor-input: declares no output artifact "
                        + "classification_metrics (outputs.artifacts has [metrics])"
            },
            {
                noMetricName,
                "evaluate-model: error: --executor-input: declares no output parameter metric_name"
            },
            {
                wrongType,
                "evaluate-model: error: --executor-input: output artifact classification_metrics is a "
                        + "system.Metrics, not a system.ClassificationMetrics"
            },
        };
        for (String[] c : cases) {
            Run run = evaluate("--executor-input", c[0]);
            assertEquals(2, run.code(), c[0] + ": " + run.err());
            assertEquals(1, run.err().size(), "one line: " + run.err());
            assertTrue(run.err().get(0).startsWith(c[1]), c[0] + ": " + run.err());
            assertEquals("", run.out(), "failed before reading anything");
            assertEquals(List.of(), written(root), "nothing written");
        }
        // A KFP v1 output flag with the executor input, for each helper.
        Run both =
                evaluate(
                        "--executor-input",
                        evaluateExecutorInput(root),
                        "--metric-value-output",
                        root.resolve("v").toString());
        assertEquals(2, both.code());
        assertEquals(
                List.of(
                        "evaluate-model: error: --executor-input: the executor input names every output; "
                                + "--metric-value-output does not apply with it"),
                both.err());
        Run retrieve =
                retrieveBestRun(
                        "--executor-input",
                        executorInput(root, List.of("metric_value", "alpha"), Map.of()));
        assertEquals(2, retrieve.code());
        assertEquals(
                List.of(
                        "retrieve-best-run: error: --executor-input: declares no output parameter max_iter "
                                + "(outputs.parameters has [metric_value, alpha]): is the step's spec this component's v2 spec?"),
                retrieve.err());
        Run predict =
                batchPredict(
                        "--predictions-dir",
                        root.resolve("p").toString(),
                        "--executor-input",
                        batchPredictExecutorInput(root));
        assertEquals(2, predict.code());
        assertEquals(
                List.of(
                        "batch-predict: error: --executor-input: the executor input names every output; "
                                + "--predictions-dir does not apply with it"),
                predict.err());
        Run noDataset =
                batchPredict(
                        "--executor-input",
                        executorInput(root, BATCH_PREDICT_PARAMETERS, Map.of()));
        assertEquals(2, noDataset.code());
        assertEquals(1, noDataset.err().size(), noDataset.err().toString());
        assertEquals(List.of(), written(root), "nothing written");
    }

    @Test
    void batchPredictStillNeedsAPredictionsDirWithoutIt() {
        Run run = batchPredict();
        assertEquals(2, run.code());
        assertTrue(
                run.err()
                        .get(0)
                        .startsWith(
                                "batch-predict: error: Missing required option: '--predictions-dir=DIR'"),
                run.err().toString());
    }

    private static TreeSet<String> fieldNames(JsonNode node) {
        TreeSet<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
