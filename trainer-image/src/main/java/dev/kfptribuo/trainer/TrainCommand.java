package dev.kfptribuo.trainer;

import dev.kfptribuo.cli.ExecutorInputOption;
import dev.kfptribuo.cli.GcsOptions;
import dev.kfptribuo.cli.OutputPlaces;
import dev.kfptribuo.cli.PathConverters;
import dev.kfptribuo.cli.PythonBoolean;
import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.data.NonNumericValueException;
import dev.kfptribuo.executor.ExecutorInput;
import dev.kfptribuo.executor.ExecutorInputException;
import dev.kfptribuo.executor.ExecutorOutput;
import dev.kfptribuo.executor.UnmanagedContainerModel;
import dev.kfptribuo.hypertune.HypertuneReporter;
import dev.kfptribuo.io.FileErrors;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.KfpOutputs;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.BinaryLoss;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.model.SgdClassifierTrainer;
import dev.kfptribuo.training.TrainingJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code train} program: the lab's {@code train.py} on Tribuo, flag for flag.
 *
 * <p>Tuning mode ({@code --hptune True}) fits on the training data, scores accuracy on the
 * validation data and reports it in the cloudml-hypertune file; final mode fits on training plus
 * validation data and saves the model bundle to the job dir (and to {@code AIP_MODEL_DIR} on Vertex
 * AI).
 *
 * <p>KFP v2 ({@code --executor-input}, the v2 spec; final mode only): once the model is saved, the
 * executor output holds the output parameter {@value #JOB_DIR} and the {@code
 * google.UnmanagedContainerModel} artifact {@value #MODEL} whose URI is the job dir and whose
 * metadata names the serving container ({@link ServingContainerOptions}), the input Google Cloud
 * Pipeline Components' {@code ModelUploadOp} takes.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Trains the lab's covertype classifier (standardised numeric columns, one-hot categorical "
                    + "columns, linear SGD with an L2 penalty) on Tribuo.",
            "Tuning mode (--hptune True) scores accuracy on the validation data and writes it to the "
                    + "cloudml-hypertune metric file ($CLOUD_ML_HP_METRIC_FILE, default "
                    + HypertuneReporter.DEFAULT_METRIC_FILE
                    + "); no model is saved.",
            "Final mode (--hptune False, the default) trains on training plus validation data and saves "
                    + ModelBundle.MODEL_FILE
                    + " (plain Tribuo), "
                    + ModelBundle.ONNX_FILE
                    + " and "
                    + ModelBundle.MANIFEST_FILE
                    + " to --job-dir and to $AIP_MODEL_DIR when set.",
            "Paths are local files or gs:// URIs, may end in a wildcard such as data-*.csv, and may be gzip."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:runtime error (bad data, I/O, diverged fit)",
            "2:usage error"
        })
final class TrainCommand implements Callable<Integer> {
    /** Vertex AI's model output directory variable. */
    static final String AIP_MODEL_DIR = "AIP_MODEL_DIR";

    /** The v2 spec's output parameter: the job dir, once the model is saved there. */
    static final String JOB_DIR = "job_dir";

    /** The v2 spec's output artifact: the model in the job dir, with its serving container. */
    static final String MODEL = "model";

    @Spec private CommandSpec spec;

    @Mixin private GcsOptions gcs;

    @Mixin private ExecutorInputOption executorInput;

    @Mixin private ServingContainerOptions serving;

    @Option(
            names = {"--job-dir", "--job_dir"},
            paramLabel = "DIR",
            converter = PathConverters.JobDir.class,
            description =
                    "Where final mode saves the model (local or gs://). On Vertex AI, AIP_MODEL_DIR (from the"
                            + " job's baseOutputDirectory) names it too; the retired AI Platform passed"
                            + " --job-dir.")
    private String jobDir;

    @Option(
            names = {"--training_dataset_path", "--training-dataset-path"},
            required = true,
            paramLabel = "PATH",
            converter = PathConverters.Dataset.class,
            description = "Training CSV with a header.")
    private String trainingPath;

