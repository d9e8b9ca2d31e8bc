package dev.kfptribuo.evaluation;

import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.prediction.Predictor;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The work of {@code evaluate-model}: score a saved model, and optionally the model it must beat
 * (the baseline, the champion in production), on the same labelled rows, read once, and give the
 * chosen metric, the baseline's and the improvement. With no baseline, the baseline's value is the
 * metric's worst ({@link Metric#worstValue}), so any model that gets a row right improves on it.
 */
public final class EvaluationJob {
    /**
     * What to score.
     *
     * @param model the model's job dir
     * @param baseline the baseline's job dir, or null for none
     * @param rows the labelled CSV files
     * @param metric the metric to compare
     */
    public record Config(Location model, Location baseline, List<InputFile> rows, Metric metric) {
        /** Checks the fields and copies the list. */
        public Config {
            Objects.requireNonNull(model, "model");
            rows = List.copyOf(rows);
            Objects.requireNonNull(metric, "metric");
        }
    }

    /**
     * What the scoring gave.
     *
     * @param metrics every metric of the model
     * @param value the chosen metric of the model
     * @param baselineValue the chosen metric of the baseline, or its worst value with none
     * @param improvement how much better the model is, positive exactly when it is better
     */
    public record Result(
            ClassificationMetrics metrics,
            double value,
            double baselineValue,
            double improvement) {}

    private EvaluationJob() {}

    /**
     * @param config what to score
     * @param log receives a line per model scored and per unusual thing in the rows
     * @return the metrics and the comparison
     * @throws IllegalArgumentException if a model cannot be scored on the rows (a column it needs
     *     is missing, or the metric does not apply to it, e.g. log loss of a hinge model)
     * @throws IOException if a model or a file cannot be read (the baseline's errors name it as
     *     such)
     */
    public static Result run(Config config, Consumer<String> log) throws IOException {
        Predictor predictor = Predictor.load(config.model(), "the model");
        Predictor baseline =
                config.baseline() == null
                        ? null
                        : Predictor.load(config.baseline(), "the baseline model");
        // One read of the rows for both models: the same rows, every column either model reads.
        ColumnSchema schema;
        try {
            schema =
                    baseline == null
                            ? predictor.inputSchema(true)
                            : ModelScoring.inputSchema(List.of(predictor, baseline));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (baseline == null
                                    ? "the model " + config.model() + " cannot be scored: "
                                    : "the model and the baseline "
                                            + config.baseline()
                                            + " cannot be scored on the same rows: ")
                            + e.getMessage(),
                    e);
        }
        Table table;
        try {
            table = new CsvTableReader(schema).read(config.rows());
        } catch (DataFormatException e) {
            throw baseline == null
                    ? e
                    : namingTheBaseline(e, predictor, baseline, config.baseline());
        }
        if (!table.unusedColumns().isEmpty()) {
            log.accept(
                    String.format(
                            Locale.ROOT,
                            "columns %s does not use, not read: %s",
                            baseline == null ? "the model" : "neither model",
                            String.join(", ", table.unusedColumns())));
        }
        ClassificationMetrics metrics = score(log, predictor, table, config.model(), "");
        Metric metric = config.metric();
        double value = metrics.value(metric);
        double baselineValue;
        if (baseline != null) {
            ClassificationMetrics baselineMetrics =
                    score(log, baseline, table, config.baseline(), "baseline: ");
            try {
                baselineValue = baselineMetrics.value(metric);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "the baseline model " + config.baseline() + ": " + e.getMessage(), e);
            }
        } else {
            baselineValue = metric.worstValue();
        }
        return new Result(metrics, value, baselineValue, metric.improvement(value, baselineValue));
    }

    /** Scores one model on the rows, logging what was unusual about them for it. */
    private static ClassificationMetrics score(
            Consumer<String> log, Predictor predictor, Table table, Location path, String prefix) {
        ModelScoring.Scored scored = ModelScoring.score(predictor, table);
        log.accept(
                String.format(
                        Locale.ROOT,
                        "%sscored %d rows from %d file(s) with %s",
                        prefix,
                        table.rowCount(),
                        table.sources().size(),
                        path));
        if (scored.rowsWithUnseenCategories() > 0) {
            StringBuilder values = new StringBuilder();
            for (Map.Entry<String, Set<String>> entry : scored.unseenCategories().entrySet()) {
                if (!entry.getValue().isEmpty()) {
                    values.append(' ').append(entry.getKey()).append('=').append(entry.getValue());
                }
            }
            log.accept(
                    String.format(
                            Locale.ROOT,
                            "%s%d row(s) hold categories unseen in training, scored without them:%s",
                            prefix,
                            scored.rowsWithUnseenCategories(),
                            values));
        }
        if (scored.rowsWithUnknownLabel() > 0) {
            log.accept(
                    String.format(
                            Locale.ROOT,
                            "%s%d row(s) have a label the model does not know, counted as misses",
                            prefix,
                            scored.rowsWithUnknownLabel()));
        }
        return ClassificationMetrics.compute(
                ConfusionMatrix.of(scored.truth(), scored.predicted()),
                scored.trueLabelProbabilities());
    }

    /**
     * A header missing a column only the baseline reads is the baseline's doing (a model trained on
     * other columns); the reader's error names the column, this says whose it is.
     */
    private static DataFormatException namingTheBaseline(
            DataFormatException e, Predictor model, Predictor baseline, Location where) {
        List<String> baselineOnly =
                baseline.inputColumns().stream()
                        .filter(c -> !model.inputColumns().contains(c))
                        .toList();
        if (baselineOnly.stream().noneMatch(c -> e.getMessage().contains(c))) {
            return e;
        }
        DataFormatException named =
                new DataFormatException(
                        e.getMessage()
                                + "; the baseline model "
                                + where
                                + " reads "
                                + String.join(", ", baselineOnly)
                                + ", which the model does not: it was trained on other columns");
        named.initCause(e);
        return named;
    }
}
