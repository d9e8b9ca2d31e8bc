package dev.kfptribuo.localrun.run;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One step of the run: it works in its own directory and hands the next steps a typed result.
 *
 * @param <T> what it hands on
 */
public interface Step<T> {
    /**
     * @return its short name, also its directory's suffix ({@code split}, {@code tune}...)
     */
    String name();

    /**
     * Runs the step.
     *
     * @param dir its directory, {@code <number>-<name>} in the run directory (not yet created)
     * @return its result and one line for people
     * @throws StepFailed with the reason, in one line
     * @throws IOException if its files cannot be read or written
     * @throws InterruptedException if interrupted
     */
    Result<T> run(Path dir) throws IOException, InterruptedException;

    /**
     * What a step hands on, and its line.
     *
     * @param value the result
     * @param summary one line for people (printed, and in {@code run.json})
     * @param <T> the result's type
     */
    record Result<T>(T value, String summary) {}
}