    @Option(
            names = {"--validation_dataset_path", "--validation-dataset-path"},
            paramLabel = "PATH",
            converter = PathConverters.Dataset.class,
            description =
                    "Validation CSV: scored in tuning mode, added to the training data in final mode.")
    private String validationPath;

    @Option(
            names = "--alpha",
            paramLabel = "FLOAT",
            defaultValue = "0.0001",
            converter = NumberConverters.FiniteDouble.class,
            description =
                    "L2 penalty strength, > 0 (scikit-learn's alpha). Default: ${DEFAULT-VALUE}.")
    private double alpha;

    @Option(
            names = {"--max_iter", "--max-iter"},
            paramLabel = "INT",
            defaultValue = "1000",
            converter = NumberConverters.WholeNumber.class,
            description = "Maximum number of epochs, >= 1. Default: ${DEFAULT-VALUE}.")
    private int maxIter;

    @Option(
            names = "--hptune",
            arity = "0..1",
            paramLabel = "BOOL",
            fallbackValue = "true",
            converter = PythonBoolean.class,
            description = "Tuning mode: True or False, or bare --hptune for True.")
    private Boolean hptune;

    @Option(names = "--nohptune", description = "Final mode, the same as --hptune False.")
    private boolean noHptune;

    // The program takes no positional arguments. A word after a bare --hptune that is not a boolean
    // (--hptune maybe) lands here, so the error can say what --hptune takes.
    @Parameters(hidden = true, paramLabel = "ARG")
    private List<String> strayArguments = new ArrayList<>();

    @Option(
            names = "--tol",
            paramLabel = "FLOAT|none",
            defaultValue = "0.001",
            converter = NumberConverters.Tolerance.class,
            description =
                    "Stop when the epoch loss improves by less than tol * rows for "
                            + "--n_iter_no_change epochs; 'none' runs all --max_iter epochs. Default: ${DEFAULT-VALUE}.")
    private Double tol;

    @Option(
            names = {"--n_iter_no_change", "--n-iter-no-change"},
            paramLabel = "INT",
            defaultValue = "" + SgdClassifierTrainer.DEFAULT_N_ITER_NO_CHANGE,
            converter = NumberConverters.WholeNumber.class,
            description = "Epochs without improvement before stopping. Default: ${DEFAULT-VALUE}.")
    private int nIterNoChange;

    @Option(
            names = "--loss",
            paramLabel = "log|hinge",
            defaultValue = "log",
            description =
                    "Loss of each one-vs-rest classifier: log (logistic regression, the lab's) "
                            + "or hinge (linear SVM). Default: ${DEFAULT-VALUE}.")
    private String loss;

    @Option(
            names = "--seed",
            paramLabel = "INT",
            defaultValue = "0",
            description = "Seed of the per-epoch shuffles. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(
            names = {"--hyperparameter_metric_tag", "--hyperparameter-metric-tag"},
            paramLabel = "TAG",
            defaultValue = "accuracy",
            description =
                    "Metric tag reported in tuning mode (the job's hyperparameterMetricTag). "
                            + "Default: ${DEFAULT-VALUE}.")
    private String metricTag;

    @Option(
            names = {"--label_column", "--label-column"},
            paramLabel = "NAME",
            defaultValue = "Cover_Type",
            description = "Label column. Default: ${DEFAULT-VALUE}.")
    private String labelColumn;

    @Option(
            names = {"--categorical_columns", "--categorical-columns"},
            paramLabel = "NAMES",
            split = ",",
            defaultValue = "Wilderness_Area,Soil_Type",
            description =
                    "Comma-separated categorical (one-hot) columns; all other columns but the label "
                            + "are numeric. Default: ${DEFAULT-VALUE}.")
    private List<String> categoricalColumns;

