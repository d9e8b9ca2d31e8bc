package dev.kfptribuo.batch;

import dev.kfptribuo.data.CsvRowStream;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.UnseenCategories;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Batch prediction: a model's predictions for every instance of a dataset, written as files in the
 * shape of Vertex AI batch prediction's outputs.
 *
 * <p>Streamed: the instances are read, predicted and written piece by piece on parallel threads
 * ({@link CsvRowStream}, {@link JsonLinesStream}), so memory stays constant in the number of rows.
 * A row that cannot be predicted (a missing or non-numeric value, malformed JSON, the wrong number
 * of fields) goes to {@value #ERRORS_FILE} with its file, line and reason; when more than {@link
 * Config#maxBadRows()} rows are bad, the job fails and writes nothing. Outputs appear whole or not
 * at all ({@link StagedDirectory}).
 *
 * <p>Before anything is read, the predictions directory is checked ({@link PredictionsDir}): it may
 * not be, hold or lie inside the model's job dir, nor hold an input file; an existing local one is
 * replaced only when it holds nothing but an earlier run's output files, and a gs:// one (a prefix,
 * or a bucket's root) must be empty. CSV predictions may not name a column twice: an instance
 * column that is one of the columns they add ({@code predicted_label}, {@code probability_<class>})
 * fails the job before anything is written.
 */
public final class BatchPrediction {
    /** The errors file, as Vertex AI names it; written only when some rows were bad. */
    public static final String ERRORS_FILE = "prediction.errors_stats-00000-of-00001";

    /** Rows per predictions file by default. */
    public static final long DEFAULT_ROWS_PER_SHARD = 100_000;

    /**
     * What to predict and where to write it.
     *
     * @param datasetPath the instances: a local path or gs:// URI, a wildcard of shards, gzip or
     *     not
     * @param instancesFormat how the instances are stored
     * @param modelDir the model's job dir
     * @param predictionsDir the directory the predictions files go to (KFP {@code outputPath})
     * @param predictionsFormat how the predictions are written
     * @param maxBadRows how many bad rows are allowed before the job fails, at least 0
     * @param rowsPerShard rows per predictions file, at least 1
     * @param threads worker threads, at least 1
     */
    public record Config(
            String datasetPath,
            InstancesFormat instancesFormat,
            Location modelDir,
            Location predictionsDir,
            PredictionsFormat predictionsFormat,
            long maxBadRows,
            long rowsPerShard,
            int threads) {
        /**
         * @throws IllegalArgumentException naming the setting that is out of range
         */
        public Config {
            if (maxBadRows < 0) {
                throw new IllegalArgumentException(
                        "max bad rows must be at least 0, got " + maxBadRows);
            }
            if (rowsPerShard < 1) {
                throw new IllegalArgumentException(
                        "rows per shard must be at least 1, got " + rowsPerShard);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
        }
    }

    /**
     * What a job did.
     *
     * @param predictedRows rows predicted
     * @param badRows rows that could not be predicted
     * @param files the files written, in the predictions directory
     */
    public record Result(long predictedRows, long badRows, List<Location> files) {}

    /**
     * The predictions directory may not be written: it holds files batch prediction did not write,
     * or is, holds or lies inside the model or an input. Nothing was read or written; the message
     * is one line naming the directory and what is in the way.
     */
    public static final class PredictionsDirException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PredictionsDirException(String message) {
            super(message);
        }
    }

    /** More bad rows than allowed: the job stops and writes nothing. */
    public static final class TooManyBadRowsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyBadRowsException(String message) {
            super(message);
        }
    }

    private BatchPrediction() {}

    /**
     * Runs a batch prediction.
     *
     * @param config what to predict and where
     * @param log receives progress lines and the first bad rows' reasons
     * @return what was done
     * @throws PredictionsDirException if the predictions directory may not be written, before
     *     anything is read
     * @throws TooManyBadRowsException if more than {@code maxBadRows} rows are bad
     * @throws dev.kfptribuo.data.DataFormatException if the instances cannot be read at all (no
     *     file, a header without a model column, malformed CSV) or, for CSV predictions, have a
     *     column the predictions add
     * @throws IOException if the model, the instances or the outputs cannot be read or written
     */
    public static Result run(Config config, Consumer<String> log) throws IOException {
        return run(config, InputFiles.expand(config.datasetPath()), log);
    }

    /**
     * Refuses a predictions directory that is, holds or lies inside the model's job dir, or holds
     * one of the input files: a conflict of the flags alone, which {@link #run} checks too, for a
     * command to report as a usage error before anything else.
     *
     * @param config what to predict and where
     * @param files the instances' files, as {@link InputFiles#expand} lists them
     * @throws PredictionsDirException naming both places
     * @throws IOException if a local path cannot be resolved
     */
    public static void checkPlaces(Config config, List<InputFile> files) throws IOException {
        PredictionsDir.checkPlace(config.predictionsDir(), config.modelDir(), files);
    }

    /**
     * Runs a batch prediction on instance files already listed.
     *
     * @param config what to predict and where
     * @param files the instances' files, as {@link InputFiles#expand} lists {@code
     *     config.datasetPath()}
     * @param log receives progress lines and the first bad rows' reasons
     * @return what was done
     * @throws IOException as {@link #run(Config, Consumer)} throws it, and its other exceptions
     *     likewise
     */
    public static Result run(Config config, List<InputFile> files, Consumer<String> log)
            throws IOException {
        checkPlaces(config, files);
        try (StagedDirectory staged = StagedDirectory.create(config.predictionsDir(), log)) {
            Predictor predictor = Predictor.load(config.modelDir(), "the model");
            try (Output output = new Output(staged.path(), config, log)) {
                return predict(config, log, files, predictor, staged, output);
            }
        }
    }

    /** Predicts every instance into the staging directory, then publishes it. */
    private static Result predict(
            Config config,
            Consumer<String> log,
            List<InputFile> files,
            Predictor predictor,
            StagedDirectory staged,
            Output output)
            throws IOException {
        PredictionsFormat format = config.predictionsFormat();
        // Big enough for a piece's predictions in JSON Lines (about 2.5 MB from 256 KiB of CSV).
        LineBuffer.Pool buffers = new LineBuffer.Pool(4 << 20);
        long start = System.nanoTime();
        long read;
        if (config.instancesFormat() == InstancesFormat.CSV) {
            CsvRowStream stream =
                    new CsvRowStream(
                            predictor.inputSchema(false),
                            config.threads(),
                            CsvRowStream.DEFAULT_CHUNK_BYTES);
            CsvRowStream.Summary summary =
                    stream.read(
                            files,
                            new CsvInstances(predictor, format, buffers),
                            piece -> output.accept(piece, predictor));
            if (!summary.unusedColumns().isEmpty()) {
                log.accept(
                        "columns the model does not use, not read: "
                                + String.join(", ", summary.unusedColumns()));
            }
            read = summary.rows();
        } else {
            JsonCsvColumns columns =
                    format == PredictionsFormat.CSV ? csvColumns(files, predictor) : null;
            read =
                    new JsonLinesStream(config.threads(), JsonLinesStream.PIECE_BYTES)
                            .read(
                                    files,
                                    new JsonLinesInstances(predictor, format, columns, buffers),
                                    piece -> output.accept(piece, predictor));
        }
        Output.Counts counts = output.finish();
        if (output.unseen != null && output.unseen.rows() > 0) {
            log.accept(
                    String.format(
                            Locale.ROOT,
                            "%d row(s) hold categories unseen in training, predicted without them: %s",
                            output.unseen.rows(),
                            output.unseen.describe()));
        }
        if (counts.predicted() + counts.bad() == 0) {
            throw new DataFormatException(
                    config.datasetPath() + ": no instances (only blank lines)");
        }
        if (counts.bad() > 0) {
            log.accept(
                    String.format(
                            Locale.ROOT,
                            "%d bad row(s), at most %d allowed (--max-bad-rows): written to %s",
                            counts.bad(),
                            config.maxBadRows(),
                            ERRORS_FILE));
        }
        List<Location> published = staged.publish();
        log.accept(
                String.format(
                        Locale.ROOT,
                        "%d row(s) predicted from %d file(s) (%d %s) in %.2fs; %d file(s) in %s",
                        counts.predicted(),
                        files.size(),
                        read,
                        config.instancesFormat() == InstancesFormat.CSV ? "data rows" : "lines",
                        (System.nanoTime() - start) / 1e9,
                        published.size(),
                        config.predictionsDir()));
        return new Result(counts.predicted(), counts.bad(), published);
    }

    /**
     * The instance columns of CSV predictions of JSON Lines instances, checked for a column the
     * predictions add.
     */
    private static JsonCsvColumns csvColumns(List<InputFile> files, Predictor predictor)
            throws IOException {
        JsonCsvColumns columns = JsonCsvColumns.of(files, predictor.inputColumns());
        String clash =
                PieceEncoder.clash(
                        columns.names(), predictor.classes(), predictor.hasProbabilities());
        if (clash != null) {
            throw new DataFormatException(
                    columns.source() + ": key " + clash + ": " + PieceEncoder.clashMessage());
        }
        return columns;
    }

    /** Where the pieces' lines go, on the calling thread; counts the bad rows as they come. */
    private static final class Output implements AutoCloseable {
        record Counts(long predicted, long bad) {}

        private final Path dir;
        private final Config config;
        private final Consumer<String> log;
        private ShardedWriter predictions;
        private ShardedWriter errors;
        private long logged;
        private String firstError;
        private UnseenCategories unseen;

        Output(Path dir, Config config, Consumer<String> log) {
            this.dir = dir;
            this.config = config;
            this.log = log;
        }

        void accept(PieceEncoder.Encoded piece, Predictor predictor) throws IOException {
            PredictionsFormat format = config.predictionsFormat();
            if (predictions == null) {
                byte[] header = null;
                if (format == PredictionsFormat.CSV) {
                    header =
                            PieceEncoder.csvLine(
                                    PieceEncoder.csvHeader(
                                            piece.instanceColumns(),
                                            predictor.classes(),
                                            predictor.hasProbabilities()));
                }
                predictions =
                        new ShardedWriter(
                                dir,
                                format.fileName(),
                                format.suffix(),
                                config.rowsPerShard(),
                                header);
                errors =
                        new ShardedWriter(dir, "prediction.errors_stats", "", Long.MAX_VALUE, null);
            }
            if (unseen == null) {
                unseen = piece.unseen();
            } else {
                unseen.add(piece.unseen());
            }
            for (String message : piece.errorMessages()) {
                firstError = firstError == null ? message : firstError;
                if (logged++ < PieceEncoder.LOGGED_ERRORS) {
                    log.accept("bad row: " + message);
                }
            }
            errors.write(piece.errors().bytes(), piece.errors().ends(), piece.errors().count());
            if (errors.rows() <= config.maxBadRows()) {
                predictions.write(
                        piece.predictions().bytes(),
                        piece.predictions().ends(),
                        piece.predictions().count());
            }
            piece.release();
            if (errors.rows() > config.maxBadRows()) {
                throw new TooManyBadRowsException(
                        String.format(
                                Locale.ROOT,
                                "more than %d bad row(s) (--max-bad-rows %d); the first: %s",
                                config.maxBadRows(),
                                config.maxBadRows(),
                                firstError));
            }
        }

        Counts finish() throws IOException {
            if (predictions == null) {
                return new Counts(0, 0);
            }
            predictions.finish();
            errors.finish();
            return new Counts(predictions.rows(), errors.rows());
        }

        /** Closes the shard files left open by a failure (the staging directory then goes). */
        @Override
        public void close() throws IOException {
            if (predictions != null) {
                predictions.close();
                errors.close();
            }
        }
    }
}
