package dev.kfptribuo.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * A remote object's bytes that must all arrive within a deadline: a server that trickles a byte at
 * a time never trips a read timeout, so the whole read is timed. The deadline is checked at every
 * read of this stream and, while one runs, at every socket read below it ({@link
 * DeadlineTransport}, through a thread-local), so a read fills no chunk past it; the read then
 * fails with one line naming the object and the deadline, and is not retried.
 */
final class DeadlineInputStream extends FilterInputStream {
    private static final ThreadLocal<DeadlineInputStream> CURRENT = new ThreadLocal<>();

    /** The deadline passed. */
    static final class DeadlineExceededException extends IOException {
        private static final long serialVersionUID = 1L;

        DeadlineExceededException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Object what;
    private final Duration deadline;
    private final long endNanos;

    /**
     * @param in the remote bytes
     * @param what the object, for the message
     * @param deadline the time the whole read may take
     */
    DeadlineInputStream(InputStream in, Object what, Duration deadline) {
        super(in);
        this.what = what;
        this.deadline = deadline;
        this.endNanos = System.nanoTime() + deadline.toNanos();
    }

    private boolean expired() {
        return System.nanoTime() - endNanos > 0;
    }

    private DeadlineExceededException exceeded(Throwable cause) {
        return new DeadlineExceededException(
                what
                        + ": not read within the deadline of "
                        + deadline.toSeconds()
                        + " s (a server trickling or stalling?); set a longer one with --gcs-deadline",
                cause);
    }

    /**
     * For the transport: fails if the object read running on this thread is past its deadline.
     *
     * @throws DeadlineExceededException if it is
     */
    static void checkCurrent() throws DeadlineExceededException {
        DeadlineInputStream current = CURRENT.get();
        if (current != null && current.expired()) {
            throw current.exceeded(null);
        }
    }

    /**
     * @return the time left of the object read running on this thread, in nanoseconds; {@link
     *     Long#MAX_VALUE} when none runs
     */
    static long remainingNanos() {
        DeadlineInputStream current = CURRENT.get();
        return current == null ? Long.MAX_VALUE : current.endNanos - System.nanoTime();
    }

    /**
     * @param failure a failure of a Cloud Storage request
     * @return true if a deadline caused it: such a failure is not retried
     */
    static boolean causedByDeadline(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DeadlineExceededException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (expired()) {
            throw exceeded(null);
        }
        DeadlineInputStream outer = CURRENT.get();
        CURRENT.set(this);
        try {
            return super.read(buffer, offset, length);
        } catch (IOException | RuntimeException e) {
            if (expired() || causedByDeadline(e)) {
                throw exceeded(e);
            }
            IOException refused = RetryAfterWait.named(what, e);
            if (refused != null) {
                throw refused;
            }
            throw e;
        } finally {
            CURRENT.set(outer);
        }
    }
}
