package dev.kfptribuo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An {@link OutOfMemoryError} ends every program with the one-line error and exit 1, never a stack
 * trace: in process through {@link Programs#run} (the error thrown by the command, by a worker
 * whose future it waits for, or wrapped in an exception), and in a child JVM with a 32 MiB heap
 * through {@link Programs#main}, where the heap really fills up (in the command's thread, in a
 * worker, and in a thread nobody waits for).
 */
class ProgramsOutOfMemoryTest {
    private static final String HEAP = "-Xmx32m";

    private record Run(int code, String out, String err) {
        void assertOneOutOfMemoryLine(String command, String kind) {
            assertEquals(1, code, err);
            assertEquals(1, err.lines().count(), err);
            assertTrue(
                    err.startsWith(
                            command
                                    + ": error: out of memory ("
                                    + kind
                                    + "; the Java heap may grow to "),
                    err);
            assertTrue(
                    err.strip()
                            .endsWith(
                                    " MiB): give the program more memory (a larger container memory limit,"
                                            + " or -Xmx / -XX:MaxRAMPercentage in JDK_JAVA_OPTIONS)"),
                    err);
            assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), err);
        }
    }

    private static Run inProcess(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                Programs.run(
                        new OutOfMemoryProgram(),
                        args,
                        new PrintWriter(out, true),
                        new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource({
        "THROW, Java heap space",
        "WORKER_THROWS, Java heap space",
        "WRAPPED, Requested array size exceeds VM limit"
    })
    void ofTheCommandOrItsWorkerInProcess(String how, String kind) {
        inProcess("--how", how).assertOneOutOfMemoryLine("oom-test", kind);
    }

    @Test
    void theLineNamesTheSubcommandThatRan() {
        inProcess("child").assertOneOutOfMemoryLine("child", "Java heap space");
    }

    @ParameterizedTest
    @CsvSource({"ALLOCATE", "WORKER_ALLOCATES", "THREAD_ALLOCATES"})
    void aChildJvmWhoseHeapFillsUp(String how) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Run run = child(how);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "out of memory, %s in a %s JVM: exit %d after %d ms: %s",
                how, HEAP, run.code(), millis, run.err());
        run.assertOneOutOfMemoryLine("oom-test", "Java heap space");
        // The heap limit the line names is what the JVM makes of -Xmx32m (30 MiB with the serial
        // collector).
        Matcher limit = Pattern.compile("may grow to (\\d+) MiB").matcher(run.err());
        assertTrue(limit.find() && Integer.parseInt(limit.group(1)) <= 32, run.err());
        assertTrue(
                millis < 30_000,
                "the thread case ends at once, not after the command's minute of sleep");
    }

    private static Run child(String how) throws IOException, InterruptedException {
        List<String> command =
                List.of(
                        ProcessHandle.current().info().command().orElse("java"),
                        HEAP,
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        OutOfMemoryProgram.class.getName(),
                        "--how",
                        how);
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not end in 60 s");
        }
        return new Run(
                process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
