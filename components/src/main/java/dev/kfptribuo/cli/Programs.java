package dev.kfptribuo.cli;

import com.google.cloud.storage.StorageException;
import dev.kfptribuo.batch.BatchPrediction;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.executor.ExecutorInputException;
import dev.kfptribuo.io.FileErrors;
import dev.kfptribuo.model.TrainingDivergedException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;

/**
 * The exit-code and error contract every program of the images shares: 0 success, 1 runtime error,
 * 2 usage error (picocli's), a usage error reported as one line and a pointer to {@code --help} (a
 * KFP v2 executor input the command cannot use, {@link ExecutorInputException}: the one line
 * alone), a runtime error as one line on standard error, never a stack trace, and {@code --version}
 * from the build ({@link BuildVersion}).
 *
 * <p>That holds for an {@link OutOfMemoryError} too, which picocli's exception handler never sees
 * (it handles Exceptions): thrown by the command, or wrapped by a worker thread's future (an {@code
 * ExecutionException} or any exception caused by it), it ends the run with one line naming the heap
 * limit and exit 1. In {@link #main}, one in any other thread, which would otherwise die with a
 * stack trace while the program goes on without it, prints the same line and halts the JVM with
 * exit 1.
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
        CommandLine commandLine =
                new CommandLine(command)
                        // A value starting with '@' is the value (train.py's argparse and KFP pass
                        // it
                        // as is; --hypertune-settings @FILE reads the file itself), not a picocli
                        // argument file.
                        .setExpandAtFiles(false)
                        .setOut(out)
                        .setErr(err)
                        .setParameterExceptionHandler(Programs::usageError)
                        .setExecutionExceptionHandler(
                                (e, cmd, parseResult) -> {
                                    cmd.getErr()
                                            .println(
                                                    cmd.getCommandName()
                                                            + ": error: "
                                                            + describe(e));
                                    cmd.getErr().flush();
                                    // A KFP v2 executor input the command cannot use is a usage
                                    // error, on one line.
                                    return e instanceof ExecutorInputException
                                            ? CommandLine.ExitCode.USAGE
                                            : CommandLine.ExitCode.SOFTWARE;
                                });
        setVersionProviders(commandLine);
        try {
            return commandLine.execute(args);
        } catch (OutOfMemoryError e) {
            err.println(runningName(commandLine) + ": error: " + outOfMemory(e));
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    /**
     * A usage error as two lines, not picocli's default of the whole usage after the message, which
     * floods a KFP step's log: {@code <command>: error: <message>} (with picocli's suggestions for
     * a mistyped option, if any) and {@code Try '<command> --help' for more information.} A value a
     * converter refuses with a {@link FlagValueException} reads {@code <flag> <reason>}.
     *
     * @return exit 2
     */
    static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandName() + ": error: " + oneLine(message(e)));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println(
                "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * A converter's {@link FlagValueException} follows the flag's name; other errors are picocli's.
     */
    private static String message(CommandLine.ParameterException e) {
        if (e.getCause() instanceof FlagValueException refused
                && e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
            return refused.after(option.longestName());
        }
        return e.getMessage();
    }

    /** Every (sub)command's --version prints {@link BuildVersion}'s line. */
    private static void setVersionProviders(CommandLine commandLine) {
        commandLine
                .getCommandSpec()
                .versionProvider(new BuildVersion(commandLine.getCommandSpec()));
        commandLine.getSubcommands().values().forEach(Programs::setVersionProviders);
    }

    /** The name of the (sub)command that ran: the last one on the parsed command line. */
    private static String runningName(CommandLine commandLine) {
        CommandLine.ParseResult last = commandLine.getParseResult();
        if (last == null) {
            return commandLine.getCommandName();
        }
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        return last.commandSpec().name();
    }

    /**
     * Runs a command as a program's {@code main} and exits with its code.
     *
     * @param command the {@code @Command}-annotated object
     * @param args command-line arguments
     */
    public static void main(Object command, String[] args) {
        // Tribuo and the Google clients log through java.util.logging; the programs print their own
        // lines, and warnings (a Cloud Storage retry) come as one line each, as Cloud Logging reads
        // them.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        Logger.getLogger("").setLevel(Level.WARNING);
        CommandLine.Command annotation =
                command.getClass().getAnnotation(CommandLine.Command.class);
        String name = annotation == null ? command.getClass().getSimpleName() : annotation.name();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(
                (thread, e) -> {
                    if (causedByOutOfMemory(e) != null) {
                        try {
                            System.err.println(
                                    name + ": error: " + outOfMemory(causedByOutOfMemory(e)));
                            System.err.flush();
                        } finally {
                            Runtime.getRuntime().halt(CommandLine.ExitCode.SOFTWARE);
                        }
                    } else if (previous != null) {
                        previous.uncaughtException(thread, e);
                    } else {
                        // What the JVM does without a handler.
                        System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                        e.printStackTrace(System.err);
                    }
                });
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(command, args, out, err));
    }

    /**
     * @param e an error from a command
     * @return one line for the user: the message alone for errors that name their cause
     */
    public static String describe(Exception e) {
        OutOfMemoryError outOfMemory = causedByOutOfMemory(e);
        if (outOfMemory != null) {
            return outOfMemory(outOfMemory);
        }
        if (e instanceof FileNotFoundException
                || e instanceof DataFormatException
                || e instanceof ExecutorInputException
                || e instanceof TrainingDivergedException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof BatchPrediction.TooManyBadRowsException) {
            return oneLine(e.getMessage());
        }
        if (e instanceof FileSystemException fileSystem) {
            return "I/O: " + oneLine(FileErrors.describe(fileSystem));
        }
        if (e instanceof IOException || e instanceof StorageException) {
            return "I/O: " + oneLine(e.getMessage());
        }
        return e.getClass().getSimpleName() + ": " + oneLine(e.getMessage());
    }

    /**
     * @param e an error
     * @return the {@link OutOfMemoryError} it is or was caused by (a worker thread's, wrapped), or
     *     null
     */
    static OutOfMemoryError causedByOutOfMemory(Throwable e) {
        Throwable cause = e;
        for (int depth = 0; cause != null && depth < 32; depth++, cause = cause.getCause()) {
            if (cause instanceof OutOfMemoryError outOfMemory) {
                return outOfMemory;
            }
        }
        return null;
    }

    /**
     * @param e an out-of-memory error
     * @return its one line: {@code out of memory (Java heap space; the Java heap may grow to N
     *     MiB): give the program more memory (...)}, the heap limit in MiB of this JVM
     */
    public static String outOfMemory(OutOfMemoryError e) {
        return "out of memory ("
                + (e.getMessage() == null ? "" : oneLine(e.getMessage()) + "; ")
                + "the Java heap may grow to "
                + (Runtime.getRuntime().maxMemory() >> 20)
                + " MiB): give the program"
                + " more memory (a larger container memory limit, or -Xmx / -XX:MaxRAMPercentage in JDK_JAVA_OPTIONS)";
    }

    private static String oneLine(String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
