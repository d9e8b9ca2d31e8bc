package dev.kfptribuo.localrun.pipeline;

import dev.kfptribuo.cli.Programs;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.localrun.report.HtmlReport;
import dev.kfptribuo.localrun.run.Console;
import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.run.RunInterrupted;
import dev.kfptribuo.localrun.run.RunLog;
import dev.kfptribuo.localrun.run.StepFailed;
import dev.kfptribuo.localrun.run.StepRunner;
import dev.kfptribuo.localrun.spec.ComponentProgram;
import dev.kfptribuo.localrun.split.RowSchema;
import dev.kfptribuo.localrun.steps.Baseline;
import dev.kfptribuo.localrun.steps.BestRun;
import dev.kfptribuo.localrun.steps.BestRunStep;
import dev.kfptribuo.localrun.steps.DeployDecision;
import dev.kfptribuo.localrun.steps.DeployStep;
import dev.kfptribuo.localrun.steps.EvaluateStep;
import dev.kfptribuo.localrun.steps.Evaluation;
import dev.kfptribuo.localrun.steps.SplitStep;
import dev.kfptribuo.localrun.steps.Splits;
import dev.kfptribuo.localrun.steps.Study;
import dev.kfptribuo.localrun.steps.TrainStep;
import dev.kfptribuo.localrun.steps.TrainedModel;
import dev.kfptribuo.localrun.steps.TuneStep;
import dev.kfptribuo.localrun.tuning.TuningSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The lab's pipeline on one machine, in a run directory: split, tune, best-run, train, evaluate,
 * deploy ({@link StepRunner}, one step class each), each step's typed result handed to the next;
 * then {@code run.json}'s end, {@code report.html}, and the lines that serve the model deployed
 * last. Ctrl-C (a JVM shutdown while the run goes on, or a program dead of SIGINT or SIGTERM) stops
 * the programs, starts no other, and ends the run interrupted ({@link RunInterrupted}).
 */
public final class LocalPipeline {
    /** The number of steps. */
    public static final int STEPS = 6;

    /**
     * What the run does, checked by the command line.
     *
     * @param source the source as given
     * @param sources its files
     * @param schema the {@code --schema} text, or null
     * @param givenSchema it parsed, or null to infer the types
     * @param numLots the number of lots
     * @param trainingLots the training split's lots
     * @param validationLots the validation split's lots
     * @param testingLots the testing split's lots
     * @param hypertuneSettings the tuning spec's text
     * @param tuning it parsed
     * @param searchSeed the search's seed
     * @param metricName the deploy decision's metric
     * @param threshold its threshold
     * @param modelId the model's id
     * @param versionId the version's id
     * @param replaceExisting whether a version holding another model is replaced
     * @param baseline {@code --baseline}, or null for the version deployed now
     * @param registry the local model registry
     * @param home the repository's root
     * @param trainer the trainer image's program (the trials)
     * @param helpers the base image's program
     * @param retrieveBestRun the {@code retrieve_best_run} component
     * @param train the {@code train} component
     * @param evaluateModel the {@code evaluate_model} component
     * @param env the environment
     */
    public record Settings(
            String source,
            List<InputFile> sources,
            String schema,
            RowSchema givenSchema,
            int numLots,
            List<Integer> trainingLots,
            List<Integer> validationLots,
            List<Integer> testingLots,
            String hypertuneSettings,
            TuningSpec tuning,
            long searchSeed,
            String metricName,
            BigDecimal threshold,
            String modelId,
            String versionId,
            boolean replaceExisting,
            String baseline,
            Path registry,
            Path home,
            ProgramLauncher trainer,
            ProgramLauncher helpers,
            ComponentProgram retrieveBestRun,
            ComponentProgram train,
            ComponentProgram evaluateModel,
            Map<String, String> env) {}

    private final Settings settings;
    private final Console console;
    private final PrintWriter err;

    /** How long the shutdown hook waits for the run's thread to end the run. */
    private static final long HOOK_WAIT_SECONDS = 20;

    private final CountDownLatch ended = new CountDownLatch(1);
    private RunDirectory run;
    private long runStart;
    private boolean recordedByHook;

    /**
     * @param settings what the run does
     * @param out progress
     * @param err the failure's line
     */
    public LocalPipeline(Settings settings, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.console = new Console(out);
        this.err = err;
    }

