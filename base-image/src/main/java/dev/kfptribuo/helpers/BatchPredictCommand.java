package dev.kfptribuo.helpers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.batch.BatchPrediction;
import dev.kfptribuo.batch.InstancesFormat;
import dev.kfptribuo.batch.PredictionsFormat;
import dev.kfptribuo.cli.ExecutorInputOption;
import dev.kfptribuo.cli.GcsOptions;
import dev.kfptribuo.cli.OutputPlaces;
import dev.kfptribuo.cli.PathConverters;
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
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code batch_predict} component: a saved model's predictions for every instance of a dataset,
 * in Vertex AI batch prediction's output shape ({@link BatchPrediction}).
 *
 * <p>KFP v2 ({@code --executor-input}, the v2 spec): the predictions directory is the {@code
 * system.Dataset} output artifact {@value #PREDICTIONS}, written at the artifact's URI ({@link
 * ExecutorInput#artifactLocation}), and {@code predicted_rows} and {@code bad_rows} are output
 * parameters of the executor output, written after the directory is whole.
 */
@Command(
        name = "batch-predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Predicts every instance of a dataset with a model saved by train (its job dir) and writes the "
                    + "predictions as Vertex AI batch prediction does: JSON Lines of {\"instance\": ..., "
                    + "\"prediction\": {\"label\", \"classes\", \"scores\"}} in files "
                    + "prediction.results-NNNNN-of-NNNNN, or CSV.",
            "scores are scikit-learn's predict_proba for log-loss models, decision values for hinge.",
            "Instances: CSV with a header as the trainer reads it (the label column may be there or not; "
                    + "columns the model does not use are kept in the output, never read), or JSON Lines of "
                    + "objects (column: value) or arrays in the model's column order.",
            "A bad row goes to "
                    + BatchPrediction.ERRORS_FILE
                    + " with its file, line and reason; more than "
                    + "--max-bad-rows of them fail the command, which then writes nothing."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:runtime error (bad data, too many bad rows, I/O)",
            "2:usage error"
        })
final class BatchPredictCommand implements Callable<Integer> {
    /** The v2 spec's output artifact: the predictions directory, a {@code system.Dataset}. */
    static final String PREDICTIONS = "predictions";

    /** The artifact's type. */
    static final String DATASET = "system.Dataset";

    /** The v2 spec's output parameters. */
    static final String PREDICTED_ROWS = "predicted_rows", BAD_ROWS = "bad_rows";

    @Spec private CommandSpec spec;

    @Mixin private GcsOptions gcs;

    @Mixin private ExecutorInputOption executorInput;

    @Option(
            names = {"--dataset-path", "--dataset_path"},
            required = true,
            paramLabel = "PATH",
            converter = PathConverters.Dataset.class,
            description = "The instances: local or gs://, a wildcard of shards, gzip detected.")
    private String datasetPath;

    @Mixin private ModelPathOption model;

    @Option(
            names = {"--predictions-dir", "--predictions_dir"},
            paramLabel = "DIR",
            converter = PathConverters.Directory.class,
            description =
                    "Output predictions: the directory the files go to (local or gs://; KFP's "
                            + "{outputPath}). It appears whole or not at all. An existing local one is replaced only when "
                            + "it holds nothing but an earlier run's prediction.results-* and prediction.errors_stats-* "
                            + "files (or nothing); anything else in it refuses the run (exit 1), as does a gs:// prefix or "
                            + "bucket that holds objects, and a directory that is, holds or lies inside --model-path or "
                            + "holds an input. "
                            + "Required, unless --executor-input names it (the predictions artifact's URI).")
    private String predictionsDir;

    @Option(
            names = {"--instances-format", "--instances_format"},
            paramLabel = "auto|csv|jsonl",
            defaultValue = "auto",
            description =
                    "How the instances are stored; auto: jsonl for names ending in .jsonl or .json "
                            + "(before .gz), else csv. Default: ${DEFAULT-VALUE}.")
    private String instancesFormat;

    @Option(
            names = {"--predictions-format", "--predictions_format"},
            paramLabel = "jsonl|csv",
            defaultValue = "jsonl",
            description =
                    "How the predictions are written; csv: the instance's columns (a JSON Lines instance's "
                            + "keys, as the first instance names them), predicted_label and a probability_<class> "
                            + "(score_<class>) column per class; an instance column of one of those names is refused. "
                            + "Default: ${DEFAULT-VALUE}.")
    private String predictionsFormat;

