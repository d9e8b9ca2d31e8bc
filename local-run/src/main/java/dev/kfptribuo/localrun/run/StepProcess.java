package dev.kfptribuo.localrun.run;

import dev.kfptribuo.process.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A step's program as a process, the way KFP runs a step's container: its command line in the
 * step's {@code command.txt}, its output in {@code stdout.log} and {@code stderr.log}; a non-zero
 * exit fails the step with the last line of its error output. The process dies with the run ({@link
 * ChildProcesses}).
 */
public final class StepProcess {
    private StepProcess() {}

    /**
     * @param run the run (the failure's log is named relative to it)
     * @param program the program's name, for the failure
     * @param command the whole command line
     * @param dir the step's directory
     * @throws StepFailed if the program exits with a non-zero code
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
            List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            String last =
                    lines.stream()
                            .filter(l -> !l.isBlank())
                            .reduce((a, b) -> b)
                            .orElse("(no error output)");
            throw new StepFailed(
                    program
                            + " exited with code "
                            + exit
                            + ": "
                            + last.strip()
                            + " (log: "
                            + run.relative(stderr)
                            + ")");
        }
    }
}
