package dev.kfptribuo.helpers;

import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.evaluation.ClassificationMetrics;
import dev.kfptribuo.evaluation.ConfusionMatrix;
import dev.kfptribuo.evaluation.KfpMetadata;
import dev.kfptribuo.evaluation.Metric;
import dev.kfptribuo.evaluation.ModelScoring;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.KfpOutputs;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.prediction.Predictor;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import dev.kfptribuo.cli.GcsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code evaluate_model} component: scores the final model on the testing split and writes
 * the metric KFP's deploy condition compares, plus the KFP v1 metrics and UI metadata files.
 */
@Command(name = "evaluate-model", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Evaluates a model saved by train (model.tribuo + manifest.json in its job dir) on labelled CSV rows; "
                    + "columns the model does not use (an id, free text) are not read.",
            "Metrics: accuracy, balanced_accuracy, precision_/recall_/f1_ + macro|micro|weighted, log_loss; "
                    + "the lab's accuracy and recall work too. 0/0 counts as 0."})
final class EvaluateModelCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private GcsOptions gcs;

    @Option(names = {"--dataset-path", "--dataset_path"}, required = true, paramLabel = "PATH",
            description = "Labelled CSV with a header: local, gs://, or a wildcard of shards; gzip is detected.")
    private String datasetPath;

    @Option(names = {"--model-path", "--model_path"}, required = true, paramLabel = "DIR",
            description = "The final training's job dir, holding " + ModelBundle.MODEL_FILE + " and "
                    + ModelBundle.MANIFEST_FILE + ".")
    private String modelPath;

    @Option(names = {"--metric-name", "--metric_name"}, paramLabel = "NAME", defaultValue = "accuracy",
            description = "The metric written to --metric-value-output. Default: ${DEFAULT-VALUE}.")
    private String metricName;

    @Option(names = "--metric-name-output", paramLabel = "PATH", description = "Output metric_name (String).")
    private String metricNameOutput;

    @Option(names = "--metric-value-output", paramLabel = "PATH",
            description = "Output metric_value (Float, a plain decimal).")
    private String metricValueOutput;

    @Option(names = "--mlpipeline-metrics-output", paramLabel = "PATH",
            description = "Output MLPipeline Metrics (KFP v1 metrics JSON of every metric).")
    private String metricsOutput;

    @Option(names = "--mlpipeline-ui-metadata-output", paramLabel = "PATH",
            description = "Output MLPipeline UI metadata (confusion matrix and per-class table).")
    private String uiMetadataOutput;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Metric metric;
        try {
            metric = Metric.parse(metricName);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--metric-name: " + e.getMessage());
        }
        KfpOutputs.check(metricNameOutput, metricValueOutput, metricsOutput, uiMetadataOutput);
        long start = System.nanoTime();
        Predictor predictor = Predictor.of(ModelBundle.load(Location.parse(modelPath)));
        Table table = new CsvTableReader(predictor.inputSchema(true)).read(InputFiles.expand(datasetPath));
        if (!table.unusedColumns().isEmpty()) {
            log(out, "columns the model does not use, not read: %s", String.join(", ", table.unusedColumns()));
        }
        ModelScoring.Scored scored = ModelScoring.score(predictor, table);
        log(out, "scored %d rows from %d file(s) with %s", table.rowCount(), table.sources().size(), modelPath);
        if (scored.rowsWithUnseenCategories() > 0) {
            StringBuilder values = new StringBuilder();
            for (Map.Entry<String, Set<String>> entry : scored.unseenCategories().entrySet()) {
                if (!entry.getValue().isEmpty()) {
                    values.append(' ').append(entry.getKey()).append('=').append(entry.getValue());
                }
            }
            log(out, "%d row(s) hold categories unseen in training, scored without them:%s",
                    scored.rowsWithUnseenCategories(), values);
        }
        if (scored.rowsWithUnknownLabel() > 0) {
            log(out, "%d row(s) have a label the model does not know, counted as misses", scored.rowsWithUnknownLabel());
        }
        ClassificationMetrics metrics = ClassificationMetrics.compute(
                ConfusionMatrix.of(scored.truth(), scored.predicted()), scored.trueLabelProbabilities());
        double value = metrics.value(metric);
        metrics.values().forEach((m, v) -> log(out, "%s=%.6f", m.metricName(), v));

        new KfpOutputs().string(metricNameOutput, metricName).floatValue(metricValueOutput, value)
                .string(metricsOutput, KfpMetadata.metricsJson(metrics))
                .string(uiMetadataOutput, KfpMetadata.uiMetadataJson(metrics))
                .commit();
        log(out, "%s=%s (%.2fs)", metricName, KfpOutputs.formatFloat(value), (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static void log(PrintWriter out, String format, Object... args) {
        out.println("evaluate-model: " + String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
