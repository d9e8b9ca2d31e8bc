package dev.kfptribuo.localrun;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.cli.Programs;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.localrun.registry.ModelRegistry;
import dev.kfptribuo.localrun.report.HtmlReport;
import dev.kfptribuo.localrun.run.RunLog;
import dev.kfptribuo.localrun.split.LotSplitter;
import dev.kfptribuo.localrun.split.RowSchema;
import dev.kfptribuo.localrun.tuning.LocalTrial;
import dev.kfptribuo.localrun.tuning.LocalTuningService;
import dev.kfptribuo.localrun.tuning.SearchStrategy;
import dev.kfptribuo.localrun.tuning.TuningSpec;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.process.ChildProcesses;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The lab's continuous-training pipeline on one machine: the steps of its KFP pipeline, with its
 * default settings, running the same programs the cloud runs.
 *
 * <ol>
 *   <li><b>split</b> the source CSV into training, validation and testing files as the lab's
 *       BigQuery queries do ({@link LotSplitter});</li>
 *   <li><b>tune</b> with the local stand-in for AI Platform's tuning service
 *       ({@link LocalTuningService}), each trial a {@code train} process;</li>
 *   <li><b>best run</b>: {@code helpers retrieve-best-run} on the study's job document;</li>
 *   <li><b>train</b> the final model: {@code train --hptune False} with the best values;</li>
 *   <li><b>evaluate</b> it on the testing split: {@code helpers evaluate-model}, and the baseline (the
 *       version deployed now, or {@code --baseline}) on the same rows;</li>
 *   <li><b>deploy</b> it to a local model registry if its metric is above the threshold and it beats
 *       the baseline ({@link ModelRegistry}).</li>
 * </ol>
 * Every run has its own directory with each step's inputs, outputs and logs, {@code run.json} and
 * {@code report.html}; a run that succeeds ends with the {@code bin/serve} and {@code curl} lines
 * that serve the version deployed last and ask it for a prediction. A failed trial does not stop the study; a failed step stops the run with one
 * line naming the step and its log, exit code 1.
 */