    /**
     * Runs the pipeline in a fresh run directory.
     *
     * @param runDirectory the run's directory, just made
     * @return the exit code: 0 whether deployed or not, 1 if a step failed, 130 (143) if the run
     *     was interrupted by SIGINT (SIGTERM)
     * @throws IOException if run.json cannot be written
     */
    public int run(RunDirectory runDirectory) throws IOException {
        run = runDirectory;
        runStart = System.nanoTime();
        RunLog log = run.log();
        log.status = "running";
        log.startedAt = Instant.now().toString();
        recordSettings(log.settings);
        run.writeLog();
        console.say("run %s in %s", run.id(), Console.shown(run.dir()));
        // Ctrl-C: the trials and programs are stopped (ChildProcesses); the run says it was
        // interrupted.
        Thread onInterrupt = new Thread(this::interrupted, "mark-run-interrupted");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        Splits splits = null;
        DeployDecision decision = null;
        try {
            StepRunner steps = new StepRunner(run, console, STEPS);
            Settings s = settings;
            splits =
                    steps.run(
                            new SplitStep(
                                    console,
                                    s.source(),
                                    s.sources(),
                                    s.givenSchema(),
                                    s.numLots(),
                                    s.trainingLots(),
                                    s.validationLots(),
                                    s.testingLots(),
                                    TrainStep.columns(s.train().spec())));
            Study study =
                    steps.run(
                            new TuneStep(
                                    console,
                                    run,
                                    s.tuning(),
                                    s.hypertuneSettings(),
                                    s.searchSeed(),
                                    s.trainer(),
                                    splits));
            BestRun best = steps.run(new BestRunStep(s.retrieveBestRun(), run, s.tuning(), study));
            TrainedModel model = steps.run(new TrainStep(s.train(), run, splits, best));
            Evaluation evaluation =
                    steps.run(
                            new EvaluateStep(
                                    s.evaluateModel(),
                                    run,
                                    splits,
                                    model,
                                    s.metricName(),
                                    () ->
                                            Baseline.choose(
                                                    s.baseline(), s.registry(), s.modelId())));
            decision =
                    steps.run(
                            new DeployStep(
                                    console,
                                    run,
                                    s.registry(),
                                    s.threshold(),
                                    s.modelId(),
                                    s.versionId(),
                                    s.replaceExisting(),
                                    model,
                                    evaluation));
            log.status = "succeeded";
            return 0;
        } catch (StepFailed e) {
            log.status = "failed";
            err.println("continuous-training: error: " + e.getMessage());
            err.flush();
            return 1;
        } catch (RunInterrupted e) {
            log.status = "interrupted";
            err.println("continuous-training: " + e.getMessage());
            err.flush();
            return e.exitCode();
        } finally {
            if ("running".equals(log.status)) {
                // Any other error (out of memory, run.json unwritable) ends the run as failed; the
                // step it happened in is marked failed (StepRunner), the program prints the error.
                log.status = "failed";
            }
            // The hook stays until the run's end is recorded and printed: a shutdown that begins
            // meanwhile (the run's thread saw a trial die of Ctrl-C before its JVM did) waits for
            // it.
            try {
                synchronized (this) {
                    if ("succeeded".equals(log.status) && RunInterrupted.jvmStopping()) {
                        // Stopped during the last step, which completed (a deploy is done, and
                        // recorded so): the run ends interrupted all the same, as its exit code
                        // says.
                        log.status = "interrupted";
                        err.println(
                                "continuous-training: run interrupted after step "
                                        + STEPS
                                        + " ("
                                        + log.steps.get(STEPS - 1).name
                                        + ") completed: "
                                        + RunInterrupted.stopping().getMessage());
                        err.flush();
                    }
                    if (!recordedByHook) {
                        log.finishedAt = Instant.now().toString();
                        log.seconds = Console.seconds(runStart);
                        run.writeLog();
                        try {
                            HtmlReport.write(run.dir(), run.report());
                            console.say(
                                    "report: %s (%s, %.1fs)",
                                    Console.shown(run.report()), log.status, log.seconds);
                        } catch (IOException | RuntimeException e) {
                            console.say("report: could not be written: %s", Programs.describe(e));
                        }
                    }
                }
                if ("succeeded".equals(log.status) && !RunInterrupted.jvmStopping()) {
                    new ServeInstructions(
                                    console,
                                    settings.home(),
                                    settings.registry(),
                                    settings.modelId(),
                                    settings.env())
                            .print(splits.testing(), decision.versionDir());
                }
            } finally {
                ended.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook has seen the run end
                }
            }
        }
    }

    private void recordSettings(Map<String, Object> record) {
        Settings s = settings;
        record.put("source", s.source());
        record.put("schema", s.schema() == null ? "inferred" : s.schema());
        record.put("num_lots", s.numLots());
        record.put("training_lots", s.trainingLots());
        record.put("validation_lots", s.validationLots());
        record.put("testing_lots", s.testingLots());
        record.put("hypertune_settings", s.hypertuneSettings());
        record.put("search_seed", s.searchSeed());
        record.put("evaluation_metric_name", s.metricName());
        record.put("evaluation_metric_threshold", s.threshold());
        record.put("model_id", s.modelId());
        record.put("version_id", s.versionId());
        record.put("replace_existing_version", s.replaceExisting());
        record.put(
                "baseline",
                s.baseline() == null ? "the version deployed now, if any" : s.baseline());
        record.put("registry", s.registry().toAbsolutePath().toString());
        record.put("trainer_command", s.trainer().command(List.of()));
        record.put("helpers_command", s.helpers().command(List.of()));
    }

    /**
     * Shutdown hook (Ctrl-C, SIGTERM): from now on no step or trial starts ({@link
     * RunInterrupted}), the programs are stopped ({@code ChildProcesses}' own hook), and the run's
     * thread ends the run as interrupted, with its lines; the JVM waits for that (a deploy under
     * way completes). Should the run's thread not end in time (a long step in this JVM), the hook
     * marks the run interrupted itself.
     */
    private void interrupted() {
        RunInterrupted.markJvmStopping();
        try {
            if (ended.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            RunLog log = run.log();
            if (!"running".equals(log.status) || ended.getCount() == 0) {
                return;
            }
            recordedByHook = true;
            log.status = "interrupted";
            log.finishedAt = Instant.now().toString();
            log.seconds = Console.seconds(runStart);
            for (RunLog.Step step : log.steps) {
                if ("running".equals(step.status)) {
                    step.status = "interrupted";
                    step.error = RunInterrupted.stopping().getMessage();
                }
            }
            try {
                run.writeLog();
                HtmlReport.write(run.dir(), run.report());
            } catch (IOException | RuntimeException e) {
                // the JVM is going down; run.json says as much as it could
            }
            err.println(
                    "continuous-training: run interrupted: "
                            + RunInterrupted.stopping().getMessage());
            err.flush();
        }
    }
}
