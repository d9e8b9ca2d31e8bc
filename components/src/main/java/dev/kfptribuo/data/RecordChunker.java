package dev.kfptribuo.data;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;

/**
 * Cuts a CSV byte stream into chunks of whole records, so that separate parsers can read them at
 * the same time. Commons CSV parses every chunk; this class only decides where one may be cut.
 *
 * <p>A line feed ends a record unless it lies inside a quoted field. To be sure of that without
 * parsing, a cut is made only at a line feed with no quote character between it and the previous
 * cut (or the end of the header, which a parser has read): then no quoted field can be open there,
 * whatever the quoting of the rest. From the first quote character after the header on, the rest of
 * the stream is handed over whole ({@link #rest()}), to be parsed in one piece. Files that quote no
 * data field, as covertype's and BigQuery's exports of numbers and plain strings, are cut all the
 * way through. A line feed is a single byte that never occurs inside a UTF-8 multi-byte sequence,
 * so cuts never split a character.
 *
 * <p>Line breaks are counted as Commons CSV counts lines ({@code \r\n}, {@code \r} or {@code \n}),
 * so a chunk's parser can name a row's line in the whole file.
 */
final class RecordChunker {
    /**
     * A chunk: {@code bytes} hold whole records, with {@code lineBreaks} line breaks among them.
     */
    record Chunk(byte[] bytes, long lineBreaks) {}

    private final InputStream in;
    private final int chunkBytes;
    private byte[] buffer;
    private int start;
    private int end;
    private boolean eof;
    private boolean quoted;
    private IOException failure;

    /**
     * @param in the file's decoded bytes
     * @param chunkBytes the size a chunk aims at; a record longer than that makes a longer chunk
     */
    RecordChunker(InputStream in, int chunkBytes) {
        this.in = in;
        this.chunkBytes = chunkBytes;
        this.buffer = new byte[(int) Math.min(Math.max(1024L, 2L * chunkBytes), 1 << 22)];
    }

    /**
     * The bytes of the first line, up to and including the first line feed with an even number of
     * quote characters before it (or all bytes, if there is none), without consuming them: the
     * header's bytes if the header is one record, for a parser to confirm. If reading fails first
     * ({@link #failed()}), the bytes read until then.
     *
     * @return the candidate header bytes
     */
    byte[] peekFirstLine() {
        boolean inQuotes = false;
        for (int i = start; ; i++) {
            if (i == end && !read()) {
                return Arrays.copyOfRange(buffer, start, end);
            }
            byte b = buffer[i];
            if (b == '"') {
                inQuotes = !inQuotes;
            } else if (b == '\n' && !inQuotes) {
                return Arrays.copyOfRange(buffer, start, i + 1);
            }
        }
    }

    /**
     * Consumes bytes a caller has parsed itself, such as the header from {@link #peekFirstLine()}.
     *
     * @param count how many bytes
     */
    void skip(int count) {
        start += count;
    }

    /**
     * @return the next chunk, or null when the stream is done or the rest must be read whole
     *     ({@link #rest()})
     * @throws IOException if reading the stream failed, once the whole records before the failure
     *     have been handed out
     */
    Chunk next() throws IOException {
        if (quoted) {
            return null;
        }
        compact();
        int lastCut = -1;
        long breaks = 0;
        long breaksAtCut = 0;
        for (int i = start; ; i++) {
            if (i == end) {
                if (lastCut >= 0 && i - start >= chunkBytes) {
                    return take(lastCut, breaksAtCut);
                }
                if (!read()) {
                    if (failure != null) {
                        // Only the whole records before a read failure; then the failure.
                        if (lastCut >= 0) {
                            return take(lastCut, breaksAtCut);
                        }
                        throw failure;
                    }
                    return end > start ? take(end, breaks) : null;
                }
            }
            byte b = buffer[i];
            if (b == '\n') {
                breaks++;
                lastCut = i + 1;
                breaksAtCut = breaks;
                if (lastCut - start >= chunkBytes) {
                    return take(lastCut, breaksAtCut);
                }
            } else if (b == '\r') {
                // A lone CR ends a line; CR LF counts once, at the LF.
                if (i + 1 == end) {
                    read();
                }
                if (i + 1 == end || buffer[i + 1] != '\n') {
                    breaks++;
                }
            } else if (b == '"') {
                quoted = true;
                return lastCut >= 0 ? take(lastCut, breaksAtCut) : null;
            }
        }
    }

    private Chunk take(int cut, long lineBreaks) {
        Chunk chunk = new Chunk(Arrays.copyOfRange(buffer, start, cut), lineBreaks);
        start = cut;
        return chunk;
    }

    /**
     * @return whether reading the stream failed ({@link #next()} then threw the failure)
     */
    boolean failed() {
        return failure != null;
    }

    /**
     * @return whether {@link #next()} stopped at a quote character, leaving a {@link #rest()}
     */
    boolean hasRest() {
        return quoted;
    }

    /**
     * @return the unconsumed bytes followed by the rest of the stream: after {@link #next()}
     *     returned null with {@link #hasRest()}, or instead of any chunk, to read the whole stream
     *     in one piece
     */
    InputStream rest() {
        InputStream pending = new ByteArrayInputStream(Arrays.copyOfRange(buffer, start, end));
        start = end;
        if (failure != null) {
            // The buffered bytes, then the failure, where a reader of the whole stream would meet
            // it.
            IOException failed = failure;
            return new SequenceInputStream(
                    pending,
                    new InputStream() {
                        @Override
                        public int read() throws IOException {
                            throw failed;
                        }
                    });
        }
        if (eof) {
            return pending;
        }
        // SequenceInputStream closes each stream it finishes; the file's stream is its opener's to
        // close.
        return new SequenceInputStream(
                pending,
                new FilterInputStream(in) {
                    @Override
                    public void close() {}
                });
    }

    /** Moves the unconsumed bytes to the buffer's start; only between scans, which hold indices. */
    private void compact() {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
    }

    /**
     * Appends more of the stream to the buffer, growing it when full; buffered bytes keep their
     * indices.
     *
     * @return false at the end of the stream, or when reading failed ({@link #failed()})
     */
    private boolean read() {
        if (eof) {
            return false;
        }
        if (end == buffer.length) {
            if (end - start >= LineTooLongException.MAX_LINE) {
                // One record fills the buffer: kept, like a read failure, until the records before
                // it are out.
                failure = new LineTooLongException();
                eof = true;
                return false;
            }
            buffer =
                    Arrays.copyOf(
                            buffer,
                            (int)
                                    Math.min(
                                            (long) buffer.length * 2,
                                            LineTooLongException.MAX_LINE + (long) (1 << 20)));
        }
        int count;
        try {
            // 8 KiB at a time, as a Reader decodes: a buffered stream that fails partway through a
            // read loses what that read had, so a large read would lose whole records.
            count = in.read(buffer, end, Math.min(buffer.length - end, 8192));
        } catch (IOException e) {
            // Kept until the whole records read before it are handed out.
            failure = e;
            eof = true;
            return false;
        }
        if (count < 0) {
            eof = true;
            return false;
        }
        end += count;
        return true;
    }
}
