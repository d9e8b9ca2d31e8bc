package dev.kfptribuo.batch;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Encoded lines of one piece: their bytes, and where each line ends. Buffers come from a {@link
 * Pool} and go back to it once written, so a batch prediction allocates a few of them rather than
 * several megabytes per piece.
 */
final class LineBuffer {
    /** Recycled buffers, shared by the workers and the writer. */
    static final class Pool {
        private final ConcurrentLinkedQueue<LineBuffer> free = new ConcurrentLinkedQueue<>();
        private final int initialBytes;

        /**
         * @param initialBytes the capacity a new buffer starts with
         */
        Pool(int initialBytes) {
            this.initialBytes = initialBytes;
        }

        /**
         * @return an empty buffer
         */
        LineBuffer take() {
            LineBuffer buffer = free.poll();
            return buffer != null ? buffer : new LineBuffer(initialBytes, this);
        }
    }

    /** A byte array stream whose bytes are handed on without a copy. */
    static final class Bytes extends ByteArrayOutputStream {
        Bytes(int capacity) {
            super(capacity);
        }

        byte[] buffer() {
            return buf;
        }
    }

    final Bytes out;
    private final Pool pool;
    private int[] ends = new int[256];
    private int count;

    /**
     * @param capacity the bytes it starts with
     * @param pool where it goes back, or null for a buffer that is not recycled
     */
    LineBuffer(int capacity, Pool pool) {
        this.out = new Bytes(capacity);
        this.pool = pool;
    }

    /** Ends the line written to {@link #out} with a line feed. */
    void endLine() {
        out.write('\n');
        lineEndsHere();
    }

    /** Marks the end of {@link #out} as the end of a line. */
    void lineEndsHere() {
        if (count == ends.length) {
            ends = Arrays.copyOf(ends, count * 2);
        }
        ends[count++] = out.size();
    }

    /**
     * @return the bytes; the first {@code ends()[count() - 1]} are the lines'
     */
    byte[] bytes() {
        return out.buffer();
    }

    /**
     * @return each line's end offset, ascending; the first {@link #count()} are used
     */
    int[] ends() {
        return ends;
    }

    /**
     * @return the number of lines
     */
    int count() {
        return count;
    }

    /** Empties the buffer and returns it to its pool, once its bytes are written. */
    void release() {
        out.reset();
        count = 0;
        if (pool != null) {
            pool.free.offer(this);
        }
    }
}
