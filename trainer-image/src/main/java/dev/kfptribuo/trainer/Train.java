package dev.kfptribuo.trainer;

import dev.kfptribuo.cli.Programs;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Entry point of the trainer image: {@code java dev.kfptribuo.trainer.Train [flags]}.
 *
 * <p>Progress goes to standard output, one line per event; errors go to standard error as one line.
 * Exit codes: 0 success, 1 runtime error, 2 usage error.
 */
public final class Train {
    private Train() {}

    /**
     * @param args command-line flags, see {@code --help}
     */
    public static void main(String[] args) {
        Programs.main(new TrainCommand(new PrintWriter(System.out, true), System.getenv()), args);
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
    public static int run(
            String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        return Programs.run(new TrainCommand(out, env), args, out, err);
    }
}