    @Option(
            names = {"--ignore_columns", "--ignore-columns"},
            paramLabel = "NAMES",
            split = ",",
            description =
                    "Comma-separated columns to leave out of the model (an id, free text); each must be in "
                            + "the data. Default: none.")
    private List<String> ignoreColumns = new ArrayList<>();

    @Option(
            names = {"--job-dir-output", "--job_dir_output"},
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description =
                    "Output job_dir (String): final mode writes the model directory (--job-dir, else "
                            + "$AIP_MODEL_DIR) to this file once the model is saved there; for KFP's {outputPath}. "
                            + "Parent directories are created. A path inside a model directory, or an input file, is a "
                            + "usage error.")
    private String jobDirOutput;

    private final PrintWriter out;
    private final Map<String, String> env;

    /**
     * The KFP v2 executor input and the model artifact's serving container, or null (KFP v1,
     * bin/train).
     */
    private ExecutorInput executor;

    private UnmanagedContainerModel servingContainer;

    TrainCommand(PrintWriter out, Map<String, String> env) {
        this.out = out;
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        rejectStrayArguments();
        boolean tuning = tuningMode();
        Hyperparameters hyperparameters = hyperparameters();
        ColumnSchema schema = schema();
        List<Location> modelDirs = tuning ? List.of() : modelDirs();
        if (tuning && validationPath == null) {
            throw usage("tuning mode (--hptune True) needs --validation_dataset_path");
        }
        if (tuning && jobDirOutput != null) {
            throw usage("--job-dir-output: tuning mode (--hptune True) saves no model");
        }

        executorInput(tuning);
        // Listed now, not read: the outputs may not land on them.
        List<InputFile> trainingFiles = expand(trainingPath, "training");
        List<InputFile> validationFiles =
                validationPath == null ? null : expand(validationPath, "validation");
        String output = executor == null ? jobDirOutput : executor.outputFile();
        if (output != null) {
            checkOutputPlace(output, trainingFiles, validationFiles);
        }
        KfpOutputs.check(output);
        if (tuning) {
            checkMetricFile();
        }
        // Take the model directories before reading or training: one that cannot be made, or that
        // another train run holds, fails the run at once, and before a bundle lands in another one.
        try (JobDirWriter writer = tuning ? null : openModelDirs(modelDirs)) {
            return train(
                    tuning,
                    hyperparameters,
                    schema,
                    modelDirs,
                    writer,
                    trainingFiles,
                    validationFiles);
        }
    }

    /**
     * Refuses an output inside a model directory (it could overwrite the manifest, or the save it)
     * or on an input file.
     */
    private void checkOutputPlace(
            String output, List<InputFile> trainingFiles, List<InputFile> validationFiles)
            throws IOException {
        String saves = "train saves the model there";
        OutputPlaces places = new OutputPlaces(spec);
        if (jobDir != null) {
            places.directory("--job-dir", Location.parse(jobDir), saves);
        }
        String aipModelDir = env.get(AIP_MODEL_DIR);
        if (aipModelDir != null && !aipModelDir.isBlank()) {
            places.directory("$" + AIP_MODEL_DIR, Location.parse(aipModelDir), saves);
        }
        places.files("--training_dataset_path", trainingFiles, "train reads it");
        if (validationFiles != null) {
            places.files("--validation_dataset_path", validationFiles, "train reads it");
        }
        places.check(
                Map.of(
                        executor == null
                                ? "--job-dir-output"
                                : ExecutorInput.FLAG + " outputs.outputFile",
                        output));
    }

    /** The hypertune metric file must be writable before the fit, not found not to be after it. */
    private void checkMetricFile() throws IOException {
        Path metricFile = HypertuneReporter.fromEnvironment(env).metricFile();
        try {
            KfpOutputs.check(metricFile.toString());
        } catch (FileSystemException e) {
            throw new IOException(
                    "$"
                            + HypertuneReporter.METRIC_FILE_ENV
                            + " (the hypertune metric file, default "
                            + HypertuneReporter.DEFAULT_METRIC_FILE
                            + "): "
                            + FileErrors.describe(e),
                    e);
        }
    }