@Command(name = "continuous-training", mixinStandardHelpOptions = true,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Runs the lab's whole continuous-training pipeline on this machine: split the source by "
                    + "MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(row))), 10), tune (6 trials, 3 at a time), retrieve the "
                    + "best run, train the final model, evaluate it on the testing split, and publish it to a local "
                    + "model registry if its metric is above the threshold and beats the baseline (the version "
                    + "deployed now) on the same rows.",
            "A run that succeeds ends with a bin/serve line that serves the version deployed last and a curl "
                    + "line that asks it for a prediction of the first testing row.",
            "Each run gets a directory under --runs-dir with every step's inputs, outputs and logs, and report.html."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success (deployed or not)", "1:a step failed", "2:usage error"})
public final class ContinuousTraining implements Callable<Integer> {
    /** The system property naming the repository's root, set by bin/continuous-training. */
    public static final String HOME_PROPERTY = "kfptribuo.home";

    private static final int STEPS = 6;

    @Spec
    private CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "PATH",
            description = "The source table as CSV with a header (the lab's covertype table): local, gs://, "
                    + "a wildcard of shards, gzip.")
    private String source;

    @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs/continuous-training",
            description = "Where run directories go. Default: ${DEFAULT-VALUE}.")
    private Path runsDir;

    @Option(names = "--run-id", paramLabel = "ID", description = "The run directory's name. Default: the start time.")
    private String runId;

    @Option(names = "--registry", paramLabel = "DIR", defaultValue = "runs/model-registry",
            description = "The local model registry: models land in DIR/MODEL_ID/VERSION_ID. Default: ${DEFAULT-VALUE}.")
    private Path registry;

    @Option(names = "--schema", paramLabel = "NAME:TYPE,...",
            description = "Column types of the source, as bq load takes them (INTEGER, FLOAT, STRING). "
                    + "Default: inferred (integers if every value is a whole number).")
    private String schema;

    @Option(names = "--num-lots", paramLabel = "N", defaultValue = "10",
            description = "Lots of the split. Default: ${DEFAULT-VALUE}.")
    private int numLots;

    @Option(names = "--training-lots", paramLabel = "LOTS", split = ",", defaultValue = "1,2,3,4",
            description = "Lots of the training split. Default: ${DEFAULT-VALUE}.")
    private List<Integer> trainingLots;

    @Option(names = "--validation-lots", paramLabel = "LOTS", split = ",", defaultValue = "8",
            description = "Lots of the validation split. Default: ${DEFAULT-VALUE}.")
    private List<Integer> validationLots;

    @Option(names = "--testing-lots", paramLabel = "LOTS", split = ",", defaultValue = "9",
            description = "Lots of the testing split. Default: ${DEFAULT-VALUE}.")
    private List<Integer> testingLots;

    @Option(names = {"--hypertune-settings", "--hypertune_settings"}, paramLabel = "TEXT|@FILE",
            description = "The tuning spec (a trainingInput with hyperparameters, JSON or a Python literal). "
                    + "Default: the lab's (6 trials, 3 at a time, max_iter DISCRETE [500, 1000], alpha DOUBLE 1e-4..1e-3).")
    private String hypertuneSettings;

    @Option(names = "--search-seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the local tuning service's search. Default: ${DEFAULT-VALUE}.")
    private long searchSeed;

    @Option(names = {"--evaluation-metric-name", "--evaluation_metric_name"}, paramLabel = "NAME", defaultValue = "accuracy",
            description = "The metric the deploy decision compares. Default: ${DEFAULT-VALUE}.")
    private String metricName;

    @Option(names = {"--evaluation-metric-threshold", "--evaluation_metric_threshold"}, paramLabel = "X", defaultValue = "0.69",
            description = "Deploy only when the metric is above this. Default: ${DEFAULT-VALUE}.")
    private BigDecimal threshold;

    @Option(names = {"--model-id", "--model_id"}, paramLabel = "ID", defaultValue = "covertype_classifier",
            description = "Default: ${DEFAULT-VALUE}.")
    private String modelId;

    @Option(names = {"--version-id", "--version_id"}, paramLabel = "ID", defaultValue = "v01",
            description = "Default: ${DEFAULT-VALUE}.")
    private String versionId;

    @Option(names = "--baseline", paramLabel = "DIR|none",
            description = "The model the new one must beat on the testing split to be deployed (champion/challenger): "
                    + "a job dir or registry version directory, or none. Default: the version of --model-id deployed "
                    + "now in --registry, if any.")
    private String baseline;

    @Option(names = {"--replace-existing-version", "--replace_existing_version"}, paramLabel = "BOOL", defaultValue = "True",
            description = "Replace a version that holds another model. Default: ${DEFAULT-VALUE}.")
    private String replaceExisting;

    @Option(names = "--trainer-classpath", paramLabel = "CP",
            description = "Classpath of the train program. Default: trainer-image/target's jar and lib's jars in target/classpath.txt's order.")
    private String trainerClasspath;

    @Option(names = "--helpers-classpath", paramLabel = "CP",
            description = "Classpath of the helpers program. Default: base-image/target's jar and lib's jars in target/classpath.txt's order.")
    private String helpersClasspath;

    /**
     * C1 only: the lab's trials are short (10-20 epochs of 40,000 rows) and three JVMs share two cores,
     * where C2's compiler threads cost more than they win: the tuning step takes half the time
     * (bench/local-run). Long fits (the full 387,000 rows, --tol none) are faster without it.
     */
    @Option(names = "--trainer-jvm-options", paramLabel = "OPTS",
            defaultValue = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto",
            description = "JVM options of every train process. Default: ${DEFAULT-VALUE} (C1 only: faster for the lab's "
                    + "short trials, slower for long fits; see bench/local-run).")
    private String trainerJvmOptions;

    @Option(names = "--helpers-jvm-options", paramLabel = "OPTS", defaultValue = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto",
            description = "JVM options of every helpers process. Default: ${DEFAULT-VALUE}.")
    private String helpersJvmOptions;

    /** The environment, for the AIP_* variables bin/serve reads (the printed curl line follows them). */
    private final Map<String, String> env;
    private PrintWriter out;
    private Path runDir;
    /** The baseline the evaluate step compared with, for the deploy step. */
    private Baseline usedBaseline;
    private RunLog log;
    private long runStart;

    private ContinuousTraining(Map<String, String> env) {
        this.env = env;
    }

    /** @param args the flags, see {@code --help} */
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
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        return Programs.run(new ContinuousTraining(env), args, out, err);
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        boolean replace = bool(replaceExisting, "--replace-existing-version");
        TuningSpec tuning;
        String settingsText = settingsText();
        try {
            tuning = TuningSpec.parse(settingsText, "--hypertune-settings");
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
        Path home = home();
        ProgramLauncher trainer = launcher("train", trainerJvmOptions, trainerClasspath, home, "trainer-image",
                "dev.kfptribuo.trainer.Train");
        ProgramLauncher helpers = launcher("helpers", helpersJvmOptions, helpersClasspath, home, "base-image",
                "dev.kfptribuo.helpers.HelperComponents");

        runStart = System.nanoTime();
        runDir = newRunDir();
        log = new RunLog();
        log.runId = runDir.getFileName().toString();
        log.status = "running";
        log.startedAt = Instant.now().toString();
        log.settings.put("source", source);
        log.settings.put("schema", schema == null ? "inferred" : schema);
        log.settings.put("num_lots", numLots);
        log.settings.put("training_lots", trainingLots);
        log.settings.put("validation_lots", validationLots);
        log.settings.put("testing_lots", testingLots);
        log.settings.put("hypertune_settings", settingsText);
        log.settings.put("search_seed", searchSeed);
        log.settings.put("evaluation_metric_name", metricName);
        log.settings.put("evaluation_metric_threshold", threshold);
        log.settings.put("model_id", modelId);
        log.settings.put("version_id", versionId);
        log.settings.put("replace_existing_version", replace);
        log.settings.put("baseline", baseline == null ? "the version deployed now, if any" : baseline);
        log.settings.put("registry", registry.toAbsolutePath().toString());
        log.settings.put("trainer_command", trainer.command(List.of()));
        log.settings.put("helpers_command", helpers.command(List.of()));
        log.write(runDir.resolve("run.json"));
        say("run %s in %s", log.runId, shown(runDir));
        // Ctrl-C: the trials and programs are stopped (ChildProcesses); the run says it was interrupted.
        Thread onInterrupt = new Thread(this::interrupted, "mark-run-interrupted");
        Runtime.getRuntime().addShutdownHook(onInterrupt);

        try {
            Path splitDir = runDir.resolve("1-split");
            Path training = splitDir.resolve("training.csv");
            Path validation = splitDir.resolve("validation.csv");
            Path testing = splitDir.resolve("testing.csv");
            step(1, "split", () -> split(sources, givenSchema, splitDir, training, validation, testing));

            Path tuneDir = runDir.resolve("2-tune");
            Files.createDirectories(tuneDir);
            Files.writeString(tuneDir.resolve("hypertune_settings.txt"), settingsText, StandardCharsets.UTF_8);
            step(2, "tune", () -> tune(tuning, trainer, training, validation, tuneDir));

            Path bestDir = runDir.resolve("3-best-run");
            step(3, "best-run", () -> bestRun(tuning, helpers, tuneDir.resolve("job.json"), bestDir));

            Path trainDir = runDir.resolve("4-train");
            Path jobDir = trainDir.resolve("job-dir");
            step(4, "train", () -> train(trainer, training, validation, bestDir.resolve("outputs"), trainDir, jobDir));

            Path evalDir = runDir.resolve("5-evaluate");
            step(5, "evaluate", () -> evaluate(helpers, testing, jobDir, evalDir));

            Path deployDir = runDir.resolve("6-deploy");
            step(6, "deploy", () -> deploy(evalDir.resolve("outputs"), jobDir, deployDir, replace));
            log.status = "succeeded";
            return 0;
        } catch (StepFailed e) {
            log.status = "failed";
            spec.commandLine().getErr().println("continuous-training: error: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // already shutting down: the hook writes the run's state
            }
            log.finishedAt = Instant.now().toString();
            log.seconds = seconds(runStart);
            log.write(runDir.resolve("run.json"));
            Path report = runDir.resolve("report.html");
            try {
                HtmlReport.write(runDir, report);
                say("report: %s (%s, %.1fs)", shown(report), log.status, log.seconds);
            } catch (IOException | RuntimeException e) {
                say("report: could not be written: %s", Programs.describe(e));
            }
            if ("succeeded".equals(log.status)) {
                howToServe(home, runDir.resolve("1-split").resolve("testing.csv"));
            }
        }
    }

    /** Shutdown hook: a run still going when the JVM stops (Ctrl-C, kill) is marked interrupted. */
    private synchronized void interrupted() {
        if (!"running".equals(log.status)) {
            return;
        }
        log.status = "interrupted";
        log.finishedAt = Instant.now().toString();
        log.seconds = seconds(runStart);
        for (RunLog.Step step : log.steps) {
            if ("running".equals(step.status)) {
                step.status = "failed";
                step.error = "interrupted";
            }
        }
        try {
            log.write(runDir.resolve("run.json"));
            HtmlReport.write(runDir, runDir.resolve("report.html"));
        } catch (IOException | RuntimeException e) {
            // the JVM is going down; run.json says as much as it could
        }
    }

    // ---- the steps ----------------------------------------------------------------------------

    private String split(List<InputFile> sources, RowSchema givenSchema, Path dir, Path training, Path validation,
            Path testing) throws IOException {
        LotSplitter splitter;
        try {
            splitter = new LotSplitter(numLots, List.of(
                    new LotSplitter.Split("training", trainingLots, training),
                    new LotSplitter.Split("validation", validationLots, validation),
                    new LotSplitter.Split("testing", testingLots, testing)));
        } catch (IllegalArgumentException e) {
            throw new StepFailed(e.getMessage());
        }
        say("      %s by MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(row))), %d)", source, numLots);
        LotSplitter.Result result;
        try {
            result = splitter.split(sources, givenSchema);
        } catch (IllegalArgumentException e) {
            throw new StepFailed(e.getMessage());
        }
        ObjectNode record = AtomicFiles.JSON.createObjectNode();
        record.put("source", source);
        record.put("schema", result.schema().toString());
        record.put("schema_inferred", result.schemaInferred());
        record.put("rows", result.rows());
        record.put("num_lots", numLots);
        var perLot = record.putArray("rows_per_lot");
        Arrays.stream(result.rowsPerLot()).forEach(perLot::add);
        var splits = record.putArray("splits");
        for (int s = 0; s < splitter.splits().size(); s++) {
            LotSplitter.Split split = splitter.splits().get(s);
            ObjectNode node = splits.addObject();
            node.put("name", split.name());
            var lots = node.putArray("lots");
            split.lots().forEach(lots::add);
            node.put("rows", result.rowsPerSplit()[s]);
            node.put("file", split.output().toString());
            node.put("query", split.query("source", numLots));
        }
        AtomicFiles.writeJson(dir.resolve("split.json"), record);
        if (result.schemaInferred()) {
            Map<String, List<String>> byType = new LinkedHashMap<>();
            result.schema().columns().forEach(c -> byType.computeIfAbsent(c.type().name(), t -> new ArrayList<>()).add(c.name()));
            say("      column types inferred: %s", byType.entrySet().stream()
                    .map(e -> e.getKey() + " " + (e.getValue().size() <= 3 ? String.join(", ", e.getValue())
                            : "(" + e.getValue().size() + " columns)"))
                    .collect(Collectors.joining("; ")));
        }
        List<String> parts = new ArrayList<>();
        for (int s = 0; s < splitter.splits().size(); s++) {
            LotSplitter.Split split = splitter.splits().get(s);
            parts.add(String.format(Locale.ROOT, "%s %d rows (lot%s %s)", split.name(), result.rowsPerSplit()[s],
                    split.lots().size() > 1 ? "s" : "", lots(split.lots())));
            if (result.rowsPerSplit()[s] == 0) {
                throw new StepFailed("the " + split.name() + " split is empty: no row of " + source + " falls in lot(s) "
                        + lots(split.lots()) + " of " + numLots);
            }
        }
        return result.rows() + " rows -> " + String.join(", ", parts);
    }

    private String tune(TuningSpec tuning, ProgramLauncher trainer, Path training, Path validation, Path dir)
            throws IOException, InterruptedException {
        List<Map<String, SearchStrategy.Value>> suggestions = SearchStrategy.suggest(tuning, searchSeed);
        say("      %d trials, %d at a time, %s %s; %s search, seed %d", suggestions.size(), tuning.parallelism(),
                tuning.goal(), tuning.metricTag(), tuning.algorithm() == TuningSpec.Algorithm.ALGORITHM_UNSPECIFIED
                        ? "Halton" : tuning.algorithm().name().toLowerCase(Locale.ROOT), searchSeed);
        List<String> args = List.of("--training_dataset_path", training.toString(),
                "--validation_dataset_path", validation.toString(), "--hptune", "True");
        String jobId = "local_tuning_" + log.runId.replaceAll("[^0-9a-zA-Z_]", "_");
        LocalTuningService service = new LocalTuningService(tuning, trainer, args, dir, jobId,
                new LocalTuningService.Listener() {
                    @Override
                    public void started(LocalTrial trial) {
                        say("      trial %s started: %s", trial.id(), trial.describeValues());
                    }

                    @Override
                    public void ended(LocalTrial trial) {
                        if (trial.succeeded()) {
                            say("      trial %s SUCCEEDED: %s=%.4f (step %s, %.1fs)", trial.id(), tuning.metricTag(),
                                    trial.metric(), trial.trainingStep(), trial.seconds());
                        } else {
                            say("      trial %s %s: %s (%.1fs; log %s)", trial.id(), trial.state(), trial.error(),
                                    trial.seconds(), runDir.relativize(trial.dir().resolve("stderr.log")));
                        }
                    }
                });
        List<LocalTrial> trials = service.run(suggestions);
        List<Map<String, Object>> summary = new ArrayList<>();
        for (LocalTrial t : trials) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("trial_id", t.id());
            entry.put("state", t.state());
            Map<String, Object> values = new LinkedHashMap<>();
            t.values().forEach((k, v) -> values.put(k, v.text()));
            entry.put("hyperparameters", values);
            entry.put("metric", t.metric());
            entry.put("training_step", t.trainingStep());
            entry.put("seconds", t.seconds());
            entry.put("error", t.error());
            entry.put("dir", runDir.relativize(t.dir()).toString());
            summary.add(entry);
        }
        Map<String, Object> study = new LinkedHashMap<>();
        study.put("metric_tag", tuning.metricTag());
        study.put("goal", tuning.goal().name());
        study.put("algorithm", tuning.algorithm().name());
        study.put("search", tuning.algorithm() == TuningSpec.Algorithm.ALGORITHM_UNSPECIFIED
                ? "Halton sequence with a seeded random shift" : tuning.algorithm().name());
        study.put("seed", searchSeed);
        study.put("max_parallel_trials", tuning.parallelism());
        study.put("early_stopping", tuning.earlyStopping());
        study.put("params", tuning.params());
        study.put("trials", summary);
        AtomicFiles.writeJson(dir.resolve("trials.json"), study);
        long ok = trials.stream().filter(LocalTrial::succeeded).count();
        long failed = trials.stream().filter(t -> "FAILED".equals(t.state())).count();
        String line = ok + " trial(s) succeeded, " + failed + " failed; study in " + runDir.relativize(service.jobFile());
        if (ok == 0) {
            throw new StepFailed("no trial succeeded: " + trials.stream().filter(t -> t.error() != null)
                    .map(t -> "trial " + t.id() + ": " + t.error()).findFirst().orElse("(no trial ran)"));
        }
        return line;
    }

    private String bestRun(TuningSpec tuning, ProgramLauncher helpers, Path jobFile, Path dir)
            throws IOException, InterruptedException {
        Path outputs = dir.resolve("outputs");
        List<String> args = new ArrayList<>(List.of("retrieve-best-run", "--job-file", jobFile.toString(),
                "--metric-value-output", outputs.resolve("metric_value").toString(),
                "--trial-id-output", outputs.resolve("trial_id").toString(),
                "--hyperparameters-output", outputs.resolve("hyperparameters.json").toString()));
        if (tuning.params().stream().anyMatch(p -> p.name().equals("alpha"))) {
            args.addAll(List.of("--alpha-output", outputs.resolve("alpha").toString()));
        }
        if (tuning.params().stream().anyMatch(p -> p.name().equals("max_iter"))) {
            args.addAll(List.of("--max-iter-output", outputs.resolve("max_iter").toString()));
        }
        runProgram(helpers, args, dir);
        return "trial " + read(outputs.resolve("trial_id")) + ": " + tuning.metricTag() + "=" + read(outputs.resolve("metric_value"))
                + " " + read(outputs.resolve("hyperparameters.json"));
    }

    private String train(ProgramLauncher trainer, Path training, Path validation, Path best, Path dir, Path jobDir)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--training_dataset_path", training.toString(),
                "--validation_dataset_path", validation.toString()));
        // The lab passes the best run's alpha and max_iter outputs; any other tuned parameter follows from
        // the hyperparameters output, so that a search over other flags trains with its best values too.
        Map<String, String> values = new LinkedHashMap<>();
        if (Files.exists(best.resolve("alpha"))) {
            values.put("alpha", read(best.resolve("alpha")));
        }
        if (Files.exists(best.resolve("max_iter"))) {
            values.put("max_iter", read(best.resolve("max_iter")));
        }
        JsonNode all = AtomicFiles.JSON.readTree(best.resolve("hyperparameters.json").toFile());
        all.fields().forEachRemaining(e -> values.putIfAbsent(e.getKey(), e.getValue().asText()));
        values.forEach((name, value) -> args.addAll(List.of("--" + name, value)));
        args.addAll(List.of("--hptune", "False", "--job-dir", jobDir.toString()));
        runProgram(trainer, args, dir);
        JsonNode manifest = AtomicFiles.JSON.readTree(jobDir.resolve("manifest.json").toFile());
        JsonNode fit = manifest.path("training");
        return String.format(Locale.ROOT, "%d rows, %s: %d epochs (converged %s); model in %s",
                fit.path("rows").asLong(), values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(" ")), fit.path("epochs_run").asInt(),
                fit.path("converged").asBoolean(), runDir.relativize(jobDir));
    }

    /**
     * The model the new one is compared with.
     *
     * @param path its directory (a job dir or a registry version directory), or null for none
     * @param description what it is, for the run's lines ({@code covertype_classifier/v01 (deployed now)})
     */
    private record Baseline(Path path, String description) {}

    /** The baseline: --baseline's directory, none, or by default the version of the model deployed now. */
    private Baseline baseline() {
        if (baseline != null && baseline.strip().equalsIgnoreCase("none")) {
            return new Baseline(null, "--baseline none");
        }
        if (baseline != null) {
            Path path = Path.of(baseline.strip()).toAbsolutePath();
            return new Baseline(path, shown(path));
        }
        try {
            ModelRegistryReader.Version current = new ModelRegistryReader(registry).current(modelId);
            return new Baseline(current.directory(), current.modelId() + "/" + current.versionId() + " (deployed now)");
        } catch (ModelRegistryReader.NotDeployedException e) {
            return new Baseline(null, "nothing deployed yet");
        } catch (IOException e) {
            throw new StepFailed("the version of " + modelId + " deployed now cannot be read, so there is no baseline to "
                    + "compare with: " + e.getMessage() + " (--baseline none deploys without one)");
        }
    }

    private String evaluate(ProgramLauncher helpers, Path testing, Path jobDir, Path dir)
            throws IOException, InterruptedException {
        Path outputs = dir.resolve("outputs");
        usedBaseline = baseline();
        List<String> args = new ArrayList<>(List.of("evaluate-model", "--dataset-path", testing.toString(),
                "--model-path", jobDir.toString(), "--metric-name", metricName));
        if (usedBaseline.path() != null) {
            args.addAll(List.of("--baseline-model-path", usedBaseline.path().toString()));
        }
        args.addAll(List.of("--metric-name-output", outputs.resolve("metric_name").toString(),
                "--metric-value-output", outputs.resolve("metric_value").toString(),
                "--baseline-metric-value-output", outputs.resolve("baseline_metric_value").toString(),
                "--metric-improvement-output", outputs.resolve("metric_improvement").toString(),
                "--mlpipeline-metrics-output", outputs.resolve("mlpipeline-metrics.json").toString(),
                "--mlpipeline-ui-metadata-output", outputs.resolve("mlpipeline-ui-metadata.json").toString()));
        Files.createDirectories(dir);
        ObjectNode record = AtomicFiles.JSON.createObjectNode();
        record.put("baseline", usedBaseline.path() == null ? null : usedBaseline.path().toString());
        record.put("description", usedBaseline.description());
        AtomicFiles.writeJson(dir.resolve("baseline.json"), record);
        runProgram(helpers, args, dir);
        String name = read(outputs.resolve("metric_name"));
        String line = name + "=" + read(outputs.resolve("metric_value")) + " on the testing split";
        if (usedBaseline.path() == null) {
            return line + "; no baseline (" + usedBaseline.description() + ")";
        }
        return line + "; baseline " + usedBaseline.description() + ": " + name + "="
                + read(outputs.resolve("baseline_metric_value")) + ", improvement " + read(outputs.resolve("metric_improvement"));
    }

    private String deploy(Path evalOutputs, Path jobDir, Path dir, boolean replace) throws IOException {
        String name = read(evalOutputs.resolve("metric_name"));
        String text = read(evalOutputs.resolve("metric_value"));
        String baselineText = read(evalOutputs.resolve("baseline_metric_value"));
        String improvementText = read(evalOutputs.resolve("metric_improvement"));
        BigDecimal value = number("metric_value", text);
        BigDecimal improvement = number("metric_improvement", improvementText);
        boolean hasBaseline = usedBaseline.path() != null;
        ObjectNode decision = AtomicFiles.JSON.createObjectNode();
        decision.put("metric_name", name);
        decision.put("metric_value", value);
        decision.put("threshold", threshold);
        decision.put("baseline", hasBaseline ? usedBaseline.path().toString() : null);
        decision.put("baseline_description", usedBaseline.description());
        decision.put("baseline_metric_value", number("baseline_metric_value", baselineText));
        decision.put("metric_improvement", improvement);
        decision.put("condition", "metric_value > evaluation_metric_threshold and metric_improvement > 0");
        decision.put("model_id", modelId);
        decision.put("version_id", versionId);
        decision.put("replace_existing_version", replace);
        String line;
        if (value.compareTo(threshold) <= 0) {
            line = String.format(Locale.ROOT, "not deployed: %s=%s is not above the threshold %s", name, text,
                    threshold.toPlainString());
            decision.put("deployed", false);
            decision.put("reason", line);
        } else if (improvement.signum() <= 0) {
            line = String.format(Locale.ROOT, "not deployed: %s=%s does not beat the baseline %s: %s=%s, improvement %s",
                    name, text, usedBaseline.description(), name, baselineText, improvementText);
            decision.put("deployed", false);
            decision.put("reason", line);
        } else {
            ObjectNode details = AtomicFiles.JSON.createObjectNode();
            details.put("run_id", log.runId);
            details.put("run_dir", runDir.toString());
            details.put("metric_name", name);
            details.put("metric_value", value);
            details.put("baseline", hasBaseline ? usedBaseline.path().toString() : null);
            details.put("baseline_metric_value", number("baseline_metric_value", baselineText));
            details.put("metric_improvement", improvement);
            ModelRegistry.Outcome outcome;
            try {
                outcome = new ModelRegistry(registry, note -> say("      %s", note))
                        .deploy(jobDir, modelId, versionId, replace, details);
            } catch (IllegalStateException e) {
                decision.put("deployed", false);
                decision.put("reason", e.getMessage());
                AtomicFiles.writeJson(dir.resolve("decision.json"), decision);
                throw new StepFailed(e.getMessage());
            }
            decision.put("deployed", true);
            decision.put("action", outcome.action().name().toLowerCase(Locale.ROOT));
            decision.put("version_dir", outcome.versionDir().toString());
            String action = switch (outcome.action()) {
                case CREATED -> "published";
                case REPLACED -> "published (replacing the previous model of that version)";
                case UNCHANGED -> "already published (the version holds this very model)";
            };
            String gate = hasBaseline
                    ? "beats the baseline " + usedBaseline.description() + " by " + improvementText
                    : "no baseline (" + usedBaseline.description() + ")";
            line = String.format(Locale.ROOT, "%s=%s > %s, %s: %s as %s/%s in %s", name, text, threshold.toPlainString(),
                    gate, action, outcome.modelId(), outcome.versionId(), shown(outcome.versionDir()));
            decision.put("reason", line);
        }
        AtomicFiles.writeJson(dir.resolve("decision.json"), decision);
        return line;
    }

    private static BigDecimal number(String output, String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new StepFailed(output + " '" + text + "' is not a number");
        }
    }

    /**
     * The run's last lines: how to serve the version of the model deployed last, and a curl line
     * that asks it for a prediction of the first testing row, as printed. The port and route are
     * those bin/serve takes from the environment ($AIP_HTTP_PORT, $AIP_PREDICT_ROUTE), else 8080 and
     * /predict.
     */
    private void howToServe(Path home, Path testing) {
        ModelRegistryReader.Version served;
        try {
            served = new ModelRegistryReader(registry).current(modelId);
        } catch (IOException e) {
            say("nothing to serve: %s", e.getMessage());
            return;
        }
        String instance;
        try {
            instance = firstInstance(served.directory(), testing);
        } catch (IOException | RuntimeException e) {
            say("serve: no instance for a curl line: %s", Programs.describe(e));
            return;
        }
        String port = variable("AIP_HTTP_PORT", "8080");
        String route = variable("AIP_PREDICT_ROUTE", "/predict");
        boolean ours = deployedByThisRun(served);
        say("serve %s/%s (%s) and ask it about the first testing row:", served.modelId(), served.versionId(),
                ours ? "deployed by this run" : "deployed before this run");
        say("  %s --registry %s --model %s", shell(shown(home.resolve("bin").resolve("serve"))), shell(shown(registry)),
                shell(served.modelId()));
        say("  curl -s %s -H 'Content-Type: application/json' -d %s", shell("localhost:" + port + route),
                shell("{\"instances\": [" + instance + "]}"));
    }

    /** Whether this run's deploy step published the version now current. */
    private boolean deployedByThisRun(ModelRegistryReader.Version served) {
        try {
            JsonNode decision = AtomicFiles.JSON.readTree(runDir.resolve("6-deploy").resolve("decision.json").toFile());
            return decision.path("deployed").asBoolean()
                    && served.directory().toString().equals(decision.path("version_dir").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** The first row of the testing split as a JSON object of the served model's input columns. */
    private static String firstInstance(Path versionDir, Path testing) throws IOException {
        Manifest manifest = ModelBundle.readManifest(Location.parse(versionDir.toString()));
        List<String> header;
        List<String> row;
        try (Reader reader = Files.newBufferedReader(testing, StandardCharsets.UTF_8);
                CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().get().parse(reader)) {
            header = csv.getHeaderNames();
            Iterator<CSVRecord> first = csv.iterator();
            if (!first.hasNext()) {
                throw new IOException(testing + ": no row");
            }
            row = first.next().toList();
        }
        ObjectNode instance = AtomicFiles.JSON.createObjectNode();
        for (String column : manifest.inputColumns()) {
            int c = header.indexOf(column);
            if (c < 0 || c >= row.size()) {
                throw new IOException(testing + ": no column " + column);
            }
            String cell = row.get(c);
            if (manifest.categoricalColumns().containsKey(column)) {
                instance.put(column, cell);
            } else {
                try {
                    instance.put(column, new BigDecimal(cell.strip()));
                } catch (NumberFormatException e) {
                    instance.put(column, cell);
                }
            }
        }
        return COMPACT.writeValueAsString(instance);
    }

    /** One-line JSON with a space after each colon and comma, as a person types it. */
    private static final ObjectWriter COMPACT = new ObjectMapper().writer(new MinimalPrettyPrinter() {
                private static final long serialVersionUID = 1L;

                @Override
                public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
                    g.writeRaw(": ");
                }

                @Override
                public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
                    g.writeRaw(", ");
                }
            });

    /** A word for a POSIX shell: as it is when it holds only safe characters, else in single quotes. */
    static String shell(String word) {
        if (word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private String variable(String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    // ---- plumbing -----------------------------------------------------------------------------

    /** A step's failure: its message is the run's one error line. */
    static final class StepFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StepFailed(String message) {
            super(message);
        }
    }

    @FunctionalInterface
    private interface StepBody {
        String run() throws IOException, InterruptedException;
    }

    private void step(int number, String name, StepBody body) throws IOException {
        RunLog.Step step = new RunLog.Step();
        step.number = number;
        step.name = name;
        step.status = "running";
        step.dir = number + "-" + name;
        log.steps.add(step);
        log.write(runDir.resolve("run.json"));
        say("[%d/%d] %s", number, STEPS, name);
        long start = System.nanoTime();
        try {
            step.summary = body.run();
            step.status = "succeeded";
            step.seconds = seconds(start);
            say("      %s (%.1fs)", step.summary, step.seconds);
        } catch (StepFailed e) {
            fail(step, start, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(step, start, "interrupted");
        } catch (IOException | RuntimeException e) {
            fail(step, start, Programs.describe(e));
        } finally {
            log.write(runDir.resolve("run.json"));
        }
    }

    private void fail(RunLog.Step step, long start, String message) {
        step.status = "failed";
        step.seconds = seconds(start);
        step.error = message;
        throw new StepFailed("step " + step.number + " (" + step.name + ") failed: " + message);
    }

    /** Runs a program as a process with its output in the step's directory; fails the step on a non-zero exit. */
    private void runProgram(ProgramLauncher program, List<String> args, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> command = program.command(args);
        Files.writeString(dir.resolve("command.txt"), String.join("\n", command) + "\n", StandardCharsets.UTF_8);
        Path stdout = dir.resolve("stdout.log");
        Path stderr = dir.resolve("stderr.log");
        Process process = ChildProcesses.start(new ProcessBuilder(command)
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()));
        int exit = ChildProcesses.waitFor(process);
        if (exit != 0) {
            List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            String last = lines.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no error output)");
            throw new StepFailed(program.name() + " exited with code " + exit + ": " + last.strip() + " (log: "
                    + runDir.relativize(stderr) + ")");
        }
    }

    /** A program of an image module: its build's classpath (and class-data archive), or the given classpath. */
    private static ProgramLauncher launcher(String name, String jvmOptions, String classpath, Path home, String module,
            String mainClass) throws IOException {
        List<String> options = new ArrayList<>(words(jvmOptions));
        if (classpath == null) {
            classpath = ProgramLauncher.moduleClasspath(home, module);
            options.addAll(ProgramLauncher.appCdsOptions(home, module));
        }
        return new ProgramLauncher(name, ProgramLauncher.currentJava(), options, classpath, mainClass);
    }

    private Path newRunDir() throws IOException {
        Files.createDirectories(runsDir);
        String base = runId != null ? runId : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        if (!base.matches("[A-Za-z0-9_.-]+")) {
            throw usage("--run-id may hold only letters, digits, '_', '.' and '-'");
        }
        for (int n = 1; ; n++) {
            Path dir = runsDir.resolve(n == 1 ? base : base + "-" + n);
            try {
                Files.createDirectory(dir);
                return dir.toAbsolutePath();
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (runId != null) {
                    throw usage("--run-id " + runId + ": " + dir + " exists");
                }
            }
        }
    }

    private String settingsText() {
        if (hypertuneSettings == null) {
            try (InputStream in = ContinuousTraining.class.getResourceAsStream("hypertune_settings.txt")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (hypertuneSettings.startsWith("@")) {
            try {
                return Files.readString(Path.of(hypertuneSettings.substring(1)), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw usage("--hypertune-settings: cannot read " + hypertuneSettings.substring(1) + ": " + e.getMessage());
            }
        }
        return hypertuneSettings;
    }

    private Path home() {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        try {
            // local-run/target/local-run-*.jar or local-run/target/classes: the root is two levels up.
            Path code = Path.of(ContinuousTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = code.getParent().getParent().getParent();
            if (Files.isDirectory(root.resolve("trainer-image"))) {
                return root;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    private boolean bool(String text, String option) {
        switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
            case "yes":
                return true;
            case "false":
            case "0":
            case "no":
                return false;
            default:
                throw usage(option + ": expected True or False, got '" + text + "'");
        }
    }

    private static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.strip().split("\\s+"));
    }

    private static String lots(List<Integer> lots) {
        return lots.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /** A path as the user would type it: relative to the working directory when inside it. */
    private static String shown(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
    }

    private static double seconds(long start) {
        return Math.round((System.nanoTime() - start) / 1e7) / 100.0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private synchronized void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
