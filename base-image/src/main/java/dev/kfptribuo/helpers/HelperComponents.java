package dev.kfptribuo.helpers;

import dev.kfptribuo.cli.Programs;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of the base image: one program, a subcommand per helper component of the lab's
 * pipeline ({@code retrieve-best-run}, {@code evaluate-model}) and batch prediction ({@code
 * batch-predict}).
 *
 * <p>Exit codes: 0 success, 1 runtime error (one line on standard error), 2 usage error.
 */
@Command(
        name = "helpers",
        mixinStandardHelpOptions = true,
        description = "The helper components of the lab's continuous-training pipeline.",
        subcommands = {
            RetrieveBestRunCommand.class,
            EvaluateModelCommand.class,
            BatchPredictCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime error", "2:usage error"})
public final class HelperComponents implements Runnable {
    @Spec private CommandSpec spec;

    /**
     * @param args a subcommand and its flags, see {@code --help}
     */
    public static void main(String[] args) {
        Programs.main(new HelperComponents(), args);
    }

    /**
     * Runs the program without exiting the JVM: the seam tests use.
     *
     * @param args a subcommand and its flags
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return Programs.run(new HelperComponents(), args, out, err);
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand: retrieve-best-run, evaluate-model or batch-predict");
    }
}
