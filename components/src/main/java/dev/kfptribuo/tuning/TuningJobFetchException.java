package dev.kfptribuo.tuning;

import java.io.IOException;

/**
 * A tuning job that could not be fetched: an HTTP error status after the retries, or a network
 * error after the retries. The message is one line with the URL, the status and the service's own
 * error message.
 */
public class TuningJobFetchException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The status code of a network error, where the server sent no response. */
    public static final int NO_RESPONSE = -1;

    private final int statusCode;

    /**
     * @param message one line with the URL and what went wrong
     * @param statusCode the final HTTP status, or {@link #NO_RESPONSE}
     * @param cause the network error, or null
     */
    public TuningJobFetchException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /**
     * @return the final HTTP status, or {@link #NO_RESPONSE} after a network error
     */
    public int statusCode() {
        return statusCode;
    }
}
