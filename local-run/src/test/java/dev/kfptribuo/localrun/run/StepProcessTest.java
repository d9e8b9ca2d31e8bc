package dev.kfptribuo.localrun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepProcessTest {
    @TempDir Path dir;

    private String failure(String script) throws Exception {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), null);
        Path step = run.dir().resolve("5-evaluate");
        return assertThrows(
                        StepFailed.class,
                        () -> StepProcess.run(run, "helpers", List.of("sh", "-c", script), step))
                .getMessage();
    }

    /**
     * A usage error's last line is the pointer to --help: the error line before it is the reason.
     */
    @Test
    void aFailureShowsTheProgramsErrorLineNotTheHelpPointerAfterIt() throws Exception {
        assertEquals(
                "helpers exited with code 2: evaluate-model: error: --metric-name: 'x' is not a metric"
                        + " (log: 5-evaluate/stderr.log)",
                failure(
                        "echo 'evaluate-model: error: --metric-name: first' >&2;"
                                + " echo 'evaluate-model: error: --metric-name: '\\''x'\\'' is not a metric' >&2;"
                                + " echo \"Try 'helpers evaluate-model --help' for more information.\" >&2;"
                                + " echo >&2; exit 2"));
    }

    @Test
    void withoutAnErrorLineTheLastLineIsShown() throws Exception {
        assertEquals(
                "helpers exited with code 1: Exception in thread main (log: 5-evaluate/stderr.log)",
                failure("echo 'some: thing' >&2; echo 'Exception in thread main' >&2; exit 1"));
        assertEquals(
                "helpers exited with code 3: (no error output) (log: 5-evaluate/stderr.log)",
                failure("exit 3"));
    }

    /** A program dead of SIGTERM (or SIGINT) did not fail: the run was interrupted. */
    @Test
    void aProgramDeadOfASignalInterruptsTheRun() throws Exception {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), null);
        Path step = run.dir().resolve("4-train");
        RunInterrupted interrupted =
                assertThrows(
                        RunInterrupted.class,
                        () ->
                                StepProcess.run(
                                        run,
                                        "train",
                                        List.of("sh", "-c", "echo working >&2; kill -TERM $$"),
                                        step));
        assertEquals("train ended by SIGTERM (exit code 143)", interrupted.getMessage());
        assertEquals(143, interrupted.exitCode());
    }
}
