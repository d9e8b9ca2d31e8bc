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
 * compute); or the reading ends in {@link Listener#tooLarge} as soon as more than the limit has
 * arrived, or {@link Listener#timedOut} when no byte arrived for the connector's idle timeout, or
 * {@link Listener#failed} when the connection broke. Exactly one of the four is called, once.
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

    private final Request request;
    private final long limit;
    private final Listener listener;
    private final ByteArrayOutputStream body;

    private RequestBody(Request request, long limit, Listener listener) {
        this.request = request;
        this.limit = limit;
        this.listener = listener;
        this.body =
                new ByteArrayOutputStream(
                        (int) Math.min(Math.max(request.getLength(), 256), limit));
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
        new RequestBody(request, limit, listener).run();
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
            if (body.size() + (long) bytes.remaining() > limit) {
                chunk.release();
                listener.tooLarge();
                return;
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