    private JobDirWriter openModelDirs(List<Location> modelDirs) throws IOException {
        try {
            return JobDirWriter.open(modelDirs, line -> log("%s", line));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(e.getFile() + ": exists and is not a directory", e);
        } catch (FileSystemException e) {
            String file = e.getFile() == null ? "" : e.getFile();
            throw new IOException(
                    file
                            + (file.endsWith(JobDirWriter.LOCK_FILE)
                                    ? ": cannot create the job dir's lock file ("
                                    : ": cannot create the model directory (")
                            + FileErrors.reason(e)
                            + ")",
                    e);
        }
    }

    private int train(
            boolean tuning,
            Hyperparameters hyperparameters,
            ColumnSchema schema,
            List<Location> modelDirs,
            JobDirWriter writer,
            List<InputFile> trainingFiles,
            List<InputFile> validationFiles)
            throws IOException {
        TrainingJob.Config config =
                new TrainingJob.Config(
                        hyperparameters,
                        schema,
                        trainingFiles,
                        validationFiles,
                        tuning
                                ? new TrainingJob.Tuning(
                                        metricTag, HypertuneReporter.fromEnvironment(env))
                                : null);
        TrainingJob.Outcome outcome;
        try {
            outcome = TrainingJob.run(config, writer, line -> log("%s", line));
        } catch (TrainingJob.InputRejectedException e) {
            throw usage("--" + e.role() + "_dataset_path: " + e.getMessage());
        } catch (NonNumericValueException e) {
            // Every column not declared otherwise is numeric: say how to declare a text column,
            // or, when rows before it held numbers there (errors come in file order), ask about a
            // typo first.
            throw new DataFormatException(
                    e.getMessage()
                            + (e.line() > 2
                                    ? " (the rows before it hold numbers there: a typo? If the"
                                            + " column is text, declare it"
                                    : " (a text column: declare it")
                            + " with --categorical_columns "
                            + e.column()
                            + " to one-hot encode it, or leave it out with --ignore_columns "
                            + e.column()
                            + ")");
        }
        if (outcome instanceof TrainingJob.Saved saved) {
            writeOutputs(saved.manifest(), modelDirs);
        }
        return 0;
    }

    private void writeOutputs(Manifest saved, List<Location> modelDirs) throws IOException {
        for (Location dir : modelDirs) {
            log(
                    "model saved: %s (%s and %s)",
                    dir.resolve(ModelBundle.MANIFEST_FILE),
                    saved.model().file(),
                    saved.onnx().file());
        }
        if (jobDirOutput != null) {
            KfpOutputs.writeString(jobDirOutput, modelDirs.get(0).toString());
            log("job_dir -> %s", jobDirOutput);
        }
        if (executor != null) {
            String dir = modelDirs.get(0).toString();
            new ExecutorOutput(executor)
                    .string(JOB_DIR, dir)
                    .artifact(
                            MODEL,
                            UnmanagedContainerModel.SCHEMA_TITLE,
                            dir,
                            servingContainer.metadata())
                    .commit();
            log(
                    "executor output -> %s (model %s, served by %s)",
                    executor.outputFile(), dir, servingContainer.imageUri());
        }
    }

