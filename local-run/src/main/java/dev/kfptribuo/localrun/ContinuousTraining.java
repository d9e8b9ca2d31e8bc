package dev.kfptribuo.localrun;

import dev.kfptribuo.cli.Programs;
import dev.kfptribuo.cli.PythonBoolean;
import dev.kfptribuo.componentyaml.ComponentSpec;
import dev.kfptribuo.evaluation.Metric;
import dev.kfptribuo.io.FileErrors;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.localrun.launch.ProjectRoot;
import dev.kfptribuo.localrun.pipeline.LocalPipeline;
import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.spec.ComponentProgram;
import dev.kfptribuo.localrun.split.RowSchema;
import dev.kfptribuo.localrun.steps.TrainStep;
import dev.kfptribuo.localrun.tuning.TuningSpec;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code bin/continuous-training}: the command line of the lab's continuous-training pipeline on
 * one machine, with its default settings, running the same programs the cloud runs.
 *
 * <p>It checks the flags (a usage error starts nothing), reads the component templates the steps
 * run ({@code component-yaml/<name>/component.yaml}, from the component-yaml jar), finds the image
 * modules' programs ({@link ProgramLauncher}), makes the run directory ({@link RunDirectory}) and
 * runs the pipeline there ({@link LocalPipeline}): split, tune, best run, train, evaluate, deploy.
 * Every run has its own directory with each step's inputs, outputs and logs, {@code run.json} and
 * {@code report.html}; a run that succeeds ends with the {@code bin/serve} and {@code curl} lines
 * that serve the version deployed last and ask it for a prediction. A failed trial does not stop
 * the study; a failed step stops the run with one line naming the step and its log, exit code 1.
 */
@Command(
        name = "continuous-training",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Runs the lab's whole continuous-training pipeline on this machine: split the source by "
                    + "MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(row))), 10), tune (6 trials, 3 at a time), retrieve the "
                    + "best run, train the final model, evaluate it on the testing split, and publish it to a local "
                    + "model registry if its metric is above the threshold and beats the baseline (the version "
                    + "deployed now) on the same rows.",
            "A run that succeeds ends with a bin/serve line that serves the version deployed last and a curl "
                    + "line that asks it for a prediction of the first testing row.",
            "Each run gets a directory under --runs-dir with every step's inputs, outputs and logs, and report.html."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (deployed or not)",
            "1:a step failed",
            "2:usage error",
            "130:interrupted (Ctrl-C; 143: SIGTERM)"
        })
public final class ContinuousTraining implements Callable<Integer> {
    /** Trials a local study may run: each is a JVM of seconds, and the search plans them all. */
    static final int MAX_LOCAL_TRIALS = 1000;

    /** Lots of a split: run.json, split.json and the report list the rows of each. */
    static final int MAX_LOTS = 1000;

    @Spec private CommandSpec spec;

    @Option(
            names = "--source",
            required = true,
            paramLabel = "PATH",
            description =
                    "The source table as CSV with a header (the lab's covertype table): local, gs://, "
                            + "a wildcard of shards, gzip.")
    private String source;

    @Option(
            names = "--runs-dir",
            paramLabel = "DIR",
            defaultValue = "runs/continuous-training",
            description = "Where run directories go. Default: ${DEFAULT-VALUE}.")
    private Path runsDir;

    @Option(
            names = "--run-id",
            paramLabel = "ID",
            description = "The run directory's name. Default: the start time.")
    private String runId;

    @Option(
            names = "--registry",
            paramLabel = "DIR",
            defaultValue = "runs/model-registry",
            description =
                    "The local model registry: models land in DIR/MODEL_ID/VERSION_ID. Default: ${DEFAULT-VALUE}.")
    private Path registry;

    @Option(
            names = "--schema",
            paramLabel = "NAME:TYPE,...",
            description =
                    "Column types of the source, as bq load takes them (INTEGER, FLOAT, STRING), for every "
                            + "column of the header in its order. Default: inferred (integers if every value is a whole number).")
    private String schema;

    @Option(
            names = "--num-lots",
            paramLabel = "N",
            defaultValue = "10",
            description = "Lots of the split. Default: ${DEFAULT-VALUE}.")
    private int numLots;

    @Option(
            names = "--training-lots",
            paramLabel = "LOTS",
            split = ",",
            defaultValue = "1,2,3,4",
            description = "Lots of the training split. Default: ${DEFAULT-VALUE}.")
    private List<Integer> trainingLots;

    @Option(
            names = "--validation-lots",
            paramLabel = "LOTS",
            split = ",",
            defaultValue = "8",
            description = "Lots of the validation split. Default: ${DEFAULT-VALUE}.")
    private List<Integer> validationLots;

