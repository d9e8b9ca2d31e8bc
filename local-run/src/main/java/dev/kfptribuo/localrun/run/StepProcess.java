package dev.kfptribuo.localrun.run;

import dev.kfptribuo.process.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A step's program as a process, the way KFP runs a step's container: its command line in the
 * step's {@code command.txt}, its output in {@code stdout.log} and {@code stderr.log}; a non-zero
 * exit fails the step with the reason in its error output ({@link #reason}). The process dies with
 * the run ({@link ChildProcesses}).
 */
public final class StepProcess {
    private static final Pattern ERROR_LINE = Pattern.compile("[A-Za-z0-9_.-]+: error: .*");

    private StepProcess() {}

    /**
     * Why a program failed, from its error output: its last {@code <program>: error: ...} line (the
     * programs' one-line errors, which a usage error follows with a {@code Try '... --help'} line),
     * else its last line that is not blank.
     *
     * @param stderr the program's error output
     * @return that line, stripped, or {@code (no error output)}
     */
    public static String reason(Path stderr) {
        List<String> lines;
        try {
            lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no error output)";
        }
        String last = null;
        String error = null;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            last = line.strip();
            if (ERROR_LINE.matcher(last).matches()) {
                error = last;
            }
        }
        return error != null ? error : last != null ? last : "(no error output)";
    }

    /**
     * @param run the run (the failure's log is named relative to it)
     * @param program the program's name, for the failure
     * @param command the whole command line
     * @param dir the step's directory
     * @throws RunInterrupted if the program died of SIGINT or SIGTERM, or exited while the JVM
     *     stops
     * @throws StepFailed if the program exits with a non-zero code otherwise
     * @throws IOException if it cannot be started or its files written
     * @throws InterruptedException if interrupted (the process is stopped)
     */
    public static void run(RunDirectory run, String program, List<String> command, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("command.txt"),
                String.join("\n", command) + "\n",
                StandardCharsets.UTF_8);
        Path stdout = dir.resolve("stdout.log");
        Path stderr = dir.resolve("stderr.log");
        Process process =
                ChildProcesses.start(
                        new ProcessBuilder(command)
                                .redirectOutput(stdout.toFile())
                                .redirectError(stderr.toFile()));
        int exit = ChildProcesses.waitFor(process);
        if (exit != 0) {
            RunInterrupted interrupted = RunInterrupted.ofExit(program, exit);
            if (interrupted != null) {
                throw interrupted;
            }
            throw new StepFailed(
                    program
                            + " exited with code "
                            + exit
                            + ": "
                            + reason(stderr)
                            + " (log: "
                            + run.relative(stderr)
                            + ")");
        }
    }
}
