package dev.kfptribuo.localrun.run;

import dev.kfptribuo.cli.Programs;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs the steps of a run in order: each gets its number, its directory and its entry in {@code
 * run.json} (rewritten as it starts and ends), a {@code [n/N] name} line before and its summary
 * with its time after; the first that fails stops the run with one line naming it. A step that ends
 * in an error of the JVM (out of memory) is marked failed too before the error goes on.
 */
public final class StepRunner {
    private final RunDirectory run;
    private final Console console;
    private final int total;
    private int number;

    /**
     * @param run the run
     * @param console where the lines go
     * @param total how many steps the run has
     */
    public StepRunner(RunDirectory run, Console console, int total) {
        this.run = run;
        this.console = console;
        this.total = total;
    }

    /**
     * Runs the next step.
     *
     * @param step the step
     * @param <T> what it hands on
     * @return its result
     * @throws StepFailed {@code step <n> (<name>) failed: <why>}, once run.json says so
     * @throws RunInterrupted {@code run interrupted at step <n> (<name>): <why>}, once run.json
     *     says the step was interrupted
     * @throws IOException if run.json cannot be written
     */
    public <T> T run(Step<T> step) throws IOException {
        if (RunInterrupted.jvmStopping()) {
            RunInterrupted stopping = RunInterrupted.stopping();
            throw new RunInterrupted(
                    "run interrupted before step "
                            + (number + 1)
                            + " ("
                            + step.name()
                            + "): "
                            + stopping.getMessage(),
                    stopping.exitCode());
        }
        number++;
        RunLog.Step entry = new RunLog.Step();
        entry.number = number;
        entry.name = step.name();
        entry.status = "running";
        entry.dir = number + "-" + step.name();
        run.log().steps.add(entry);
        run.writeLog();
        console.say("[%d/%d] %s", number, total, step.name());
        Path dir = run.dir().resolve(entry.dir);
        long start = System.nanoTime();
        try {
            Step.Result<T> result = step.run(dir);
            entry.summary = result.summary();
            entry.status = "succeeded";
            entry.seconds = Console.seconds(start);
            console.say("      %s (%.1fs)", entry.summary, entry.seconds);
            return result.value();
        } catch (RunInterrupted e) {
            throw interrupt(entry, start, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupt(
                    entry, start, new RunInterrupted("interrupted", RunInterrupted.SIGINT_EXIT));
        } catch (StepFailed e) {
            throw failOrInterrupt(entry, start, e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw failOrInterrupt(entry, start, Programs.describe(e));
        } catch (Error e) {
            // Out of memory, say: the step is marked failed, and the program reports the error.
            fail(entry, start, describe(e));
            throw e;
        } finally {
            run.writeLog();
        }
    }

    private static String describe(Error e) {
        return e instanceof OutOfMemoryError outOfMemory
                ? Programs.outOfMemory(outOfMemory)
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** A step that fails while the JVM stops (a program it cannot start) was interrupted. */
    private static RuntimeException failOrInterrupt(RunLog.Step entry, long start, String message) {
        if (RunInterrupted.jvmStopping()) {
            return interrupt(entry, start, RunInterrupted.stopping());
        }
        return fail(entry, start, message);
    }

    private static RunInterrupted interrupt(RunLog.Step entry, long start, RunInterrupted e) {
        entry.status = "interrupted";
        entry.seconds = Console.seconds(start);
        entry.error = e.getMessage();
        return new RunInterrupted(
                "run interrupted at step "
                        + entry.number
                        + " ("
                        + entry.name
                        + "): "
                        + e.getMessage(),
                e.exitCode());
    }

    private static StepFailed fail(RunLog.Step entry, long start, String message) {
        entry.status = "failed";
        entry.seconds = Console.seconds(start);
        entry.error = message;
        return new StepFailed("step " + entry.number + " (" + entry.name + ") failed: " + message);
    }
}
