package dev.kfptribuo.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes started by {@link ChildProcesses} behave as the program itself, and die with the JVM.
 */
class ChildProcessesIT {
    @TempDir Path dir;

    /**
     * A JVM that starts {@code sleep 300} through {@link ChildProcesses}, prints its pid, and
     * waits.
     */
    public static final class Parent {
        public static void main(String[] args) throws Exception {
            Process sleep = ChildProcesses.start(new ProcessBuilder("sleep", "300"));
            System.out.println(sleep.pid());
            System.out.flush();
            Thread.sleep(300_000);
        }
    }

    @Test
    void aWatchedProcessIsTheProgramItself() throws Exception {
        Path out = dir.resolve("out.txt");
        Process process =
                ChildProcesses.start(
                        new ProcessBuilder(
                                        "/bin/sh",
                                        "-c",
                                        "echo \"pid $$\"; if read -r x; then echo read; else echo eof; fi; exit 7")
                                .redirectOutput(out.toFile())
                                .redirectErrorStream(true));
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the program reads end of file at once");
        assertEquals(7, process.exitValue(), "the program's exit code");
        assertEquals(
                List.of("pid " + process.pid(), "eof"),
                Files.readAllLines(out),
                "the Process's pid is the program's; its input is /dev/null");
    }

    @Test
    void aMissingProgramIsReportedByJava() {
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                ChildProcesses.start(
                                        new ProcessBuilder(
                                                dir.resolve("no-such-program").toString())));
        assertTrue(e.getMessage().contains("no-such-program"), e.getMessage());
    }

    @Test
    void theChildDiesWithAParentKilledBySigkill() throws Exception {
        Process parent =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:+UseSerialGC",
                                "-cp",
                                System.getProperty("java.class.path"),
                                Parent.class.getName())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        long child;
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            child = Long.parseLong(out.readLine().strip());
            assertTrue(
                    ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false),
                    "the child runs");
            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
        }
        long killed = System.nanoTime();
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)
                && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(5)) {
            Thread.sleep(10);
        }
        boolean alive = ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false);
        ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(!alive, "sleep " + child + " outlived its parent JVM by 5 s");
    }
}
