package dev.kfptribuo.trainer;

import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.model.TrainingDivergedException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;

/**
 * Entry point of the trainer image: {@code java dev.kfptribuo.trainer.Train [flags]}.
 *
 * <p>Progress goes to standard output, one line per event; errors go to standard error as one
 * line. Exit codes: 0 success, 1 runtime error, 2 usage error.
 */
public final class Train {
    private Train() {}

    /**
     * @param args command-line flags, see {@code --help}
     */
    public static void main(String[] args) {
        // Tribuo logs through java.util.logging at INFO; our own progress lines replace it.
        Logger.getLogger("").setLevel(Level.WARNING);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err, System.getenv()));
    }

    /**
     * Runs the program without exiting the JVM: the seam tests use.
     *
     * @param args command-line flags
     * @param out progress output
     * @param err error output
     * @param env environment variables (CLOUD_ML_HP_METRIC_FILE, CLOUD_ML_TRIAL_ID, AIP_MODEL_DIR)
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        CommandLine commandLine = new CommandLine(new TrainCommand(out, env))
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println("train: error: " + describe(e));
                    cmd.getErr().flush();
                    return CommandLine.ExitCode.SOFTWARE;
                });
        return commandLine.execute(args);
    }

    private static String describe(Exception e) {
        if (e instanceof FileNotFoundException || e instanceof DataFormatException
                || e instanceof TrainingDivergedException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        if (e instanceof IOException) {
            return "I/O: " + e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
