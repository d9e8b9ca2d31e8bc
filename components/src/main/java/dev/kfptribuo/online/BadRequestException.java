package dev.kfptribuo.online;

/**
 * A prediction request the server cannot answer because of what the client sent, with what is wrong
 * in one line: where in the body (which instance, which column) and why. The server answers it as
 * HTTP 400 with {@code {"error": message}}; it is never a server fault, so it carries no stack
 * trace.
 */
public final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, in one line
     */
    public BadRequestException(String message) {
        super(message, null, false, false);
    }
}