    @Option(
            names = {"--max-bad-rows", "--max_bad_rows"},
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Bad rows allowed before the command fails, >= 0. Default: ${DEFAULT-VALUE}.")
    private long maxBadRows;

    @Option(
            names = {"--rows-per-shard", "--rows_per_shard"},
            paramLabel = "N",
            defaultValue = "" + BatchPrediction.DEFAULT_ROWS_PER_SHARD,
            description = "Rows per predictions file, >= 1. Default: ${DEFAULT-VALUE}.")
    private long rowsPerShard;

    @Option(
            names = "--predicted-rows-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output predicted_rows (Integer).")
    private String predictedRowsOutput;

    @Option(
            names = "--bad-rows-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output bad_rows (Integer).")
    private String badRowsOutput;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        // Checked here, not only by the Config, so that the error names the flag.
        if (maxBadRows < 0) {
            throw new ParameterException(
                    spec.commandLine(), "--max-bad-rows must be at least 0, got " + maxBadRows);
        }
        if (rowsPerShard < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--rows-per-shard must be at least 1, got " + rowsPerShard);
        }
        ExecutorInput executor = executorInput();
        Location predictions;
        if (executor != null) {
            predictions = executor.artifactLocation(PREDICTIONS, DATASET);
        } else if (predictionsDir == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Missing required option: '--predictions-dir=DIR' "
                            + "(or --executor-input naming the predictions artifact)");
        } else {
            try {
                predictions = Location.parse(predictionsDir);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(), "--predictions-dir: " + e.getMessage());
            }
        }
        BatchPrediction.Config config;
        try {
            config =
                    new BatchPrediction.Config(
                            datasetPath,
                            InstancesFormat.parse(instancesFormat, datasetPath),
                            model.location(),
                            predictions,
                            PredictionsFormat.parse(predictionsFormat),
                            maxBadRows,
                            rowsPerShard,
                            Runtime.getRuntime().availableProcessors());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, String> outputs =
                executor == null
                        ? outputFlags(false)
                        : Map.of(ExecutorInput.FLAG + " outputs.outputFile", executor.outputFile());
        List<InputFile> files =
                InputFiles.expand(datasetPath); // listed, not read: no output may land on them
        new OutputPlaces(spec)
                .directory(
                        ModelPathOption.FLAG,
                        config.modelDir(),
                        "batch-predict reads the model there")
                .directory(
                        executor == null
                                ? "--predictions-dir"
                                : ExecutorInput.FLAG + "'s predictions artifact",
                        predictions,
                        "batch-predict writes the predictions there")
                .files("--dataset-path", files, "batch-predict reads it")
                .check(outputs);
        try {
            BatchPrediction.checkPlaces(config, files);
        } catch (BatchPrediction.PredictionsDirException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        KfpOutputs.check(outputs.values().toArray(String[]::new));
        BatchPrediction.Result result =
                BatchPrediction.run(
                        config,
                        files,
                        line -> {
                            out.println("batch-predict: " + line);
                            out.flush();
                        });
        if (executor == null) {
            new KfpOutputs()
                    .integer(predictedRowsOutput, result.predictedRows())
                    .integer(badRowsOutput, result.badRows())
                    .commit();
        } else {
            new ExecutorOutput(executor)
                    .integer(PREDICTED_ROWS, result.predictedRows())
                    .integer(BAD_ROWS, result.badRows())
                    .artifact(
                            PREDICTIONS,
                            DATASET,
                            null,
                            (ObjectNode) executor.artifact(PREDICTIONS, DATASET).get("metadata"))
                    .commit();
            out.println("batch-predict: executor output -> " + executor.outputFile());
            out.flush();
        }
        return 0;
    }

    /**
     * @param withDirectory whether to list {@code --predictions-dir} too
     * @return the output flags and their paths (null: not given)
     */
    private Map<String, String> outputFlags(boolean withDirectory) {
        Map<String, String> outputFlags = new LinkedHashMap<>();
        if (withDirectory) {
            outputFlags.put("--predictions-dir", predictionsDir);
        }
        outputFlags.put("--predicted-rows-output", predictedRowsOutput);
        outputFlags.put("--bad-rows-output", badRowsOutput);
        return outputFlags;
    }

    /**
     * The executor input, checked to name every output of the v2 spec, or null without {@code
     * --executor-input}.
     */
    private ExecutorInput executorInput() {
        ExecutorInput executor = executorInput.parse(outputFlags(true));
        if (executor != null) {
            executor.requireParameters(PREDICTED_ROWS, BAD_ROWS);
            executor.artifact(PREDICTIONS, DATASET);
        }
        return executor;
    }
}
