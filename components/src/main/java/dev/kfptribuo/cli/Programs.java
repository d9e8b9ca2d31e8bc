package dev.kfptribuo.cli;

import com.google.cloud.storage.StorageException;
import dev.kfptribuo.batch.BatchPrediction;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.model.TrainingDivergedException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;

/**
 * The exit-code and error contract every program of the images shares: 0 success, 1 runtime error,
 * 2 usage error (picocli's), and a runtime error reported as one line on standard error, never a
 * stack trace.
 */
public final class Programs {
    private Programs() {}

    /**
     * Runs a picocli command without exiting the JVM: the seam tests use.
     *
     * @param command the {@code @Command}-annotated object
     * @param args command-line arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(Object command, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(command)
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println(cmd.getCommandName() + ": error: " + describe(e));
                    cmd.getErr().flush();
                    return CommandLine.ExitCode.SOFTWARE;
                });
        return commandLine.execute(args);
    }

    /**
     * Runs a command as a program's {@code main} and exits with its code.
     *
     * @param command the {@code @Command}-annotated object
     * @param args command-line arguments
     */
    public static void main(Object command, String[] args) {
        // Tribuo and the Google clients log through java.util.logging; the programs print their own lines.
        Logger.getLogger("").setLevel(Level.WARNING);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(command, args, out, err));
    }

    /**
     * @param e an error from a command
     * @return one line for the user: the message alone for errors that name their cause
     */
    public static String describe(Exception e) {
        if (e instanceof FileNotFoundException || e instanceof DataFormatException
                || e instanceof TrainingDivergedException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof BatchPrediction.TooManyBadRowsException) {
            return oneLine(e.getMessage());
        }
        if (e instanceof IOException || e instanceof StorageException) {
            return "I/O: " + oneLine(e.getMessage());
        }
        return e.getClass().getSimpleName() + ": " + oneLine(e.getMessage());
    }

    private static String oneLine(String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
