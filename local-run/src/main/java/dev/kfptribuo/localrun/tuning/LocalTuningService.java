package dev.kfptribuo.localrun.tuning;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.hypertune.HypertuneReporter;
import dev.kfptribuo.hypertune.HypertuneReports;
import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.localrun.run.RunInterrupted;
import dev.kfptribuo.localrun.run.StepProcess;
import dev.kfptribuo.process.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * A local stand-in for AI Platform Training's hyperparameter tuning service.
 *
 * <p>Each trial runs the trainer as its own process, the way the service runs the trainer
 * container: the job's arguments, then {@code --job-dir} (the trial's own directory), then each
 * tuned value as {@code --name=value}; the environment carries {@code CLOUD_ML_TRIAL_ID} and {@code
 * CLOUD_ML_HP_METRIC_FILE} (a file in the trial's directory). When the process ends the service
 * reads the metric back from that file, as cloudml-hypertune writes it: the last report holding the
 * spec's metric tag gives {@code finalMetric.objectiveValue}, its {@code global_step} the {@code
 * trainingStep}. A trial whose process fails, or that reports no metric, is FAILED and the study
 * goes on; with {@code maxFailedTrials} set, that many failures end the study early. At most {@code
 * maxParallelTrials} trials run at once, started in trial order. A trial's process dies with the
 * JVM of the service, however that ends, even by SIGKILL ({@link ChildProcesses}). A trial whose
 * process dies of SIGINT or SIGTERM, or ends while the JVM stops (Ctrl-C), is not a failure: the
 * study is interrupted ({@link RunInterrupted}), no other trial starts, the running ones are
 * stopped, and the job ends CANCELLED; such trials are CANCELLED and reported to no listener.
 *
 * <p>The study is written, after every trial, to {@code job.json} in the shape of AI Platform
 * Training v1's {@code projects.jobs.get} response ({@code jobId}, {@code state}, {@code
 * trainingInput.hyperparameters}, {@code trainingOutput.trials[{trialId, hyperparameters,
 * finalMetric {trainingStep, objectiveValue}, startTime, endTime, state}]}...), so that {@code
 * retrieve-best-run --job-file} reads it as it reads the cloud's. The job ends SUCCEEDED when at
 * least one trial succeeded, FAILED otherwise.
 */
public final class LocalTuningService {
    /** Called as trials start and end, from the trials' threads. */
    public interface Listener {
        /**
         * @param trial a trial that has just started
         */
        void started(LocalTrial trial);

        /**
         * @param trial a trial that has just ended
         */
        void ended(LocalTrial trial);
    }

    // Since Jackson 2.15 the factory keeps a BigDecimal as given (withExactBigDecimals is
    // deprecated).
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final TuningSpec spec;
    private final ProgramLauncher trainer;
    private final List<String> args;
    private final Path studyDir;
    private final String jobId;
    private final Listener listener;
    private final List<LocalTrial> trials = new ArrayList<>();
    private Instant createTime;
    private String state = "QUEUED";
    private String errorMessage;
    private int failed;
    private RunInterrupted interruption;
    private final List<Process> runningProcesses = new ArrayList<>();

    /**
     * @param spec the tuning spec
     * @param trainer the trainer program
     * @param args the job's arguments to every trial ({@code --training_dataset_path ... --hptune
     *     True})
     * @param studyDir where {@code job.json} and {@code trials/<id>/} go
     * @param jobId the job's id
     * @param listener progress
     */
    public LocalTuningService(
            TuningSpec spec,
            ProgramLauncher trainer,
            List<String> args,
            Path studyDir,
            String jobId,
            Listener listener) {
        this.spec = spec;
        this.trainer = trainer;
        this.args = List.copyOf(args);
        this.studyDir = studyDir.toAbsolutePath();
        this.jobId = jobId;
        this.listener = listener;
    }

    /**
     * @return the job document's path
     */
    public Path jobFile() {
        return studyDir.resolve("job.json");
    }

