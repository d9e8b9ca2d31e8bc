package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;
import org.tribuo.protos.core.ModelProto;

/**
 * evaluate-model on a model the trainer program trained on the bundled data, checked against an
 * independent computation: Tribuo's own model loading and prediction, metrics counted by hand.
 */
class EvaluateModelTest {
    private static final Pattern KFP_METRIC_NAME =
            Pattern.compile("^[a-zA-Z]([-_a-zA-Z0-9]{0,62}[a-zA-Z0-9])?$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** evaluate-model's outputs, by the names of their flags and of the files they go to. */
    private static final List<String> OUTPUTS =
            List.of(
                    "metric_name",
                    "metric_value",
                    "baseline_metric_value",
                    "metric_improvement",
                    "mlpipeline_metrics",
                    "mlpipeline_ui_metadata");

    /** The outputs of the champion/challenger gate's three values. */
    private static final List<String> GATE_OUTPUTS =
            List.of("metric_value", "baseline_metric_value", "metric_improvement");

    @TempDir static Path shared;
    private static Path jobDir;
    private static Path test;

    @BeforeAll
    static void trainWithTheTrainer() throws IOException {
        TrainRuns.Split split =
                TrainRuns.split(
                        shared,
                        7001,
                        10001,
                        "--hptune",
                        "False",
                        "--alpha",
                        "0.0001",
                        "--max_iter",
                        "50");
        jobDir = split.jobDir();
        test = split.test();
    }

    @Test
    void metricsMatchAnIndependentComputation() throws IOException {
        Path out = shared.resolve("outputs").resolve("a");
        Run run =
                Run.evaluate(
                        test,
                        jobDir,
                        "--metric-name",
                        "accuracy",
                        "--metric-name-output",
                        out.resolve("metric_name").toString(),
                        "--metric-value-output",
                        out.resolve("nested/metric_value").toString(),
                        "--mlpipeline-metrics-output",
                        out.resolve("mlpipeline_metrics").toString(),
                        "--mlpipeline-ui-metadata-output",
                        out.resolve("mlpipeline_ui_metadata").toString());
        assertEquals(0, run.code, run.err);

        Independent expected = Independent.of(modelFile(), test);
        assertEquals("accuracy", Files.readString(out.resolve("metric_name")));
        String valueText = Files.readString(out.resolve("nested/metric_value"));
        assertTrue(valueText.matches("\\d+\\.\\d+"), "plain decimal: " + valueText);
        assertEquals(expected.accuracy(), Double.parseDouble(valueText), 1e-12);

        JsonNode metrics = JSON.readTree(out.resolve("mlpipeline_metrics").toFile()).get("metrics");
        Map<String, Double> byName = new HashMap<>();
        for (JsonNode metric : metrics) {
            String name = metric.get("name").asText();
            assertTrue(KFP_METRIC_NAME.matcher(name).matches(), name);
            assertEquals("RAW", metric.get("format").asText());
            assertTrue(Double.isFinite(metric.get("numberValue").asDouble()));
            byName.put(name, metric.get("numberValue").asDouble());
        }
        assertTrue(byName.size() <= 50);
        assertEquals(12, byName.size(), byName.keySet().toString());
        assertEquals(expected.accuracy(), byName.get("accuracy"), 1e-12);
        assertEquals(expected.macro(1), byName.get("recall_macro"), 1e-12);
        assertEquals(expected.macro(1), byName.get("balanced_accuracy"), 1e-12);
        assertEquals(expected.macro(0), byName.get("precision_macro"), 1e-12);
        assertEquals(expected.macro(2), byName.get("f1_macro"), 1e-12);
        assertEquals(expected.weighted(0), byName.get("precision_weighted"), 1e-12);
        assertEquals(expected.weighted(2), byName.get("f1_weighted"), 1e-12);
        assertEquals(expected.accuracy(), byName.get("f1_micro"), 1e-12);
        assertEquals(expected.logLoss(), byName.get("log_loss"), 1e-9);

        JsonNode ui = JSON.readTree(out.resolve("mlpipeline_ui_metadata").toFile());
        assertEquals(1, ui.get("version").asInt());
        JsonNode confusion = ui.get("outputs").get(0);
        assertEquals("confusion_matrix", confusion.get("type").asText());
        long cells = 0;
        long total = 0;
        for (String row : confusion.get("source").asText().split("\n")) {
            String[] parts = row.split(",");
            total += Long.parseLong(parts[2]);
            cells++;
            assertEquals(
                    expected.pairs().getOrDefault(parts[0] + "," + parts[1], 0L),
                    Long.parseLong(parts[2]),
                    row);
        }
        assertEquals(3000, total);
        assertEquals((long) Math.pow(confusion.get("labels").size(), 2), cells);
        JsonNode table = ui.get("outputs").get(1);
        assertEquals("table", table.get("type").asText());
        assertEquals(
                confusion.get("labels").size(), table.get("source").asText().split("\n").length);
    }

    @Test
    void theLabsRecallIsTheMacroAverage() throws IOException {
        Path value = shared.resolve("recall/metric_value");
        Run run =
                Run.evaluate(
                        "--dataset_path",
                        test.toString(),
                        "--model_path",
                        jobDir.toString(),
                        "--metric_name",
                        "recall",
                        "--metric-value-output",
                        value.toString());
        assertEquals(0, run.code, run.err);
        assertEquals(
                Independent.of(modelFile(), test).macro(1),
                Double.parseDouble(Files.readString(value)),
                1e-12);
    }

    @Test
    void unknownMetricIsAUsageErrorListingTheSupportedOnes() {
        Run run = Run.evaluate(test, jobDir, "--metric-name", "auc");
        assertEquals(2, run.code);
        assertTrue(
                run.err.contains("unknown metric 'auc'") && run.err.contains("f1_weighted"),
                run.err);
    }

    @Test
    void unseenCategoriesAreScoredAndCounted() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(test));
        for (int i = 1; i <= 25; i++) {
            lines.set(i, lines.get(i).replaceFirst(",(Rawah|Neota|Commanche|Cache),", ",Nowhere,"));
        }
        Path unseen = shared.resolve("unseen.csv");
        Files.write(unseen, lines);
        Run run = Run.evaluate(unseen, jobDir);
        assertEquals(0, run.code, run.err);
        assertTrue(
                run.out.contains("25 row(s) hold categories unseen in training")
                        && run.out.contains("Wilderness_Area=[Nowhere]"),
                run.out);
        assertTrue(run.out.contains("scored 3000 rows"), run.out);
    }

    @Test
    void dataWithOtherColumnsFailsClearly() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(test));
        lines.replaceAll(line -> line.substring(line.indexOf(',') + 1));
        Path noElevation = shared.resolve("no-elevation.csv");
        Files.write(noElevation, lines);
        Run run =
                Run.evaluate(
                        noElevation,
                        jobDir,
                        "--metric-value-output",
                        shared.resolve("cols/metric_value").toString());
        assertEquals(1, run.code);
        assertTrue(
                run.err.contains(
                        "no-elevation.csv: line 1: the header has no numeric column Elevation"),
                run.err);
        assertEquals(1, run.err.strip().lines().count(), run.err);
        assertFalse(Files.exists(shared.resolve("cols")));
    }

    @Test
    void anIdAndAFreeTextColumnAreNotReadAndNamedOnceInTheLog() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(test));
        lines.set(0, "id," + lines.get(0) + ",comment");
        for (int i = 1; i < lines.size(); i++) {
            lines.set(i, "id-" + i + "," + lines.get(i) + ",\"looked at, twice\"");
        }
        Path extra = shared.resolve("with-id.csv");
        Files.write(extra, lines);
        Path plainValue = shared.resolve("plain/metric_value");
        Path extraValue = shared.resolve("with-id/metric_value");
        assertEquals(
                0,
                Run.evaluate(
                                test,
                                jobDir,
                                "--metric-name",
                                "f1_macro",
                                "--metric-value-output",
                                plainValue.toString())
                        .code);
        Run run =
                Run.evaluate(
                        extra,
                        jobDir,
                        "--metric-name",
                        "f1_macro",
                        "--metric-value-output",
                        extraValue.toString());
        assertEquals(0, run.code, run.err);
        assertEquals(Files.readString(plainValue), Files.readString(extraValue));
        assertEquals(
                1, run.out.lines().filter(line -> line.contains("id, comment")).count(), run.out);
        assertTrue(
                run.out.contains("columns the model does not use, not read: id, comment"), run.out);
    }

    @Test
    void oneUnwritableOutputFailsTheCommandAndWritesNoOutput() throws IOException {
        Path out = shared.resolve("partial");
        Files.createDirectories(out);
        Path blocker =
                Files.writeString(out.resolve("blocker"), "a file where a directory is needed");
        Run run =
                Run.evaluate(
                        test,
                        jobDir,
                        "--metric-name-output",
                        out.resolve("metric_name").toString(),
                        "--metric-value-output",
                        out.resolve("metric_value").toString(),
                        "--mlpipeline-metrics-output",
                        blocker.resolve("mlpipeline_metrics").toString(),
                        "--mlpipeline-ui-metadata-output",
                        out.resolve("ui/mlpipeline_ui_metadata").toString());
        assertEquals(1, run.code, run.err);
        assertTrue(run.err.contains("blocker is not a directory"), run.err);
        assertFalse(run.out.contains("scored"), "fails before scoring: " + run.out);
        try (var files = Files.list(out)) {
            assertEquals(List.of("blocker"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void incompatibleManifestsFailClearly() throws IOException {
        for (String[] change :
                new String[][] {{"format_version", "99"}, {"tribuo_version", "\"5.0.0\""}}) {
            Path copy = shared.resolve("job-" + change[0]);
            Files.createDirectories(copy);
            Path model = copy.resolve(jobDir.relativize(modelFile()));
            Files.createDirectories(model.getParent());
            Files.copy(modelFile(), model);
            ObjectNode manifest =
                    (ObjectNode) JSON.readTree(jobDir.resolve("manifest.json").toFile());
            manifest.set(change[0], JSON.readTree(change[1]));
            Files.writeString(copy.resolve("manifest.json"), manifest.toString());
            Run run = Run.evaluate(test, copy);
            assertEquals(1, run.code, change[0]);
            assertTrue(run.err.contains("manifest.json") && run.err.lines().count() == 1, run.err);
        }
        Run missing = Run.evaluate(test, shared.resolve("none"));
        assertEquals(1, missing.code);
        assertTrue(missing.err.contains("manifest.json: no such file"), missing.err);
    }

    @Test
    void logLossOfAHingeModelFailsBecauseItHasNoProbabilities() throws IOException {
        Path hingeDir = shared.resolve("hinge");
        TrainRuns.train(
                "--training_dataset_path",
                test.toString(),
                "--job-dir",
                hingeDir.toString(),
                "--loss",
                "hinge",
                "--max_iter",
                "5");
        Run run = Run.evaluate(test, hingeDir, "--metric-name", "log_loss");
        assertEquals(1, run.code);
        assertTrue(run.err.contains("needs class probabilities"), run.err);
        Run f1 = Run.evaluate(test, hingeDir, "--metric-name", "f1_weighted");
        assertEquals(0, f1.code, f1.err);
        assertFalse(f1.out.contains("log_loss="), f1.out);
    }

    // ---- the champion/challenger gate: a baseline scored on the same rows

    /**
     * A second model, trained on fewer rows and epochs than the main one; flags replace the
     * defaults.
     */
    private static Path trainBaseline(String name, String... flags) throws IOException {
        Path dir = shared.resolve(name);
        if (!Files.exists(dir.resolve("manifest.json"))) {
            Path train = TrainRuns.sampleRows(shared.resolve(name + "-train.csv"), 1, 2001);
            Map<String, String> args =
                    new java.util.LinkedHashMap<>(
                            Map.of("--alpha", "0.001", "--max_iter", "2", "--tol", "none"));
            for (int i = 0; i < flags.length; i += 2) {
                args.put(flags[i], flags[i + 1]);
            }
            List<String> command =
                    new ArrayList<>(
                            List.of(
                                    "--training_dataset_path",
                                    train.toString(),
                                    "--job-dir",
                                    dir.toString(),
                                    "--hptune",
                                    "False"));
            args.forEach((flag, value) -> command.addAll(List.of(flag, value)));
            TrainRuns.train(command.toArray(String[]::new));
        }
        return dir;
    }

    /**
     * evaluate-model of the test rows with the model in {@code model}, then {@code more}, and every
     * output, in a fresh folder; its outputs' text by name.
     */
    private static Map<String, String> evaluateWithOutputs(
            String folder, Path model, String... more) throws IOException {
        Path out = shared.resolve("gate").resolve(folder);
        Run run = Run.evaluate(withOutputs(out, OUTPUTS, inputs(test, model, more)));
        assertEquals(0, run.code, run.err + run.out);
        Map<String, String> values = new HashMap<>();
        try (var files = Files.list(out)) {
            for (Path file : files.toList()) {
                values.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        assertEquals(6, values.size(), values.keySet().toString());
        values.put("log", run.out);
        return values;
    }

    private static double improvementOf(Map<String, String> outputs) {
        return new BigDecimal(outputs.get("metric_value"))
                .subtract(new BigDecimal(outputs.get("baseline_metric_value")))
                .doubleValue();
    }

    @Test
    void aBaselineIsScoredOnTheSameRowsAndTheImprovementIsTheDifference() throws IOException {
        Path baseline = trainBaseline("baseline-weak");
        Map<String, String> outputs =
                evaluateWithOutputs("weak", jobDir, "--baseline-model-path", baseline.toString());

        assertEquals(
                Independent.of(modelFile(), test).accuracy(),
                Double.parseDouble(outputs.get("metric_value")),
                1e-12);
        Path baselineFile =
                baseline.resolve(
                        JSON.readTree(baseline.resolve("manifest.json").toFile())
                                .at("/model/file")
                                .asText());
        double baselineAccuracy = Independent.of(baselineFile, test).accuracy();
        assertEquals(
                baselineAccuracy, Double.parseDouble(outputs.get("baseline_metric_value")), 1e-12);
        // The same value evaluate-model gives the baseline on its own.
        Map<String, String> alone = evaluateWithOutputs("weak-alone", baseline);
        assertEquals(alone.get("metric_value"), outputs.get("baseline_metric_value"));
        // The difference of the two outputs' decimals, positive: the main model (50 epochs, 7,000
        // rows) is better.
        assertTrue(
                outputs.get("metric_improvement").matches("-?\\d+\\.\\d+"),
                outputs.get("metric_improvement"));
        assertEquals(
                improvementOf(outputs), Double.parseDouble(outputs.get("metric_improvement")), 0.0);
        assertTrue(Double.parseDouble(outputs.get("metric_improvement")) > 0, outputs.toString());
        assertTrue(outputs.get("log").contains("baseline: scored 3000 rows"), outputs.get("log"));
        assertTrue(outputs.get("log").contains("the model is better"), outputs.get("log"));
        // Only the new model's metrics in the KFP files.
        assertEquals(
                Double.parseDouble(outputs.get("metric_value")),
                JSON.readTree(outputs.get("mlpipeline_metrics"))
                        .get("metrics")
                        .get(0)
                        .get("numberValue")
                        .asDouble(),
                0.0);

        // The other way round the improvement is negative; against itself it is 0.
        Map<String, String> reverse =
                evaluateWithOutputs(
                        "reverse", baseline, "--baseline-model-path", jobDir.toString());
        assertEquals(
                -Double.parseDouble(outputs.get("metric_improvement")),
                Double.parseDouble(reverse.get("metric_improvement")),
                0.0);
        assertTrue(reverse.get("log").contains("the model is not better"), reverse.get("log"));
        Map<String, String> itself =
                evaluateWithOutputs("itself", jobDir, "--baseline-model-path", jobDir.toString());
        assertEquals("0.0", itself.get("metric_improvement"));
        assertEquals(itself.get("metric_value"), itself.get("baseline_metric_value"));
    }

    @Test
    void withoutABaselineTheBaselineIsTheWorstPossibleModel() throws IOException {
        for (String[] none :
                new String[][] {
                    {}, {"--baseline-model-path", ""}, {"--baseline_model_path", " "}
                }) {
            Map<String, String> outputs =
                    evaluateWithOutputs(
                            "none-" + none.length + (none.length > 0 ? none[1].length() : 0),
                            jobDir,
                            none);
            assertEquals("0.0", outputs.get("baseline_metric_value"), String.join(" ", none));
            assertEquals(
                    outputs.get("metric_value"), outputs.get("metric_improvement"), "accuracy - 0");
            assertTrue(outputs.get("log").contains("no baseline"), outputs.get("log"));
        }
        // Lower is better for log loss: its worst value is the loss of probability eps for every
        // true label.
        Map<String, String> logLoss =
                evaluateWithOutputs("none-log-loss", jobDir, "--metric-name", "log_loss");
        assertEquals(
                -Math.log(Math.ulp(1.0)),
                Double.parseDouble(logLoss.get("baseline_metric_value")),
                0.0);
        assertEquals("36.04365338911715", logLoss.get("baseline_metric_value"));
        assertEquals(
                -improvementOf(logLoss),
                Double.parseDouble(logLoss.get("metric_improvement")),
                0.0);
        assertTrue(Double.parseDouble(logLoss.get("metric_improvement")) > 0, logLoss.toString());
    }

    @Test
    void forLogLossTheImprovementIsTheDropInLoss() throws IOException {
        Path baseline = trainBaseline("baseline-weak");
        Map<String, String> outputs =
                evaluateWithOutputs(
                        "log-loss",
                        jobDir,
                        "--baseline-model-path",
                        baseline.toString(),
                        "--metric-name",
                        "log_loss");
        double loss = Double.parseDouble(outputs.get("metric_value"));
        double baselineLoss = Double.parseDouble(outputs.get("baseline_metric_value"));
        assertTrue(loss < baselineLoss, outputs.toString());
        assertEquals(
                -improvementOf(outputs),
                Double.parseDouble(outputs.get("metric_improvement")),
                0.0);
        assertTrue(Double.parseDouble(outputs.get("metric_improvement")) > 0, "lower loss: better");
    }

    @Test
    void aBaselineReadingOtherColumnsIsScoredOnTheSameRows() throws IOException {
        // The new model leaves Slope out; the baseline (the main model) reads it: one read takes
        // both's columns.
        Path noSlope = trainBaseline("no-slope", "--ignore_columns", "Slope", "--max_iter", "20");
        Map<String, String> outputs =
                evaluateWithOutputs("columns", noSlope, "--baseline-model-path", jobDir.toString());
        assertEquals(
                Independent.of(modelFile(), test).accuracy(),
                Double.parseDouble(outputs.get("baseline_metric_value")),
                1e-12);
        assertTrue(outputs.get("log").contains("scored 3000 rows"), outputs.get("log"));
    }

    @Test
    void rowsWithoutAColumnOnlyTheBaselineReadsNameTheBaseline() throws IOException {
        Path noSlope = trainBaseline("no-slope-2", "--ignore_columns", "Slope", "--max_iter", "20");
        List<String> lines = Files.readAllLines(test);
        int slope = List.of(lines.get(0).split(",")).indexOf("Slope");
        List<String> without = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
            cells.remove(slope);
            without.add(String.join(",", cells));
        }
        Path rows = Files.write(shared.resolve("no-slope-rows.csv"), without);
        Run run = Run.evaluate(rows, noSlope, "--baseline-model-path", jobDir.toString());
        assertEquals(1, run.code, run.err);
        assertTrue(run.err.contains("the header has no numeric column Slope"), run.err);
        assertTrue(
                run.err.contains(
                        "; the baseline model "
                                + jobDir
                                + " reads Slope, which the model does not: it was trained on other"
                                + " columns"),
                run.err);
        assertEquals(1, run.err.strip().lines().count(), run.err);
        // The model alone scores those rows.
        assertEquals(0, Run.evaluate(rows, noSlope).code);
    }

    /**
     * {@code args}, then the flag of each of {@code outputs}, with a file of the output's name in
     * {@code out}.
     */
    private static String[] withOutputs(Path out, List<String> outputs, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        for (String output : outputs) {
            all.addAll(
                    List.of(
                            "--" + output.replace('_', '-') + "-output",
                            out.resolve(output).toString()));
        }
        return all.toArray(String[]::new);
    }

    /**
     * evaluate-model of the test rows with the main model against {@code baseline}, then {@code
     * more}, and the gate's outputs in {@code out}.
     */
    private static Run againstBaseline(Path baseline, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--baseline-model-path", baseline.toString()));
        args.addAll(List.of(more));
        return Run.evaluate(
                test, jobDir, withOutputs(out, GATE_OUTPUTS, args.toArray(String[]::new)));
    }

    @Test
    void aBaselineThatCannotBeUsedFailsTheCommandBeforeItWritesAnyOutput() throws IOException {
        Path out = shared.resolve("bad-baseline");
        Run run = againstBaseline(shared.resolve("no-such-model"), out);
        assertEquals(1, run.code, run.err);
        assertTrue(
                run.err.contains("the baseline model: ")
                        && run.err.contains("no-such-model/manifest.json: no such file"),
                run.err);
        assertEquals(1, run.err.strip().lines().count(), run.err);
        assertFalse(Files.exists(out), "no output");

        // A hinge baseline has no log loss.
        Path hinge = trainBaseline("baseline-hinge", "--loss", "hinge");
        Run logLoss = againstBaseline(hinge, out, "--metric-name", "log_loss");
        assertEquals(1, logLoss.code, logLoss.err);
        assertTrue(
                logLoss.err.contains("the baseline model " + hinge)
                        && logLoss.err.contains("needs class probabilities"),
                logLoss.err);
        assertFalse(Files.exists(out), "no output");

        // An output path that cannot be written fails before either model is read.
        Path blocker = Files.writeString(shared.resolve("gate-blocker"), "a file");
        Run unwritable =
                Run.evaluate(
                        test,
                        jobDir,
                        "--baseline-model-path",
                        hinge.toString(),
                        "--metric-improvement-output",
                        blocker.resolve("metric_improvement").toString());
        assertEquals(1, unwritable.code);
        assertTrue(unwritable.err.contains("gate-blocker is not a directory"), unwritable.err);
        assertFalse(unwritable.out.contains("scored"), unwritable.out);
    }

    /** evaluate-model's inputs: the rows and the model's job dir, then {@code more}. */
    private static String[] inputs(Path dataset, Path model, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--dataset-path",
                                dataset.toString(),
                                "--model-path",
                                model.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** The model file the job dir's manifest names. */
    private static Path modelFile() throws IOException {
        return jobDir.resolve(
                JSON.readTree(jobDir.resolve("manifest.json").toFile()).at("/model/file").asText());
    }

    private record Run(int code, String out, String err) {
        /** evaluate-model of {@code dataset} with the model in {@code model}, then {@code more}. */
        static Run evaluate(Path dataset, Path model, String... more) {
            return evaluate(inputs(dataset, model, more));
        }

        static Run evaluate(String... args) {
            String[] full = new String[args.length + 1];
            full[0] = "evaluate-model";
            System.arraycopy(args, 0, full, 1, args.length);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = HelperComponents.run(full, new PrintWriter(out), new PrintWriter(err));
            return new Run(code, out.toString(), err.toString());
        }
    }

    /** Metrics by hand from Tribuo's own predictions on rows parsed with String.split. */
    private record Independent(
            double accuracy,
            double[][] perClass,
            long[] support,
            double logLoss,
            Map<String, Long> pairs) {
        static Independent of(Path modelFile, Path csv) throws IOException {
            @SuppressWarnings("unchecked")
            Model<Label> model =
                    (Model<Label>)
                            Model.deserialize(ModelProto.parseFrom(Files.readAllBytes(modelFile)));
            List<String> lines = Files.readAllLines(csv);
            String[] header = lines.get(0).split(",");
            List<String> truth = new ArrayList<>();
            List<String> predicted = new ArrayList<>();
            double logLoss = 0;
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",");
                ArrayExample<Label> example = new ArrayExample<>(new Label(cells[12]));
                for (int c = 0; c < 12; c++) {
                    boolean categorical =
                            header[c].equals("Wilderness_Area") || header[c].equals("Soil_Type");
                    example.add(
                            categorical ? header[c] + "@" + cells[c] : header[c],
                            categorical ? 1.0 : Double.parseDouble(cells[c]));
                }
                Prediction<Label> prediction = model.predict(example);
                truth.add(cells[12]);
                predicted.add(prediction.getOutput().getLabel());
                // The model's scores are decision values; scikit-learn's probability is
                // sigmoid/sum.
                double sum = 0;
                for (Label score : prediction.getOutputScores().values()) {
                    sum += 1 / (1 + Math.exp(-score.getScore()));
                }
                double p =
                        1
                                / (1
                                        + Math.exp(
                                                -prediction
                                                        .getOutputScores()
                                                        .get(cells[12])
                                                        .getScore()))
                                / sum;
                logLoss -= Math.log(Math.min(1 - Math.ulp(1.0), Math.max(Math.ulp(1.0), p)));
            }
            Set<String> labelSet = new TreeSet<>(truth);
            labelSet.addAll(predicted);
            List<String> labels = new ArrayList<>(labelSet);
            double[][] perClass = new double[labels.size()][3];
            long[] support = new long[labels.size()];
            Map<String, Long> pairs = new HashMap<>();
            long correct = 0;
            for (int i = 0; i < truth.size(); i++) {
                pairs.merge(truth.get(i) + "," + predicted.get(i), 1L, Long::sum);
                correct += truth.get(i).equals(predicted.get(i)) ? 1 : 0;
            }
            for (int k = 0; k < labels.size(); k++) {
                String label = labels.get(k);
                long tp = 0;
                long predictedK = 0;
                for (int i = 0; i < truth.size(); i++) {
                    boolean t = truth.get(i).equals(label);
                    boolean p = predicted.get(i).equals(label);
                    tp += t && p ? 1 : 0;
                    predictedK += p ? 1 : 0;
                    support[k] += t ? 1 : 0;
                }
                double precision = predictedK == 0 ? 0 : tp / (double) predictedK;
                double recall = support[k] == 0 ? 0 : tp / (double) support[k];
                perClass[k] =
                        new double[] {
                            precision,
                            recall,
                            precision + recall == 0
                                    ? 0
                                    : 2 * precision * recall / (precision + recall)
                        };
            }
            assertEquals(new HashSet<>(labels).size(), labels.size());
            return new Independent(
                    correct / (double) truth.size(),
                    perClass,
                    support,
                    logLoss / truth.size(),
                    pairs);
        }

        double macro(int m) {
            double sum = 0;
            for (double[] c : perClass) {
                sum += c[m];
            }
            return sum / perClass.length;
        }

        double weighted(int m) {
            double sum = 0;
            long total = 0;
            for (int k = 0; k < perClass.length; k++) {
                sum += perClass[k][m] * support[k];
                total += support[k];
            }
            return sum / total;
        }
    }
}
