package dev.kfptribuo.cli;

import picocli.CommandLine.TypeConversionException;

/**
 * A flag's value that a converter refuses, worded to follow the flag's name: {@link Programs}
 * prints the usage error as {@code <command>: error: <flag> <message>}, for example {@code
 * --model-path is empty: give a job dir, local or gs://}, instead of picocli's {@code Invalid value
 * for option '--model-path': ...}. A message that starts with {@code :} follows the flag directly
 * ({@code --dataset-path: unsupported URI scheme in s3://b/x ...}).
 */
public final class FlagValueException extends TypeConversionException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the reason, as it reads after the flag's name
     */
    public FlagValueException(String message) {
        super(message);
    }

    /**
     * @param flag the flag's name, such as {@code --model-path}
     * @return the one line of the usage error
     */
    public String after(String flag) {
        return getMessage().startsWith(":") ? flag + getMessage() : flag + " " + getMessage();
    }
}