    /**
     * Runs the study.
     *
     * @param suggestions each trial's values, in trial order
     * @return the trials as they ended
     * @throws IOException if the job document cannot be written
     * @throws InterruptedException if interrupted (running trials are stopped)
     * @throws RunInterrupted if a trial died of SIGINT or SIGTERM or the JVM is stopping (job.json
     *     says CANCELLED)
     */
    public List<LocalTrial> run(List<Map<String, SearchStrategy.Value>> suggestions)
            throws IOException, InterruptedException {
        createTime = Instant.now();
        synchronized (this) {
            for (int i = 0; i < suggestions.size(); i++) {
                String id = Integer.toString(i + 1);
                trials.add(
                        new LocalTrial(
                                id,
                                suggestions.get(i),
                                studyDir.resolve("trials").resolve(id),
                                "QUEUED",
                                null,
                                null,
                                null,
                                null,
                                null));
            }
            state = "RUNNING";
            writeJob();
        }
        // Trials start in order, each as soon as one of the maxParallelTrials slots is free; a
        // thread per
        // running trial waits for its process and reads its metric.
        Semaphore slots = new Semaphore(Math.max(1, spec.parallelism()));
        ExecutorService waiters = Executors.newCachedThreadPool();
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < suggestions.size(); i++) {
                slots.acquire();
                if (interrupted() != null) {
                    slots.release();
                    cancel(i, "not started: the run was interrupted");
                    continue;
                }
                Started started;
                try {
                    started = start(i);
                } catch (IOException | RuntimeException e) {
                    slots.release();
                    throw e;
                }
                if (started == null) {
                    slots.release();
                    continue;
                }
                futures.add(
                        waiters.submit(
                                () -> {
                                    try {
                                        finish(started);
                                    } finally {
                                        slots.release();
                                    }
                                    return null;
                                }));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof InterruptedException ie) {
                        throw ie;
                    }
                    throw new IllegalStateException("trial failed unexpectedly: " + cause, cause);
                }
            }
        } catch (InterruptedException e) {
            waiters.shutdownNow();
            throw e;
        } finally {
            waiters.shutdown();
        }
        synchronized (this) {
            RunInterrupted interruption = interrupted();
            if (interruption != null) {
                state = "CANCELLED";
                errorMessage = "interrupted: " + interruption.getMessage();
                writeJob();
                throw interruption;
            }
            long succeeded = trials.stream().filter(LocalTrial::succeeded).count();
            if (succeeded == 0) {
                state = "FAILED";
                errorMessage =
                        errorMessage != null
                                ? errorMessage
                                : "no trial succeeded (" + failed + " failed)";
            } else if (errorMessage == null) {
                state = "SUCCEEDED";
            } else {
                state = "FAILED";
            }
            writeJob();
            return List.copyOf(trials);
        }
    }

    /** A trial whose process is running. */
    private record Started(
            int index, LocalTrial trial, Process process, List<String> command, Path metricFile) {}

    /**
     * Starts a trial's process; null if the study has ended (maxFailedTrials) and the trial is
     * cancelled.
     */
    private Started start(int index) throws IOException {
        LocalTrial trial;
        synchronized (this) {
            trial = trials.get(index);
            if (errorMessage != null) {
                // maxFailedTrials reached: the service schedules no more trials.
                cancel(index, "not started: the study ended");
                return null;
            }
        }
        Path dir = trial.dir();
        Files.createDirectories(dir);
        Path metricFile = dir.resolve("hypertune").resolve("output.metrics");
        Files.deleteIfExists(metricFile);
        List<String> trialArgs = new ArrayList<>(args);
        trialArgs.add("--job-dir");
        trialArgs.add(dir.resolve("job-dir").toString());
        trial.values().forEach((name, value) -> trialArgs.add("--" + name + "=" + value.text()));
        List<String> command = trainer.command(trialArgs);
        Files.write(
                dir.resolve("command.txt"),
                (String.join("\n", command) + "\n").getBytes(StandardCharsets.UTF_8));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(dir.resolve("stdout.log").toFile())
                        .redirectError(dir.resolve("stderr.log").toFile());
        builder.environment().put(HypertuneReporter.TRIAL_ID_ENV, trial.id());
        builder.environment().put(HypertuneReporter.METRIC_FILE_ENV, metricFile.toString());
        Process process;
        try {
            process = ChildProcesses.start(builder);
        } catch (IOException e) {
            if (RunInterrupted.jvmStopping()) {
                cancel(index, "not started: the run was interrupted");
                return null;
            }
            process = null;
            Files.writeString(
                    dir.resolve("stderr.log"),
                    "cannot start " + command.get(0) + ": " + e.getMessage() + "\n");
        }
        LocalTrial running =
                new LocalTrial(
                        trial.id(),
                        trial.values(),
                        dir,
                        "RUNNING",
                        null,
                        null,
                        Instant.now(),
                        null,
                        null);
        update(index, running);
        listener.started(running);
        if (process != null) {
            synchronized (this) {
                runningProcesses.add(process);
            }
            if (interrupted() != null) {
                stop(process); // interrupted while it started
            }
        }
        return new Started(index, running, process, command, metricFile);
    }

    /** Waits for a trial's process and records how it ended. */
    private void finish(Started started) throws IOException, InterruptedException {
        int exit = started.process() == null ? -1 : ChildProcesses.waitFor(started.process());
        Instant end = Instant.now();
        LocalTrial running = started.trial();
        synchronized (this) {
            runningProcesses.remove(started.process());
        }
        RunInterrupted interruption =
                exit == 0 ? null : RunInterrupted.ofExit("trial " + running.id(), exit);
        if (interruption != null) {
            // Dead of the signal (or stopped with the JVM): no failure of its own, and the
            // study stops: no trial starts, the running ones are stopped.
            List<Process> others;
            synchronized (this) {
                if (this.interruption == null) {
                    this.interruption = interruption;
                }
                others = List.copyOf(runningProcesses);
                update(
                        started.index(),
                        new LocalTrial(
                                running.id(),
                                running.values(),
                                running.dir(),
                                "CANCELLED",
                                null,
                                null,
                                running.startTime(),
                                end,
                                "interrupted: " + interruption.getMessage()));
            }
            others.forEach(LocalTuningService::stop);
            return;
        }
        LocalTrial done =
                exit != 0
                        ? failedTrial(
                                running,
                                end,
                                "exit code "
                                        + exit
                                        + ": "
                                        + StepProcess.reason(running.dir().resolve("stderr.log")))
                        : readMetric(running, started.metricFile(), end);
        update(started.index(), done);
        listener.ended(done);
    }

    /** The study's interruption: a trial dead of SIGINT or SIGTERM, or the JVM stopping. */
    private synchronized RunInterrupted interrupted() {
        if (interruption == null && RunInterrupted.jvmStopping()) {
            interruption = RunInterrupted.stopping();
        }
        return interruption;
    }

    private synchronized void cancel(int index, String why) throws IOException {
        LocalTrial trial = trials.get(index);
        update(
                index,
                new LocalTrial(
                        trial.id(),
                        trial.values(),
                        trial.dir(),
                        "CANCELLED",
                        null,
                        null,
                        null,
                        null,
                        why));
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    private LocalTrial readMetric(LocalTrial running, Path metricFile, Instant end) {
        HypertuneReports.Report report;
        try {
            report = HypertuneReports.last(metricFile, spec.metricTag());
        } catch (HypertuneReports.NoReportException e) {
            return failedTrial(running, end, e.getMessage());
        } catch (IOException e) {
            return failedTrial(
                    running, end, "unreadable metric file " + metricFile + ": " + e.getMessage());
        }
        return new LocalTrial(
                running.id(),
                running.values(),
                running.dir(),
                "SUCCEEDED",
                report.value(),
                report.globalStep(),
                running.startTime(),
                end,
                null);
    }

    private synchronized LocalTrial failedTrial(LocalTrial running, Instant end, String error) {
        failed++;
        if (spec.maxFailedTrials() > 0
                && failed >= spec.maxFailedTrials()
                && errorMessage == null) {
            errorMessage =
                    failed + " trial(s) failed, reaching maxFailedTrials " + spec.maxFailedTrials();
        }
        return new LocalTrial(
                running.id(),
                running.values(),
                running.dir(),
                "FAILED",
                null,
                null,
                running.startTime(),
                end,
                error);
    }

    private synchronized void update(int index, LocalTrial trial) throws IOException {
        trials.set(index, trial);
        writeJob();
    }

    /** Writes the job document: AI Platform Training v1's {@code Job}. */
    private void writeJob() throws IOException {
        ObjectNode job = NODES.objectNode();
        job.put("jobId", jobId);
        ObjectNode input = job.putObject("trainingInput");
        ArrayNode argsNode = input.putArray("args");
        args.forEach(argsNode::add);
        input.set("hyperparameters", spec.document());
        input.put("region", "local");
        input.put("jobDir", studyDir.resolve("trials").toString());
        input.putObject("masterConfig").put("imageUri", "local:" + trainer.name());
        job.put("createTime", createTime.toString());
        Instant firstStart =
                trials.stream()
                        .map(LocalTrial::startTime)
                        .filter(t -> t != null)
                        .min(Instant::compareTo)
                        .orElse(null);
        if (firstStart != null) {
            job.put("startTime", firstStart.toString());
        }
        boolean over =
                state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
        if (over) {
            job.put("endTime", Instant.now().toString());
        }
        job.put("state", state);
        if (over && !state.equals("SUCCEEDED")) {
            job.put("errorMessage", errorMessage);
        }
        ObjectNode output = job.putObject("trainingOutput");
        long completed =
                trials.stream().filter(t -> t.succeeded() || "FAILED".equals(t.state())).count();
        output.put("completedTrialCount", Long.toString(completed));
        ArrayNode trialsNode = output.putArray("trials");
        for (LocalTrial t : trials) {
            if (t.startTime() == null) {
                continue; // not started: the API lists trials once they exist
            }
            ObjectNode node = trialsNode.addObject();
            node.put("trialId", t.id());
            ObjectNode values = node.putObject("hyperparameters");
            t.values().forEach((name, value) -> values.put(name, value.text()));
            if (t.metric() != null) {
                ObjectNode metric = node.putObject("finalMetric");
                metric.put("trainingStep", t.trainingStep());
                metric.put("objectiveValue", t.metric());
            }
            node.put("startTime", t.startTime().toString());
            if (t.endTime() != null) {
                node.put("endTime", t.endTime().toString());
            }
            node.put("state", t.state());
        }
        output.put("isHyperparameterTuningJob", true);
        output.put("hyperparameterMetricTag", spec.metricTag());
        AtomicFiles.writeJson(jobFile(), job);
    }
}
