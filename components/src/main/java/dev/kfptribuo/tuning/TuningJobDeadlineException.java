package dev.kfptribuo.tuning;

import java.time.Duration;

/**
 * A tuning job fetch that ran out of its overall deadline: no whole response came in time (a server
 * that trickles its body or stalls), or the next retry, a backoff delay or the server's own {@code
 * Retry-After}, would come after it. The message is one line naming the URL and the deadline.
 */
public class TuningJobDeadlineException extends TuningJobFetchException {
    private static final long serialVersionUID = 1L;

    private final Duration deadline;

    /**
     * @param message one line with the URL, the deadline and what was under way
     * @param statusCode the last HTTP status, or {@link #NO_RESPONSE}
     * @param deadline the overall deadline that ran out
     * @param cause the last network error, or null
     */
    public TuningJobDeadlineException(
            String message, int statusCode, Duration deadline, Throwable cause) {
        super(message, statusCode, cause);
        this.deadline = deadline;
    }

    /**
     * @return the overall deadline that ran out
     */
    public Duration deadline() {
        return deadline;
    }
}
