package dev.kfptribuo.helpers;

import dev.kfptribuo.cli.ExecutorInputOption;
import dev.kfptribuo.cli.GcsOptions;
import dev.kfptribuo.cli.OutputPlaces;
import dev.kfptribuo.cli.PathConverters;
import dev.kfptribuo.evaluation.ClassificationMetrics;
import dev.kfptribuo.evaluation.EvaluationJob;
import dev.kfptribuo.evaluation.KfpMetadata;
import dev.kfptribuo.evaluation.Metric;
import dev.kfptribuo.evaluation.MetricsArtifacts;
import dev.kfptribuo.executor.ExecutorInput;
import dev.kfptribuo.executor.ExecutorOutput;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.KfpOutputs;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code evaluate_model} component: scores the final model on the testing split and writes the
 * metric KFP's deploy condition compares, plus the KFP v1 metrics and UI metadata files.
 *
 * <p>Champion/challenger: given the model now in production ({@code --baseline-model-path}), it
 * scores that one too, through the same {@link Predictor} on the same rows (one read of the data),
 * and writes its metric and the new model's improvement over it, positive exactly when the new
 * model is better; a pipeline deploys when {@code metric_value > threshold} and {@code
 * metric_improvement > 0}. With no baseline the comparison is with the worst possible model ({@link
 * Metric#worstValue()}), so that the same condition holds for any model that is not itself the
 * worst possible. Every output is written at the end or none is.
 *
 * <p>KFP v2 ({@code --executor-input}, the v2 spec): the four values are output parameters of the
 * executor output, with a {@code system.Metrics} artifact {@value #METRICS} of every metric and a
 * {@code system.ClassificationMetrics} artifact {@value #CLASSIFICATION_METRICS} of the confusion
 * matrix ({@link MetricsArtifacts}), which the KFP 2 and Vertex AI Pipelines UIs render; the KFP v1
 * files are not written.
 */
@Command(
        name = "evaluate-model",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Evaluates a model saved by train (model.tribuo + manifest.json in its job dir) on labelled CSV rows; "
                    + "columns the model does not use (an id, free text) are not read.",
            "Metrics: accuracy, balanced_accuracy, precision_/recall_/f1_ + macro|micro|weighted, log_loss; "
                    + "the lab's accuracy and recall work too. 0/0 counts as 0.",
            "With --baseline-model-path (the model in production) the baseline is scored on the same rows: "
                    + "deploy when metric_value > threshold and metric_improvement > 0."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:runtime error (bad data, a model that cannot be read or scored, I/O)",
            "2:usage error"
        })
final class EvaluateModelCommand implements Callable<Integer> {
    /** The v2 spec's output parameters. */
    static final String METRIC_NAME = "metric_name",
            METRIC_VALUE = "metric_value",
            BASELINE_METRIC_VALUE = "baseline_metric_value",
            METRIC_IMPROVEMENT = "metric_improvement";

    /** The v2 spec's output artifact of every metric, a {@code system.Metrics}. */
    static final String METRICS = "metrics";

    /**
     * The v2 spec's output artifact of the confusion matrix, a {@code
     * system.ClassificationMetrics}.
     */
    static final String CLASSIFICATION_METRICS = "classification_metrics";

    @Spec private CommandSpec spec;

    @Mixin private GcsOptions gcs;

    @Mixin private ExecutorInputOption executorInput;

    @Option(
            names = {"--dataset-path", "--dataset_path"},
            required = true,
            paramLabel = "PATH",
            converter = PathConverters.Dataset.class,
            description =
                    "Labelled CSV with a header: local, gs://, or a wildcard of shards; gzip is detected.")
    private String datasetPath;

    @Mixin private ModelPathOption model;

    @Option(
            names = {"--metric-name", "--metric_name"},
            paramLabel = "NAME",
            defaultValue = "accuracy",
            description = "The metric written to --metric-value-output. Default: ${DEFAULT-VALUE}.")
    private String metricName;

    @Option(
            names = {"--baseline-model-path", "--baseline_model_path"},
            paramLabel = "DIR",
            converter = PathConverters.OptionalJobDir.class,
            description =
                    "The model now in production (a job dir of train, or a version directory of the local "
                            + "registry): scored on the same rows with the same metric, for the champion/challenger gate "
                            + "metric_improvement > 0. Unset or empty: no baseline, compared as the worst possible model.")
    private String baselineModelPath;

    @Option(
            names = "--metric-name-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output metric_name (String).")
    private String metricNameOutput;

    @Option(
            names = "--metric-value-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output metric_value (Float, a plain decimal).")
    private String metricValueOutput;

    @Option(
            names = "--baseline-metric-value-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description =
                    "Output baseline_metric_value (Float): the baseline's metric on the same rows; with no "
                            + "baseline, the metric's worst value (0.0, or 36.04365338911715 for log_loss).")
    private String baselineMetricValueOutput;

    @Option(
            names = "--metric-improvement-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description =
                    "Output metric_improvement (Float): how much better the model is than the baseline, "
                            + "positive exactly when it is better (metric_value - baseline_metric_value; the reverse "
                            + "for log_loss, where lower is better).")
    private String metricImprovementOutput;

    @Option(
            names = "--mlpipeline-metrics-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output MLPipeline Metrics (KFP v1 metrics JSON of every metric).")
    private String metricsOutput;

    @Option(
            names = "--mlpipeline-ui-metadata-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
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
        ExecutorInput executor = executorInput();
        Map<String, String> outputs =
                executor == null
                        ? outputFlags()
                        : Map.of(ExecutorInput.FLAG + " outputs.outputFile", executor.outputFile());
        long start = System.nanoTime();
        // KFP passes an optional input the pipeline gives as '' (no baseline) as an empty argument.
        String baselinePath =
                baselineModelPath == null || baselineModelPath.isBlank()
                        ? null
                        : baselineModelPath.strip();
        List<InputFile> files =
                InputFiles.expand(datasetPath); // listed, not read: no output may land on them
        OutputPlaces places =
                new OutputPlaces(spec)
                        .directory(
                                ModelPathOption.FLAG,
                                model.location(),
                                "evaluate-model reads the model there")
                        .files("--dataset-path", files, "evaluate-model reads it");
        if (baselinePath != null) {
            places.directory(
                    "--baseline-model-path",
                    Location.parse(baselinePath),
                    "evaluate-model reads the baseline model there");
        }
        places.check(outputs);
        KfpOutputs.check(outputs.values().toArray(String[]::new));
        EvaluationJob.Result result =
                EvaluationJob.run(
                        new EvaluationJob.Config(
                                model.location(),
                                baselinePath == null ? null : Location.parse(baselinePath),
                                files,
                                metric),
                        line -> log(out, "%s", line));
        ClassificationMetrics metrics = result.metrics();
        double value = result.value();
        double baselineValue = result.baselineValue();
        double improvement = result.improvement();
        metrics.values().forEach((m, v) -> log(out, "%s=%.6f", m.metricName(), v));

        if (executor == null) {
            new KfpOutputs()
                    .string(metricNameOutput, metricName)
                    .floatValue(metricValueOutput, value)
                    .floatValue(baselineMetricValueOutput, baselineValue)
                    .floatValue(metricImprovementOutput, improvement)
                    .string(metricsOutput, KfpMetadata.metricsJson(metrics))
                    .string(uiMetadataOutput, KfpMetadata.uiMetadataJson(metrics))
                    .commit();
        } else {
            new ExecutorOutput(executor)
                    .string(METRIC_NAME, metricName)
                    .number(METRIC_VALUE, value)
                    .number(BASELINE_METRIC_VALUE, baselineValue)
                    .number(METRIC_IMPROVEMENT, improvement)
                    .artifact(
                            METRICS,
                            MetricsArtifacts.METRICS,
                            null,
                            MetricsArtifacts.metrics(metrics))
                    .artifact(
                            CLASSIFICATION_METRICS,
                            MetricsArtifacts.CLASSIFICATION_METRICS,
                            null,
                            MetricsArtifacts.confusionMatrix(metrics))
                    .commit();
            log(out, "executor output -> %s", executor.outputFile());
        }
        if (baselinePath != null) {
            log(
                    out,
                    "baseline %s: %s=%s; improvement %s (%s)",
                    baselinePath,
                    metricName,
                    KfpOutputs.formatFloat(baselineValue),
                    KfpOutputs.formatFloat(improvement),
                    improvement > 0 ? "the model is better" : "the model is not better");
        } else {
            log(
                    out,
                    "no baseline: baseline_metric_value is the worst possible %s, %s; improvement %s",
                    metricName,
                    KfpOutputs.formatFloat(baselineValue),
                    KfpOutputs.formatFloat(improvement));
        }
        log(
                out,
                "%s=%s (%.2fs)",
                metricName,
                KfpOutputs.formatFloat(value),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /**
     * The executor input, checked to name every output of the v2 spec, or null without {@code
     * --executor-input}.
     */
    private ExecutorInput executorInput() {
        ExecutorInput executor = executorInput.parse(outputFlags());
        if (executor != null) {
            executor.requireParameters(
                    METRIC_NAME, METRIC_VALUE, BASELINE_METRIC_VALUE, METRIC_IMPROVEMENT);
            executor.artifact(METRICS, MetricsArtifacts.METRICS);
            executor.artifact(CLASSIFICATION_METRICS, MetricsArtifacts.CLASSIFICATION_METRICS);
        }
        return executor;
    }

    /**
     * The {@code --*-output} flags and their paths (null: not given), in the order of the usage.
     */
    private Map<String, String> outputFlags() {
        Map<String, String> outputFlags = new LinkedHashMap<>();
        outputFlags.put("--metric-name-output", metricNameOutput);
        outputFlags.put("--metric-value-output", metricValueOutput);
        outputFlags.put("--baseline-metric-value-output", baselineMetricValueOutput);
        outputFlags.put("--metric-improvement-output", metricImprovementOutput);
        outputFlags.put("--mlpipeline-metrics-output", metricsOutput);
        outputFlags.put("--mlpipeline-ui-metadata-output", uiMetadataOutput);
        return outputFlags;
    }

    private static void log(PrintWriter out, String format, Object... args) {
        out.println("evaluate-model: " + String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
