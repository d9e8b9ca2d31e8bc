package dev.kfptribuo.localrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a run that does not succeed ends, in a child JVM as bin/continuous-training runs: run.json's
 * status, its steps', the lines and the exit code.
 */
class RunEndsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir Path dir;

    /**
     * Starts a command as a terminal starts a job: in a process group (and session) of its own,
     * SIGINT and SIGTERM at their defaults (a JVM started from a background job would inherit
     * SIGINT ignored), so that a signal to the group reaches the run and every program it started.
     */
    private static final String JOB =
            "import os, signal, sys\n"
                    + "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
                    + "signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
                    + "os.setsid()\n"
                    + "os.execvp(sys.argv[1], sys.argv[1:])\n";

    private static final String SPEC =
            "{'hyperparameters': {'goal': 'MAXIMIZE', 'maxTrials': %d, 'maxParallelTrials': 2,"
                    + " 'hyperparameterMetricTag': 'accuracy', 'params': [{'parameterName': 'alpha', 'type': 'DOUBLE',"
                    + " 'minValue': 0.0001, 'maxValue': 0.001, 'scaleType': 'UNIT_LOG_SCALE'}]}}";

    /** The pipeline's JVM, its output in out.log and err.log. */
    private Process start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of("python3", "-c", JOB, ProgramLauncher.currentJava()));
        command.addAll(jvmOptions);
        command.addAll(
                List.of(
                        "-Dkfptribuo.home=" + ROOT,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ContinuousTraining.class.getName(),
                        "--runs-dir",
                        dir.resolve("runs").toString(),
                        "--registry",
                        dir.resolve("registry").toString(),
                        "--run-id",
                        "r"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.log").toFile())
                .redirectError(dir.resolve("err.log").toFile())
                .start();
    }

    private String out() throws IOException {
        return Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
    }

    private String err() throws IOException {
        return Files.readString(dir.resolve("err.log"), StandardCharsets.UTF_8);
    }

    /** Waits for a file the run writes (a step's or trial's log appears as its program starts). */
    private static void awaitFile(Process run, Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file)) {
            assertTrue(run.isAlive(), "the run ended before " + file + " appeared");
            assertTrue(System.nanoTime() < deadline, "no " + file);
            Thread.sleep(20);
        }
    }

    private static void kill(String signal, String target) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, "--", target).start().waitFor());
    }

    private JsonNode runJson() throws IOException {
        return JSON.readTree(dir.resolve("runs/r/run.json").toFile());
    }

    private static int exit(Process process) throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the run did not end");
        }
        return process.exitValue();
    }

    /** A run on the bundled 10,000 rows with TRIALS trials, slow enough to be signalled. */
    private Process startOnTheSmallSample(int trials) throws IOException {
        return start(
                List.of(),
                "--source",
                ROOT.resolve("data/covertype/covertype_small.csv").toString(),
                "--hypertune-settings",
                String.format(java.util.Locale.ROOT, SPEC, trials),
                "--trainer-jvm-options",
                "-Xint -XX:+UseSerialGC");
    }

    /**
     * Out of memory in the split (one endless line): the program's one error line, exit 1, and
     * run.json says the run and its split step failed, not running.
     */
    @Test
    void outOfMemoryFailsTheRunAndItsStep() throws Exception {
        Process run = start(List.of("-Xmx48m", "-XX:+UseSerialGC"), "--source", "/dev/zero");
        assertEquals(1, exit(run), err());
        assertTrue(err().startsWith("continuous-training: error: out of memory ("), err());
        assertEquals(1, err().strip().lines().count(), err());
        JsonNode log = runJson();
        assertEquals("failed", log.get("status").asText());
        assertEquals(run.pid(), log.get("pid").asLong());
        assertEquals(1, log.get("steps").size());
        assertEquals("failed", log.at("/steps/0/status").asText());
        assertTrue(log.at("/steps/0/error").asText().startsWith("out of memory ("), log.toString());
        assertTrue(out().contains("(failed, "), out());
        assertFalse(out().contains("running"), out());
    }

    /**
     * Ctrl-C in a terminal: SIGINT to the whole process group during the tuning, the trials (which
     * die of it, exit 130) as well as the run. No trial is FAILED and none starts after it, the run
     * says it was interrupted in one line, run.json and its tune step say interrupted, the study is
     * CANCELLED, and the run exits 130.
     */
    @Test
    void ctrlCInATerminalDuringTheTuningInterruptsTheRun() throws Exception {
        Process run = startOnTheSmallSample(4);
        Path trials = dir.resolve("runs/r/2-tune/trials");
        awaitFile(run, trials.resolve("1/stderr.log"));
        awaitFile(run, trials.resolve("2/stderr.log"));
        kill("INT", "-" + run.pid());
        assertEquals(130, exit(run), out() + err());
        assertFalse(out().contains("FAILED"), out());
        assertFalse(out().contains("trial 3 started"), out());
        assertFalse(Files.exists(trials.resolve("3")), "no trial starts after Ctrl-C");
        // Which the run notices first, a trial dead of the signal or its own JVM stopping, is a
        // race.
        assertTrue(
                err().startsWith("continuous-training: run interrupted at step 2 (tune): trial ")
                        || err().equals(
                                        "continuous-training: run interrupted at step 2 (tune): the run's JVM"
                                                + " is stopping (Ctrl-C or kill)\n"),
                err());
        assertEquals(1, err().strip().lines().count(), err());
        assertTrue(out().contains("(interrupted, "), out());
        JsonNode log = runJson();
        assertEquals("interrupted", log.get("status").asText());
        assertEquals(2, log.get("steps").size());
        assertEquals("succeeded", log.at("/steps/0/status").asText());
        assertEquals("interrupted", log.at("/steps/1/status").asText());
        JsonNode job = JSON.readTree(dir.resolve("runs/r/2-tune/job.json").toFile());
        assertEquals("CANCELLED", job.get("state").asText());
        assertTrue(
                Files.readString(dir.resolve("runs/r/report.html"))
                        .contains("Run interrupted at step 2 (tune)."));
        assertFalse(Files.exists(dir.resolve("registry")));
    }

    /**
     * SIGTERM to the run alone while step 4 (train) runs: the run stops its program (which dies of
     * the SIGTERM it is sent), starts no step, says it was interrupted in one line, run.json and
     * step 4 say interrupted, exit 143.
     */
    @Test
    void sigtermToTheRunDuringTrainInterruptsIt() throws Exception {
        Process run = startOnTheSmallSample(1);
        awaitFile(run, dir.resolve("runs/r/4-train/stderr.log"));
        kill("TERM", Long.toString(run.pid()));
        assertEquals(143, exit(run), out() + err());
        assertTrue(
                err().startsWith("continuous-training: run interrupted at step 4 (train): "),
                err());
        assertEquals(1, err().strip().lines().count(), err());
        assertFalse(out().contains("[5/6]"), out());
        JsonNode log = runJson();
        assertEquals("interrupted", log.get("status").asText());
        assertEquals(4, log.get("steps").size());
        assertEquals("interrupted", log.at("/steps/3/status").asText());
    }

    /**
     * Ctrl-C while the deploy, in the run's own JVM, waits for the registry's lock (held here): the
     * deploy completes once the lock is free and is recorded so (step 6 succeeded, the version in
     * the registry), the run ends interrupted with one line, exit 130.
     */
    @Test
    void ctrlCDuringTheDeployLetsItCompleteAndRecordsIt() throws Exception {
        Path modelDir = dir.resolve("registry/covertype_classifier");
        Files.createDirectories(modelDir);
        try (FileChannel lockFile =
                FileChannel.open(
                        modelDir.resolve(".lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
            FileLock held = lockFile.lock();
            Process run =
                    start(
                            List.of(),
                            "--source",
                            ROOT.resolve("data/covertype/covertype_small.csv").toString(),
                            "--hypertune-settings",
                            String.format(java.util.Locale.ROOT, SPEC, 1),
                            "--evaluation-metric-threshold",
                            "0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!out().contains("waiting for the deploy that holds")) {
                assertTrue(
                        run.isAlive(), "the run ended before its deploy waited: " + out() + err());
                assertTrue(System.nanoTime() < deadline, out());
                Thread.sleep(20);
            }
            kill("INT", "-" + run.pid());
            // Nothing outside the JVM shows that its shutdown has begun: give it a moment.
            Thread.sleep(1000);
            assertTrue(run.isAlive(), "the run waits for its deploy: " + out() + err());
            held.release();
            assertEquals(130, exit(run), out() + err());
        }
        assertEquals(
                "continuous-training: run interrupted after step 6 (deploy) completed: the run's JVM"
                        + " is stopping (Ctrl-C or kill)",
                err().strip());
        JsonNode log = runJson();
        assertEquals("interrupted", log.get("status").asText());
        assertEquals("succeeded", log.at("/steps/5/status").asText());
        assertTrue(
                log.at("/steps/5/summary")
                        .asText()
                        .contains("published as covertype_classifier/v01"),
                log.toString());
        assertTrue(Files.exists(modelDir.resolve("current.json")), "the deploy completed");
        assertFalse(out().contains("curl"), out());
    }
}
