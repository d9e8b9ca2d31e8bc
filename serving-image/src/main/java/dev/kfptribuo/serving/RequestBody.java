package dev.kfptribuo.serving;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request's body without holding a thread while the client sends it: Jetty's read and
 * demand loop, so that clients that stall mid-body (slow or hostile) cost memory, not the threads
 * the health check and other requests need.
 *
 * <p>The body reaches {@link Listener#read} whole, in a pool thread (the listener may block and
 * compute); or the reading ends in {@link Listener#tooLarge} when more than the limit arrived, or
 * {@link Listener#timedOut} when no byte arrived for the connector's idle timeout, or {@link
 * Listener#failed} when the connection broke. Exactly one of the four is called, once.
 *
 * <p>Past the limit the rest of the body is read and dropped, up to {@link #DRAINED} bytes more,
 * before {@link Listener#tooLarge}: a client still sending when the server answers and closes would
 * otherwise often get a reset connection (the kernel's answer to unread data) instead of its 413.
 */
final class RequestBody implements Runnable {
    /** What becomes of a body. */
    interface Listener {
        /**
         * @param body the whole body
         */
        void read(byte[] body);

        /** More than the limit arrived; the rest is left unread. */
        void tooLarge();

        /** The client sent nothing for the idle timeout. */
        void timedOut();

        /**
         * @param failure why the body could not be read (the client went away, a broken chunk)
         */
        void failed(Throwable failure);
    }

    /** How much of a body past the limit is read and dropped before the 413: 8 MiB. */
    static final long DRAINED = 8L << 20;

    private final Request request;
    private final long limit;
    private final long drained;
    private final Listener listener;
    private final ByteArrayOutputStream body;
    private long dropped = -1; // from the chunk that went past the limit on: bytes read and dropped

    private RequestBody(Request request, long limit, long drained, Listener listener) {
        this.request = request;
        this.limit = limit;
        this.drained = drained;
        this.listener = listener;
        this.body =
                new ByteArrayOutputStream(
                        // A body declared over the limit is only read to be dropped: no room for
                        // it.
                        request.getLength() > limit
                                ? 0
                                : (int) Math.min(Math.max(request.getLength(), 256), limit));
    }

    /**
     * Starts reading a body; returns at once, and the listener hears of the outcome later (or
     * before this returns, when the body has arrived already).
     *
     * @param request the request whose body to read
     * @param limit the largest body accepted, in bytes
     * @param listener told of the outcome
     */
    static void read(Request request, long limit, Listener listener) {
        new RequestBody(request, limit, DRAINED, listener).run();
    }

    /**
     * Starts reading a body only to drop it, as {@link #read} does with a limit of 0: the listener
     * hears {@link Listener#read} (with no bytes) if it ended within {@code max} bytes, {@link
     * Listener#tooLarge} once more than that arrived.
     *
     * @param request the request whose body to drop
     * @param max the most bytes read
     * @param listener told of the outcome
     */
    static void drop(Request request, long max, Listener listener) {
        new RequestBody(request, 0, max, listener).run();
    }

    /** Reads what has arrived; asks Jetty to call again when more does. */
    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk) && dropped >= 0) {
                listener.tooLarge(); // it was over the limit; the client may still read the 413
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                if (failure instanceof TimeoutException
                        || failure.getCause() instanceof TimeoutException) {
                    listener.timedOut();
                } else {
                    listener.failed(failure);
                }
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            boolean last = chunk.isLast();
            if (dropped >= 0 || body.size() + (long) bytes.remaining() > limit) {
                dropped = Math.max(dropped, 0) + bytes.remaining();
                chunk.release();
                if (last && limit == 0) {
                    listener.read(new byte[0]); // dropping was all that was asked
                    return;
                }
                if (last || dropped > drained) {
                    listener.tooLarge();
                    return;
                }
                continue;
            }
            if (bytes.hasArray()) {
                body.write(
                        bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            } else {
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                body.write(copy, 0, copy.length);
            }
            chunk.release();
            if (last) {
                listener.read(body.toByteArray());
                return;
            }
        }
    }
}