    /**
     * Reads {@code --executor-input}, checked to name the v2 spec's outputs, and the serving
     * container its model artifact names; without it, refuses the serving flags.
     */
    private void executorInput(boolean tuning) {
        Map<String, String> outputFlags = new HashMap<>();
        outputFlags.put("--job-dir-output", jobDirOutput);
        executor = executorInput.parse(outputFlags);
        if (executor == null) {
            if (serving.image != null) {
                throw usage(
                        "--serving-image names the serving container of the KFP v2 model artifact: it needs "
                                + "--executor-input");
            }
            return;
        }
        if (tuning) {
            throw new ExecutorInputException(
                    ExecutorInput.FLAG
                            + ": tuning mode (--hptune True) saves no model, "
                            + "so it has no outputs: the v2 spec runs final mode");
        }
        executor.requireParameters(JOB_DIR);
        executor.artifact(MODEL, UnmanagedContainerModel.SCHEMA_TITLE);
        try {
            servingContainer = serving.container();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private void rejectStrayArguments() {
        if (strayArguments.isEmpty()) {
            return;
        }
        String stray = strayArguments.get(0);
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int at = args.indexOf(stray);
        if (at > 0 && args.get(at - 1).equals("--hptune")) {
            throw usage("--hptune: expected True or False (or no value), got '" + stray + "'");
        }
        throw usage(
                "unexpected argument '" + stray + "': every value follows its flag (see --help)");
    }

    private boolean tuningMode() {
        if (noHptune && Boolean.TRUE.equals(hptune)) {
            throw usage("--hptune True and --nohptune contradict each other");
        }
        return Boolean.TRUE.equals(hptune);
    }

    private Hyperparameters hyperparameters() {
        if (!(alpha > 0)) {
            throw usage("--alpha must be > 0, got " + alpha);
        }
        if (maxIter < 1) {
            throw usage("--max_iter must be >= 1, got " + maxIter);
        }
        if (nIterNoChange < 1) {
            throw usage("--n_iter_no_change must be >= 1, got " + nIterNoChange);
        }
        if (tol != null && tol < 0) {
            // scikit-learn's SGDClassifier refuses it too (tol in [0, inf) or None).
            throw usage("--tol must be >= 0 or none, got " + tol);
        }
        BinaryLoss binaryLoss;
        try {
            binaryLoss = BinaryLoss.parse(loss);
        } catch (IllegalArgumentException e) {
            throw usage("--loss: " + e.getMessage());
        }
        return new Hyperparameters(binaryLoss, alpha, maxIter, tol, nIterNoChange, seed);
    }

    private ColumnSchema schema() {
        List<String> categorical = columnList(categoricalColumns, "--categorical_columns");
        List<String> ignored = columnList(ignoreColumns, "--ignore_columns");
        for (String column : ignored) {
            if (categorical.contains(column)) {
                throw usage(
                        "column "
                                + column
                                + " is in both --categorical_columns and --ignore_columns");
            }
            if (column.equals(labelColumn.strip())) {
                throw usage("--ignore_columns names the label column " + column);
            }
        }
        try {
            return new ColumnSchema(labelColumn.strip(), categorical).ignoring(ignored);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private List<String> columnList(List<String> names, String flag) {
        List<String> columns = new ArrayList<>();
        for (String column : names) {
            if (!column.isBlank()) {
                columns.add(column.strip());
            }
        }
        if (new LinkedHashSet<>(columns).size() != columns.size()) {
            throw usage(flag + " names a column twice: " + String.join(",", columns));
        }
        return columns;
    }

    private List<Location> modelDirs() {
        List<Location> dirs = new ArrayList<>();
        for (String dir : new String[] {jobDir, env.get(AIP_MODEL_DIR)}) {
            if (dir != null && !dir.isBlank()) {
                Location location;
                try {
                    location = Location.parse(dir);
                } catch (IllegalArgumentException e) {
                    throw usage("model directory: " + e.getMessage());
                }
                if (dirs.stream().noneMatch(location::isSameDirectoryAs)) {
                    dirs.add(location);
                }
            }
        }
        if (dirs.isEmpty()) {
            throw usage("final mode needs --job-dir (or " + AIP_MODEL_DIR + " on Vertex AI)");
        }
        return dirs;
    }

    private List<InputFile> expand(String path, String role) throws IOException {
        try {
            return InputFiles.expand(path);
        } catch (IllegalArgumentException e) {
            throw usage("--" + role + "_dataset_path: " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void log(String format, Object... args) {
        out.println("train: " + String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
