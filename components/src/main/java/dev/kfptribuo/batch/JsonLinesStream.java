package dev.kfptribuo.batch;

import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.data.LineTooLongException;
import dev.kfptribuo.io.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Streams the lines of JSON Lines files through a handler, in pieces of whole lines, on parallel
 * threads, in constant memory; the pieces' results reach the sink in file order, on the calling
 * thread.
 *
 * <p>A JSON text never holds a raw line feed (inside strings it is escaped), so every line feed
 * ends a line and a file can be cut at any of them. A UTF-8 byte-order mark at a file's start is
 * dropped; gzip is decoded; a shard of a wildcard may be empty.
 */
final class JsonLinesStream {
    /** A piece of whole lines of one file. */
    record Piece(String file, byte[] bytes, int length, long firstLine) {
        /**
         * Calls the visitor for each line, without its line break ({@code \n} or {@code \r\n}).
         *
         * @param visitor gets the bytes, the line's start and end offsets, and its line number
         */
        void forEachLine(LineVisitor visitor) {
            long line = firstLine;
            int start = 0;
            for (int i = 0; i <= length; i++) {
                if (i == length || bytes[i] == '\n') {
                    if (i == length && start == length) {
                        break;
                    }
                    int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                    visitor.line(bytes, start, end, line++);
                    start = i + 1;
                }
            }
        }
    }

    /** Receives one line. */
    interface LineVisitor {
        /**
         * @param bytes the piece's bytes
         * @param start the line's first byte
         * @param end the end of the line's text, before its line break
         * @param line its 1-based line number in the file
         */
        void line(byte[] bytes, int start, int end, long line);
    }

    /** Takes the pieces' results in order. */
    interface Sink<T> {
        /**
         * @param result a piece's result
         * @throws IOException if it cannot be used
         */
        void accept(T result) throws IOException;
    }

    static final int PIECE_BYTES = 1 << 20;

    private final int threads;
    private final int pieceBytes;

    /**
     * @param threads worker threads, at least 1
     * @param pieceBytes the bytes a piece aims at; a longer line makes a longer piece
     */
    JsonLinesStream(int threads, int pieceBytes) {
        this.threads = threads;
        this.pieceBytes = pieceBytes;
    }

    /**
     * @param files the files, in order
     * @param handler what a piece becomes, on a worker
     * @param sink takes each piece's result, in order
     * @param <T> a piece's result
     * @return the lines read, blank ones included
     * @throws DataFormatException if a file named on its own is empty
     * @throws IOException on read errors, and when the sink fails
     */
    <T> long read(List<InputFile> files, Function<Piece, T> handler, Sink<T> sink)
            throws IOException {
        ExecutorService workers =
                Executors.newFixedThreadPool(
                        threads,
                        task -> {
                            Thread thread = new Thread(task, "jsonl-parser");
                            thread.setDaemon(true);
                            return thread;
                        });
        Deque<Future<T>> pending = new ArrayDeque<>();
        long lines = 0;
        try {
            for (InputFile file : files) {
                long fileLines = 0;
                try (InputStream in = CsvTableReader.withoutByteOrderMark(file.open())) {
                    byte[] buffer = new byte[pieceBytes];
                    int filled = 0;
                    boolean any = false;
                    while (true) {
                        int count = in.read(buffer, filled, buffer.length - filled);
                        if (count < 0) {
                            break;
                        }
                        any |= count > 0;
                        filled += count;
                        if (filled < buffer.length) {
                            continue;
                        }
                        int cut = lastLineFeed(buffer, filled);
                        if (cut < 0) {
                            if (buffer.length >= LineTooLongException.MAX_LINE) {
                                throw DataFormatException.at(
                                        file.toString(),
                                        fileLines + 1,
                                        null,
                                        new LineTooLongException().getMessage());
                            }
                            buffer =
                                    Arrays.copyOf(
                                            buffer,
                                            buffer.length * 2); // a line longer than a piece
                            continue;
                        }
                        Piece piece =
                                new Piece(
                                        file.toString(),
                                        Arrays.copyOf(buffer, cut + 1),
                                        cut + 1,
                                        fileLines + 1);
                        fileLines += count(piece.bytes(), '\n');
                        System.arraycopy(buffer, cut + 1, buffer, 0, filled - cut - 1);
                        filled -= cut + 1;
                        submit(workers, pending, handler, piece, sink);
                    }
                    if (filled > 0) {
                        Piece piece =
                                new Piece(
                                        file.toString(),
                                        Arrays.copyOf(buffer, filled),
                                        filled,
                                        fileLines + 1);
                        // Its line feeds, and a last line without one.
                        fileLines +=
                                count(piece.bytes(), '\n') + (buffer[filled - 1] == '\n' ? 0 : 1);
                        submit(workers, pending, handler, piece, sink);
                    }
                    if (!any && !file.shard()) {
                        throw new DataFormatException(
                                file + ": the file is empty (expected one instance per line)");
                    }
                }
                lines += fileLines;
            }
            while (!pending.isEmpty()) {
                sink.accept(await(pending.removeFirst()));
            }
            return lines;
        } finally {
            for (Future<T> future : pending) {
                future.cancel(true);
            }
            workers.shutdownNow();
        }
    }

    private <T> void submit(
            ExecutorService workers,
            Deque<Future<T>> pending,
            Function<Piece, T> handler,
            Piece piece,
            Sink<T> sink)
            throws IOException {
        pending.addLast(workers.submit(() -> handler.apply(piece)));
        // Bounded read-ahead: hand on the oldest piece before reading far ahead of the workers.
        while (pending.size() > 2 * threads) {
            sink.accept(await(pending.removeFirst()));
        }
    }

    private static int lastLineFeed(byte[] buffer, int filled) {
        for (int i = filled - 1; i >= 0; i--) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int count(byte[] bytes, char c) {
        int n = 0;
        for (byte b : bytes) {
            n += b == c ? 1 : 0;
        }
        return n;
    }

    private static <T> T await(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading", e);
        }
    }
}
