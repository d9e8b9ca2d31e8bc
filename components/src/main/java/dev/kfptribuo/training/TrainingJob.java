package dev.kfptribuo.training;

import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.evaluation.ClassificationMetrics;
import dev.kfptribuo.evaluation.ConfusionMatrix;
import dev.kfptribuo.evaluation.Metric;
import dev.kfptribuo.hypertune.HypertuneReporter;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.PythonFloats;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.model.ModelTraining;
import dev.kfptribuo.model.TrainingResult;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The trainer's work, the {@code train} program's and a tuning trial's: read the CSV rows, fit the
 * lab's classifier, then either report the validation accuracy to the tuning service (tuning mode,
 * the lab's {@code --hptune True}) or save the model bundle (final mode: the training and
 * validation rows together, as the lab's {@code train.py} does).
 *
 * <p>The command maps its flags to a {@link Config}, runs {@link #run} and maps the outcome to its
 * outputs and exit code; nothing here knows a flag.
 */
public final class TrainingJob {
    /**
     * What to train on and how.
     *
     * @param hyperparameters the fit's hyperparameters
     * @param schema the columns: label, categorical, ignored
     * @param trainingFiles the training CSV files (shards of one table)
     * @param validationFiles the validation CSV files, or null (none: final mode only)
     * @param tuning where tuning mode reports its metric, or null for final mode
     */
    public record Config(
            Hyperparameters hyperparameters,
            ColumnSchema schema,
            List<InputFile> trainingFiles,
            List<InputFile> validationFiles,
            Tuning tuning) {
        /** Checks the fields and copies the lists. */
        public Config {
            Objects.requireNonNull(hyperparameters, "hyperparameters");
            Objects.requireNonNull(schema, "schema");
            trainingFiles = List.copyOf(trainingFiles);
            validationFiles = validationFiles == null ? null : List.copyOf(validationFiles);
            if (tuning != null && validationFiles == null) {
                throw new IllegalArgumentException("tuning mode needs validation rows");
            }
        }
    }

    /**
     * Tuning mode's report.
     *
     * @param metricTag the job's {@code hyperparameterMetricTag}, under which the accuracy is
     *     reported
     * @param reporter the trial's metric file
     */
    public record Tuning(String metricTag, HypertuneReporter reporter) {}

    /** What a run did. */
    public sealed interface Outcome permits Reported, Saved {}

    /**
     * Tuning mode: the validation accuracy, reported.
     *
     * @param accuracy the fraction of validation rows predicted right
     * @param validationRows how many rows were scored
     */
    public record Reported(double accuracy, int validationRows) implements Outcome {}

    /**
     * Final mode: the bundle, committed to every model directory of the writer.
     *
     * @param manifest the saved manifest (files, digests, encoding)
     */
    public record Saved(Manifest manifest) implements Outcome {}

    /**
     * The rows of one input could not be read as the schema says; {@link #role} names the input.
     */
    public static final class InputRejectedException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String role;

        InputRejectedException(String role, IllegalArgumentException cause) {
            super(cause.getMessage(), cause);
            this.role = role;
        }

        /**
         * @return "training" or "validation"
         */
        public String role() {
            return role;
        }
    }

    private TrainingJob() {}

    /**
     * Runs the job.
     *
     * @param config what to train on and how
     * @param writer the model directories, taken before (final mode); null in tuning mode
     * @param log receives one line per stage: rows read, the settings, each epoch, the result
     * @return what was reported or saved
     * @throws InputRejectedException if an input's header or columns do not fit the schema
     * @throws dev.kfptribuo.data.DataFormatException if a row cannot be read (file, row and column
     *     named)
     * @throws dev.kfptribuo.model.TrainingDivergedException if the fit diverges
     * @throws IOException if an input cannot be read or the bundle cannot be saved
     */
    public static Outcome run(Config config, JobDirWriter writer, Consumer<String> log)
            throws IOException {
        boolean tuning = config.tuning() != null;
        if (!tuning) {
            Objects.requireNonNull(writer, "writer");
        }
        // A trial keeps no model, so no manifest needs the inputs' digests.
        CsvTableReader reader =
                tuning
                        ? new CsvTableReader(config.schema()).withoutDigests()
                        : new CsvTableReader(config.schema());
        Table training = read(reader, config.trainingFiles(), "training", log);
        Table validation =
                config.validationFiles() == null
                        ? null
                        : read(reader, config.validationFiles(), "validation", log);
        if (validation != null) {
            // Scoring rows whose columns differ from the model's would count missing ones as zeros.
            Table.requireSameColumns(training, validation);
        }
        Table fitTable =
                tuning || validation == null ? training : Table.concat(training, validation);

        Hyperparameters hyperparameters = config.hyperparameters();
        log.accept(
                String.format(
                        Locale.ROOT,
                        "mode=%s loss=%s alpha=%s max_iter=%d tol=%s rows=%d",
                        tuning ? "tuning" : "final",
                        hyperparameters.loss().name().toLowerCase(Locale.ROOT),
                        PythonFloats.repr(hyperparameters.alpha()),
                        hyperparameters.maxIter(),
                        hyperparameters.tol() == null
                                ? "none"
                                : PythonFloats.repr(hyperparameters.tol()),
                        fitTable.rowCount()));
        long start = System.nanoTime();
        TrainingResult result =
                ModelTraining.train(
                        fitTable,
                        hyperparameters,
                        (epoch, meanLoss, active, nanos) ->
                                log.accept(
                                        String.format(
                                                Locale.ROOT,
                                                "epoch %d/%d loss=%.6f active_classes=%d elapsed=%.2fs",
                                                epoch,
                                                hyperparameters.maxIter(),
                                                meanLoss,
                                                active,
                                                nanos / 1e9)));
        double seconds = (System.nanoTime() - start) / 1e9;
        log.accept(
                String.format(
                        Locale.ROOT,
                        "trained: epochs=%d converged=%s loss=%.6f time=%.2fs",
                        result.epochsRun(),
                        result.converged(),
                        result.finalLoss(),
                        seconds));

        Manifest manifest =
                ModelTraining.manifest(result, hyperparameters, fitTable, seconds, Instant.now());
        ModelBundle bundle = new ModelBundle(result.model(), manifest);
        if (tuning) {
            Predictor predictor = Predictor.of(bundle);
            String[] predicted =
                    TablePredictions.of(predictor, validation, false).labels(predictor);
            double accuracy =
                    ClassificationMetrics.compute(
                                    ConfusionMatrix.of(validation.labels(), predicted), null)
                            .value(Metric.ACCURACY);
            Tuning report = config.tuning();
            report.reporter().report(report.metricTag(), accuracy, result.epochsRun());
            log.accept(
                    String.format(
                            Locale.ROOT,
                            "validation accuracy=%.6f rows=%d; reported as '%s' in %s",
                            accuracy,
                            validation.rowCount(),
                            report.metricTag(),
                            report.reporter().metricFile()));
            return new Reported(accuracy, validation.rowCount());
        }
        return new Saved(writer.save(bundle));
    }

    private static Table read(
            CsvTableReader reader, List<InputFile> files, String role, Consumer<String> log)
            throws IOException {
        long start = System.nanoTime();
        Table table;
        try {
            table = reader.read(files);
        } catch (IllegalArgumentException e) {
            throw new InputRejectedException(role, e);
        }
        log.accept(
                String.format(
                        Locale.ROOT,
                        "read %s data: %d rows from %d file(s) in %.2fs",
                        role,
                        table.rowCount(),
                        table.sources().size(),
                        (System.nanoTime() - start) / 1e9));
        return table;
    }
}
