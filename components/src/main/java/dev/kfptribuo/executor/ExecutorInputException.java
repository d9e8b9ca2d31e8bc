package dev.kfptribuo.executor;

/**
 * An executor input a program cannot use: not JSON, not an object, or without an output the program
 * writes (the executor output file, an output parameter, an output artifact or its URI). A usage
 * error: the programs report it as one line and exit with code 2, having written nothing.
 */
public final class ExecutorInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, on one line, starting with the flag ({@code --executor-input:
     *     ...})
     */
    public ExecutorInputException(String message) {
        super(message);
    }
}