    @Option(
            names = "--testing-lots",
            paramLabel = "LOTS",
            split = ",",
            defaultValue = "9",
            description = "Lots of the testing split. Default: ${DEFAULT-VALUE}.")
    private List<Integer> testingLots;

    @Option(
            names = {"--hypertune-settings", "--hypertune_settings"},
            paramLabel = "TEXT|@FILE",
            description =
                    "The tuning spec (a trainingInput with hyperparameters, JSON or a Python literal). "
                            + "Default: the lab's (6 trials, 3 at a time, max_iter DISCRETE [500, 1000], alpha DOUBLE 1e-4..1e-3).")
    private String hypertuneSettings;

    @Option(
            names = "--search-seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "Seed of the local tuning service's search. Default: ${DEFAULT-VALUE}.")
    private long searchSeed;

    @Option(
            names = {"--evaluation-metric-name", "--evaluation_metric_name"},
            paramLabel = "NAME",
            defaultValue = "accuracy",
            description = "The metric the deploy decision compares. Default: ${DEFAULT-VALUE}.")
    private String metricName;

    @Option(
            names = {"--evaluation-metric-threshold", "--evaluation_metric_threshold"},
            paramLabel = "X",
            defaultValue = "0.69",
            converter = Decimal.class,
            description = "Deploy only when the metric is above this. Default: ${DEFAULT-VALUE}.")
    private BigDecimal threshold;

    @Option(
            names = {"--model-id", "--model_id"},
            paramLabel = "ID",
            defaultValue = "covertype_classifier",
            description = "Default: ${DEFAULT-VALUE}.")
    private String modelId;

    @Option(
            names = {"--version-id", "--version_id"},
            paramLabel = "ID",
            defaultValue = "v01",
            description = "Default: ${DEFAULT-VALUE}.")
    private String versionId;

    @Option(
            names = "--baseline",
            paramLabel = "DIR|none",
            description =
                    "The model the new one must beat on the testing split to be deployed (champion/challenger): "
                            + "a job dir or registry version directory, or none. Default: the version of --model-id deployed "
                            + "now in --registry, if any.")
    private String baseline;

    @Option(
            names = {"--replace-existing-version", "--replace_existing_version"},
            paramLabel = "BOOL",
            defaultValue = "True",
            description =
                    "Replace a version that holds another model: True or False. Default: ${DEFAULT-VALUE}.")
    private String replaceExisting;

    @Option(
            names = "--trainer-classpath",
            paramLabel = "CP",
            description =
                    "Classpath of the train program (started with this JVM's java). Default: the trainer-image "
                            + "build, started as bin/train starts it (bin/lib/launch).")
    private String trainerClasspath;

    @Option(
            names = "--helpers-classpath",
            paramLabel = "CP",
            description =
                    "Classpath of the helpers program (started with this JVM's java). Default: the base-image "
                            + "build, started as bin/helpers starts it (bin/lib/launch).")
    private String helpersClasspath;

    @Option(
            names = "--trainer-jvm-options",
            paramLabel = "OPTS",
            description =
                    "JVM options of every train process, after the trainer image's own flags "
                            + "(trainer-image/target/jib-files/app/jvm-flags, its /app/jvm-flags: Serial GC, C1 only), "
                            + "which they override. Default: none.")
    private String trainerJvmOptions;

    @Option(
            names = "--helpers-jvm-options",
            paramLabel = "OPTS",
            description =
                    "JVM options of every helpers process, after the base image's own flags "
                            + "(base-image/target/jib-files/app/jvm-flags), which they override. Default: none.")
    private String helpersJvmOptions;

    /**
     * The environment, for the AIP_* variables bin/serve reads (the printed curl line follows
     * them).
     */
    private final Map<String, String> env;

    private ContinuousTraining(Map<String, String> env) {
        this.env = env;
    }

    /**
     * @param args the flags, see {@code --help}
     */
    public static void main(String[] args) {
        Programs.main(new ContinuousTraining(System.getenv()), args);
    }

    /**
     * Runs the program without exiting the JVM: the seam tests use.
     *
     * @param args the flags
     * @param out progress
     * @param err errors
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, System.getenv());
    }

    /**
     * Runs the program without exiting the JVM, with the given environment.
     *
     * @param args the flags
     * @param out progress
     * @param err errors
     * @param env environment variables ({@code AIP_HTTP_PORT} and {@code AIP_PREDICT_ROUTE}, which
     *     {@code bin/serve} reads too, set the port and route of the printed curl line)
     * @return the exit code
     */
    public static int run(
            String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        return Programs.run(new ContinuousTraining(env), args, out, err);
    }

    /**
     * Checks the flags (a usage error starts nothing), finds the programs and the component
     * templates, makes the run directory and runs the pipeline in it.
     */
    @Override
    public Integer call() throws Exception {
        checkLots();
        for (Map.Entry<String, String> id :
                Map.of("--model-id", modelId, "--version-id", versionId).entrySet()) {
            if (id.getValue().isBlank()) {
                throw usage(id.getKey() + " is empty: give a model registry name");
            }
        }
        Metric metric;
        try {
            metric = Metric.parse(metricName);
        } catch (IllegalArgumentException e) {
            throw usage("--evaluation-metric-name: " + e.getMessage());
        }
        if (!metric.higherIsBetter()) {
            // The pipeline's condition is the lab's metric_value > threshold, for every metric.
            throw usage(
                    "--evaluation-metric-name: "
                            + metric.metricName()
                            + " is lower when better, and the deploy condition is the lab's metric_value >"
                            + " threshold: it would deploy the worse models; gate on a metric where higher is"
                            + " better (accuracy, balanced_accuracy, f1, ...)");
        }
        checkDirectory("--registry", registry);
        checkDirectory("--runs-dir", runsDir);
        if (baseline != null && baseline.isBlank()) {
            throw usage(
                    "--baseline is empty: give a job dir of train, a registry version directory, or"
                            + " none");
        }
        boolean replace;
        try {
            replace = PythonBoolean.parse(replaceExisting);
        } catch (TypeConversionException e) {
            throw usage("--replace-existing-version: " + e.getMessage());
        }
        if (baseline != null
                && !baseline.isBlank()
                && !baseline.strip().equalsIgnoreCase("none")
                && !Files.isRegularFile(
                        Path.of(baseline.strip()).resolve(ModelBundle.MANIFEST_FILE))) {
            // Found here rather than at step 5, after the whole tuning.
            throw usage(
                    "--baseline: "
                            + baseline.strip()
                            + " holds no model (no "
                            + ModelBundle.MANIFEST_FILE
                            + "): give a job dir of train, a registry version directory, or none");
        }
        TuningSpec tuning;
        String settingsText = settingsText();
        try {
            tuning =
                    TuningSpec.parse(
                            settingsText,
                            hypertuneSettings != null && hypertuneSettings.startsWith("@")
                                    ? "--hypertune-settings " + hypertuneSettings
                                    : "--hypertune-settings");
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        RowSchema givenSchema;
        try {
            givenSchema = schema == null ? null : RowSchema.parse(schema);
        } catch (IllegalArgumentException e) {
            throw usage("--schema: " + e.getMessage());
        }
        List<InputFile> sources;
        try {
            sources = InputFiles.expand(source);
        } catch (IllegalArgumentException e) {
            throw usage("--source: " + e.getMessage());
        }
        // The components' templates, packaged in the component-yaml jar: the programs the steps
        // start
        // and their command lines are the ones KFP runs.
        ComponentSpec trainSpec = ComponentSpec.load(ComponentProgram.TRAIN);
        ComponentSpec bestRunSpec = ComponentSpec.load(ComponentProgram.RETRIEVE_BEST_RUN);
        ComponentSpec evaluateSpec = ComponentSpec.load(ComponentProgram.EVALUATE_MODEL);
        if (tuning.maxTrials() > MAX_LOCAL_TRIALS) {
            throw usage(
                    "--hypertune-settings: maxTrials is "
                            + tuning.maxTrials()
                            + "; the local tuning service runs at most "
                            + MAX_LOCAL_TRIALS
                            + " trials (a larger study is for a Vertex AI hyperparameter tuning job)");
        }
        String untrainable = TrainStep.untrainable(trainSpec, tuning);
        if (untrainable != null) {
            throw usage("--hypertune-settings: " + untrainable);
        }
        if (!ComponentProgram.module(evaluateSpec).equals(ComponentProgram.module(bestRunSpec))) {
            throw new IllegalStateException(
                    evaluateSpec.source()
                            + " runs the image of "
                            + ComponentProgram.module(evaluateSpec)
                            + ", not the helpers' ("
                            + ComponentProgram.module(bestRunSpec)
                            + ")");
        }
        Path home = ProjectRoot.find();
        ProgramLauncher trainer =
                ProgramLauncher.ofModule(
                        "train",
                        trainerJvmOptions,
                        trainerClasspath,
                        home,
                        ComponentProgram.module(trainSpec),
                        trainSpec.mainClass());
        ProgramLauncher helpers =
                ProgramLauncher.ofModule(
                        "helpers",
                        helpersJvmOptions,
                        helpersClasspath,
                        home,
                        ComponentProgram.module(bestRunSpec),
                        bestRunSpec.mainClass());
        refuseJvmOptions("--trainer-jvm-options", trainerJvmOptions, trainer);
        refuseJvmOptions("--helpers-jvm-options", helpersJvmOptions, helpers);
        LocalPipeline.Settings settings =
                new LocalPipeline.Settings(
                        source,
                        sources,
                        schema,
                        givenSchema,
                        numLots,
                        trainingLots,
                        validationLots,
                        testingLots,
                        settingsText,
                        tuning,
                        searchSeed,
                        metricName,
                        threshold,
                        modelId,
                        versionId,
                        replace,
                        baseline,
                        registry,
                        home,
                        trainer,
                        helpers,
                        new ComponentProgram(bestRunSpec, helpers),
                        new ComponentProgram(trainSpec, trainer),
                        new ComponentProgram(evaluateSpec, helpers),
                        env);

        RunDirectory runDirectory;
        try {
            runDirectory = RunDirectory.create(runsDir, runId);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        return new LocalPipeline(settings, spec.commandLine().getOut(), spec.commandLine().getErr())
                .run(runDirectory);
    }

    /**
     * The lots of the three splits are whole numbers in 0..--num-lots - 1, each split has one, and
     * no lot is in two splits (rows of the testing split must not be trained on).
     */
    private void checkLots() {
        if (numLots < 1 || numLots > MAX_LOTS) {
            throw usage("--num-lots must be in 1.." + MAX_LOTS + ", got " + numLots);
        }
        Map<Integer, String> taken = new java.util.HashMap<>();
        for (Map.Entry<String, List<Integer>> split :
                List.of(
                        Map.entry("--training-lots", trainingLots),
                        Map.entry("--validation-lots", validationLots),
                        Map.entry("--testing-lots", testingLots))) {
            if (split.getValue().isEmpty()) {
                throw usage(split.getKey() + " is empty: give at least one lot");
            }
            for (int lot : split.getValue()) {
                if (lot < 0 || lot >= numLots) {
                    throw usage(
                            split.getKey()
                                    + ": lot "
                                    + lot
                                    + " is outside 0.."
                                    + (numLots - 1)
                                    + " (--num-lots "
                                    + numLots
                                    + ")");
                }
                String other = taken.putIfAbsent(lot, split.getKey());
                if (other != null) {
                    throw usage(
                            split.getKey()
                                    + ": lot "
                                    + lot
                                    + (other.equals(split.getKey())
                                            ? " is given twice"
                                            : " is in "
                                                    + other
                                                    + " too; a lot belongs to one split"));
                }
            }
        }
    }

    /**
     * A directory flag: not empty (which would be the working directory), and neither a file nor
     * under one.
     */
    private void checkDirectory(String flag, Path directory) {
        if (directory.toString().isBlank()) {
            throw usage(flag + " is empty: give a directory");
        }
        for (Path place = directory.toAbsolutePath(); place != null; place = place.getParent()) {
            if (Files.exists(place)) {
                if (!Files.isDirectory(place)) {
                    throw usage(
                            flag
                                    + ": "
                                    + place
                                    + (place.equals(directory.toAbsolutePath())
                                            ? " is not a directory"
                                            : " is a file, where the directory goes"));
                }
                return;
            }
        }
    }

    /** A decimal flag whose bad value reads {@code 'abc' is not a number}, not a Java exception. */
    static final class Decimal implements picocli.CommandLine.ITypeConverter<BigDecimal> {
        @Override
        public BigDecimal convert(String value) {
            try {
                return new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number");
            }
        }
    }

    private String settingsText() {
        if (hypertuneSettings == null) {
            try (InputStream in =
                    ContinuousTraining.class.getResourceAsStream("hypertune_settings.txt")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (hypertuneSettings.startsWith("@")) {
            if (hypertuneSettings.substring(1).isBlank()) {
                throw usage(
                        "--hypertune-settings: '@' names no file: give the spec's file after it (@spec.txt)");
            }
            try {
                return Files.readString(
                        Path.of(hypertuneSettings.substring(1)), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw usage(
                        "--hypertune-settings: cannot read "
                                + hypertuneSettings.substring(1)
                                + ": "
                                + (e instanceof java.nio.file.FileSystemException fs
                                        ? FileErrors.reason(fs)
                                        : e.getMessage()));
            }
        }
        return hypertuneSettings;
    }

    /**
     * JVM options given by a flag are tried once, before the run, so a bad one is a usage error.
     */
    private void refuseJvmOptions(String flag, String options, ProgramLauncher launcher)
            throws IOException, InterruptedException {
        if (options == null || options.isBlank()) {
            return;
        }
        String problem = launcher.startProblem();
        if (problem != null) {
            throw usage(flag + ": the " + launcher.name() + " JVM does not start: " + problem);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
