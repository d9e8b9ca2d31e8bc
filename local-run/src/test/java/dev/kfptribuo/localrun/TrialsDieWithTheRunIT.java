package dev.kfptribuo.localrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.process.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trials of a local run, started by {@link ChildProcesses}, die with the run's JVM. */
class TrialsDieWithTheRunIT {
    private static final Pattern JOB_DIR = Pattern.compile("--job-dir (\\S+)");

    @TempDir Path dir;

    /**
     * The pipeline in a child JVM, killed with SIGKILL while its trials run: within 2 s no process
     * it started (trial or watcher) is left. The trials run interpreted ({@code -Xint}), so that
     * each would last many seconds on its own: without the watcher they outlive the check.
     */
    @Test
    void trialsDieWithTheRunKilledBySigkill() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> command =
                new ArrayList<>(
                        List.of(
                                ProgramLauncher.currentJava(),
                                "-XX:+UseSerialGC",
                                "-XX:TieredStopAtLevel=1",
                                "-Dkfptribuo.home=" + root,
                                "-cp",
                                System.getProperty("java.class.path"),
                                ContinuousTraining.class.getName(),
                                "--source",
                                root.resolve("data/covertype/covertype_small.csv").toString(),
                                "--runs-dir",
                                dir.resolve("runs").toString(),
                                "--registry",
                                dir.resolve("registry").toString(),
                                "--run-id",
                                "killed",
                                "--trainer-jvm-options",
                                "-Xint -XX:+UseSerialGC"));
        Process run =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("run.log").toFile())
                        .start();
        Map<Long, String> seen = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            // Until two trials run at once (the lab's spec runs three at a time).
            while (run.isAlive() && System.nanoTime() < deadline) {
                run.descendants().forEach(p -> seen.put(p.pid(), commandLine(p)));
                if (trials(run.descendants().map(TrialsDieWithTheRunIT::commandLine)) >= 2) {
                    break;
                }
                Thread.sleep(10);
            }
            run.descendants().forEach(p -> seen.put(p.pid(), commandLine(p)));
            assertTrue(
                    run.isAlive(),
                    "the run ended before its trials could be seen: "
                            + Files.readString(dir.resolve("run.log"), StandardCharsets.UTF_8));
        } finally {
            run.destroyForcibly(); // SIGKILL: no shutdown hook runs
        }
        assertTrue(trials(seen.values().stream()) >= 2, seen.toString());
        run.waitFor(5, TimeUnit.SECONDS);

        long killed = System.nanoTime();
        List<Long> left = new ArrayList<>(seen.keySet());
        while (!left.isEmpty() && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(2)) {
            left.removeIf(pid -> !running(pid));
            Thread.sleep(10);
        }
        List<String> remaining =
                left.stream().map(pid -> pid + " " + shortened(seen.get(pid))).toList();
        left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        assertEquals(List.of(), remaining, "processes left 2 s after the run was killed");
        assertFalse(Files.exists(dir.resolve("registry")), "the run was killed before its deploy");
    }

    /**
     * How many trials the command lines start: distinct job dirs of train. Not processes: a trial
     * is bin/lib/launch, then the JVM it execs, with bash's short-lived subshells beside it, and
     * the run first starts train once with --version (its JVM options check), without a job dir.
     */
    private static long trials(Stream<String> commandLines) {
        return commandLines
                .filter(c -> c.contains("dev.kfptribuo.trainer.Train"))
                .map(c -> JOB_DIR.matcher(c))
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .distinct()
                .count();
    }

    /** A command line without its classpath. */
    private static String shortened(String commandLine) {
        int main = commandLine.indexOf("dev.kfptribuo.");
        return main >= 0
                ? commandLine.substring(main)
                : commandLine.substring(0, Math.min(120, commandLine.length()));
    }

    /**
     * The whole command line (ProcessHandle.Info cuts it at 4096 characters, inside a trial's
     * classpath).
     */
    private static String commandLine(ProcessHandle process) {
        try {
            return new String(
                            Files.readAllBytes(
                                    Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                            StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return process.info().commandLine().orElse("?");
        }
    }

    /** Alive and not a zombie (a killed orphan waits for its new parent to reap it). */
    private static boolean running(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String text = Files.readString(stat);
                return !text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
            } catch (IOException e) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
