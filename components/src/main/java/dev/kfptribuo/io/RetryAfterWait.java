package dev.kfptribuo.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;
import org.apache.http.Header;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.protocol.HttpContext;
import org.apache.http.protocol.HttpCoreContext;

/**
 * Honours the {@code Retry-After} of a Cloud Storage 429 or 503 in the transport: the client's own
 * retry rules compute their delays from its retry settings alone and never see the header, so the
 * answer is held here for the time the server asked before the client sees it and retries (after
 * its own backoff on top). One log line says so.
 *
 * <p>Within the deadline: the wait, counted from the first of the refusals on this thread in a row
 * (with no other answer between them and none older than the deadline before the next), and, during
 * an object read, within that read's deadline, may not pass the deadline. A server asking for
 * longer ends the request at once with a {@link RetryAfterPastDeadlineException} naming the
 * request, what the server asked and the deadline, which is not retried.
 */
final class RetryAfterWait implements HttpResponseInterceptor {
    private static final Logger LOG = Logger.getLogger("dev.kfptribuo.io.gcs");

    /** The server asked to wait past the deadline. */
    static final class RetryAfterPastDeadlineException extends IOException {
        private static final long serialVersionUID = 1L;

        /** What the server asked and the deadline, without the request. */
        private final String refusal;

        RetryAfterPastDeadlineException(String what, String refusal, Throwable cause) {
            super(what + ": " + refusal, cause);
            this.refusal = refusal;
        }
    }

    private final Duration deadline;

    /** This thread's refusals in a row: when the first came, and when the last one's wait ended. */
    private final ThreadLocal<long[]> refusals = new ThreadLocal<>();

    /**
     * @param deadline the deadline of a request, its retries included
     */
    RetryAfterWait(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public void process(HttpResponse response, HttpContext context) throws IOException {
        int status = response.getStatusLine().getStatusCode();
        if (status != 429 && status != 503) {
            refusals.remove();
            return;
        }
        Header retryAfter = response.getFirstHeader("Retry-After");
        Header date = response.getFirstHeader("Date");
        Duration asked =
                retryAfter == null
                        ? null
                        : RetryAfter.delay(
                                retryAfter.getValue(),
                                date == null ? null : date.getValue(),
                                Instant.now());
        if (asked == null) {
            return; // the client's own backoff
        }
        long now = System.nanoTime();
        long[] inARow = refusals.get();
        if (inARow == null || now - inARow[1] > deadline.toNanos()) {
            inARow = new long[] {now, now}; // a request the client gave up on is long over
            refusals.set(inARow);
        }
        long leftNanos =
                Math.min(
                        deadline.toNanos() - (now - inARow[0]),
                        DeadlineInputStream.remainingNanos());
        String refusal =
                "HTTP "
                        + status
                        + ", the server asks to retry after "
                        + asked.toSeconds()
                        + " s (Retry-After: "
                        + retryAfter.getValue().strip()
                        + ")";
        if (asked.toNanos() > leftNanos) {
            refusals.remove();
            throw new RetryAfterPastDeadlineException(
                    request(context),
                    refusal
                            + ", past the deadline of "
                            + deadline.toSeconds()
                            + " s ("
                            + Math.max(0, leftNanos / 1_000_000_000)
                            + " s left); set a longer one with --gcs-deadline",
                    null);
        }
        LOG.warning(request(context) + ": " + refusal + "; waiting for it");
        try {
            Thread.sleep(asked.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(
                    request(context) + ": " + refusal + ": interrupted while waiting");
        }
        inARow[1] = System.nanoTime();
    }

    /**
     * @param failure a failure of a Cloud Storage request
     * @return true if the server asked to wait past the deadline: such a failure is not retried
     */
    static boolean causedByRetryAfter(Throwable failure) {
        return find(failure) != null;
    }

    /**
     * @param what the object being read, for the message
     * @param failure a failure of its read
     * @return the failure named after the object instead of its request, if the server asked to
     *     wait past the deadline; else null
     */
    static RetryAfterPastDeadlineException named(Object what, Throwable failure) {
        RetryAfterPastDeadlineException found = find(failure);
        return found == null
                ? null
                : new RetryAfterPastDeadlineException(String.valueOf(what), found.refusal, failure);
    }

    private static RetryAfterPastDeadlineException find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RetryAfterPastDeadlineException refused) {
                return refused;
            }
        }
        return null;
    }

    private static String request(HttpContext context) {
        HttpRequest request = HttpCoreContext.adapt(context).getRequest();
        if (request == null) {
            return "Cloud Storage";
        }
        String uri = request.getRequestLine().getUri();
        int query = uri.indexOf('?');
        return request.getRequestLine().getMethod()
                + " "
                + (query < 0 ? uri : uri.substring(0, query));
    }
}
