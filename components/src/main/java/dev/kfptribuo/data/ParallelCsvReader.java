package dev.kfptribuo.data;

import dev.kfptribuo.io.InputFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the records of CSV files with a header on parallel threads, handing the result of each
 * piece of records to a sink in file order: the engine under {@link CsvTableReader} (pieces become
 * row blocks of a table) and {@link CsvRowStream} (pieces are handled and let go, so memory stays
 * constant in the number of rows).
 *
 * <p>Parsing is done by Apache Commons CSV (RFC 4180, quoted fields allowed). A file is cut into
 * chunks of whole records ({@link RecordChunker}) that parsers on the workers read at once; from a
 * file's first quote character on, the rest is parsed by one parser on the calling thread, in
 * pieces of at most {@link #REST_RECORDS} records. The results, and the first error reported, are
 * those of one parser reading each file from start to end. Every header must be the same.
 *
 * @param <T> what a piece of records becomes
 */
final class ParallelCsvReader<T> {
    /** Parses a piece of one file's records. */
    interface PieceParser<T> {
        /**
         * @param layout the columns, from the file's header
         * @param records the piece's records; the parser's other records are for later calls
         * @param parser the parser, for line numbers
         * @param file the file, for errors
         * @param lineOffset line breaks in the file before the parser's first byte
         * @return the piece's result
         * @throws DataFormatException for a row that cannot be used, if the parser stops at one
         * @throws UncheckedIOException as Commons CSV's iterator throws it (malformed CSV, I/O)
         */
        T parse(
                ColumnLayout layout,
                Iterator<CSVRecord> records,
                CSVParser parser,
                String file,
                long lineOffset);
    }

    /** Receives the pieces' results in file order, on the calling thread. */
    interface Sink<T> {
        /**
         * @param result a piece's result
         * @throws IOException if the result cannot be used (a write failed)
         */
        void accept(T result) throws IOException;
    }

    private static final CSVFormat FORMAT =
            CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).get();

    /**
     * Bytes per chunk: enough chunks for even shares between threads, few enough to cost nothing.
     */
    static final int CHUNK_BYTES = 256 << 10;

    /** Records per piece of a file's quoted rest, parsed on the calling thread. */
    static final int REST_RECORDS = 4096;

    private final ColumnSchema schema;
    private final PieceParser<T> pieces;
    private final int threads;
    private final int chunkBytes;

    /**
     * @param schema the columns to read
     * @param pieces what each piece of records becomes
     * @param threads parser threads, at least 1
     * @param chunkBytes bytes per chunk, at least 1
     */
    ParallelCsvReader(ColumnSchema schema, PieceParser<T> pieces, int threads, int chunkBytes) {
        if (threads < 1 || chunkBytes < 1) {
            throw new IllegalArgumentException("threads and chunkBytes must be positive");
        }
        this.schema = schema;
        this.pieces = pieces;
        this.threads = threads;
        this.chunkBytes = chunkBytes;
    }

    /** Opens a file's stored bytes; the reader decodes gzip and drops a byte-order mark. */
    interface Opener {
        /**
         * @param file the file
         * @return its stored bytes
         * @throws IOException if it cannot be opened
         */
        InputStream open(InputFile file) throws IOException;
    }

    /**
     * Reads the files in order.
     *
     * @param files the files; a shard ({@link InputFile#shard()}) may be empty
     * @param opener opens a file's stored bytes (and may count or digest them)
     * @param sink receives each piece's result in file order
     * @param afterFile called after each file with its data rows' count and the stream, read to its
     *     end by then or not, for the opener's bookkeeping
     * @return the layout of the files' header, or null if every file was an empty shard
     * @throws DataFormatException if a file named on its own is empty, a header lacks a column or
     *     differs between files, or a piece parser rejects a row; the first problem in file order
     * @throws IOException on read errors and the sink's failures
     */
    ColumnLayout read(List<InputFile> files, Opener opener, Sink<T> sink, AfterFile afterFile)
            throws IOException {
        ExecutorService workers =
                threads > 1
                        ? Executors.newFixedThreadPool(
                                threads,
                                task -> {
                                    Thread thread = new Thread(task, "csv-parser");
                                    thread.setDaemon(true);
                                    return thread;
                                })
                        : null;
        try {
            ColumnLayout layout = null;
            for (InputFile file : files) {
                String name = file.toString();
                try (InputStream raw = opener.open(file);
                        InputStream decoded = InputFile.decode(raw)) {
                    FileReader reader = new FileReader(name, file.shard(), layout, workers, sink);
                    try {
                        reader.read(
                                new RecordChunker(
                                        CsvTableReader.withoutByteOrderMark(decoded), chunkBytes));
                    } catch (SinkFailure e) {
                        throw e.unwrap();
                    }
                    layout = reader.layout;
                    afterFile.done(file, raw, reader.records);
                }
            }
            return layout;
        } finally {
            if (workers != null) {
                workers.shutdownNow();
            }
        }
    }

    /** Called after each file. */
    interface AfterFile {
        /**
         * @param file the file
         * @param raw its stored bytes' stream, still open
         * @param records the data records the file held
         * @throws IOException if the bookkeeping fails
         */
        void done(InputFile file, InputStream raw, long records) throws IOException;
    }

    /** Counts the records a piece parser takes, to count each file's rows. */
    private static final class CountingIterator implements Iterator<CSVRecord> {
        private final Iterator<CSVRecord> records;
        private final int limit;
        private int taken;

        CountingIterator(Iterator<CSVRecord> records, int limit) {
            this.records = records;
            this.limit = limit;
        }

        @Override
        public boolean hasNext() {
            return taken < limit && records.hasNext();
        }

        @Override
        public CSVRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            taken++;
            return records.next();
        }
    }

    private record Piece<T>(T result, long records) {}

    /**
     * A sink's failure on its way out of the reading loop, which keeps the parsers' failures for
     * later: the sink's stops the read at once.
     */
    private static final class SinkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SinkFailure(Exception cause) {
            super(cause);
        }

        /**
         * @return the sink's exception, to throw
         */
        IOException unwrap() {
            if (getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            return (IOException) getCause();
        }
    }

    /** One file's header and records, its chunks parsed on the workers. */
    private final class FileReader {
        private final String name;
        private final boolean shard;
        private final ExecutorService workers;
        private final Sink<T> sink;
        private ColumnLayout layout;
        private long records;

        FileReader(
                String name,
                boolean shard,
                ColumnLayout layout,
                ExecutorService workers,
                Sink<T> sink) {
            this.name = name;
            this.shard = shard;
            this.layout = layout;
            this.workers = workers;
            this.sink = sink;
        }

        void read(RecordChunker chunker) throws IOException {
            byte[] first = chunker.peekFirstLine();
            if (first.length == 0 && shard && !chunker.failed()) {
                return; // an empty shard: no header, no rows
            }
            if (chunker.failed()) {
                // The stream broke within the first line: one parser meets the failure where it is.
                readWhole(chunker.rest());
                return;
            }
            List<String> header = null;
            long headerLine = 0;
            try (CSVParser parser = parse(new ByteArrayInputStream(first))) {
                Iterator<CSVRecord> headerRecords = parser.iterator();
                if (headerRecords.hasNext()) {
                    header = List.copyOf(headerRecords.next().toList());
                    headerLine = parser.getCurrentLineNumber();
                    if (headerRecords.hasNext()) {
                        header = null;
                    }
                }
            } catch (UncheckedIOException e) {
                header = null;
            }
            if (header == null) {
                // Not one plain record (a blank first line, an unterminated quote, an empty file):
                // the whole file in one piece, so the errors are Commons CSV's own.
                readWhole(chunker.rest());
                return;
            }
            acceptHeader(header, headerLine);
            chunker.skip(first.length);

            long lineOffset = headerLine;
            // Pieces in flight, oldest first; a piece is let go once handed on, so memory stays
            // bounded.
            Deque<Future<Piece<T>>> parsing = new ArrayDeque<>();
            Exception failure = null;
            boolean rest = false;
            try {
                RecordChunker.Chunk chunk;
                while ((chunk = chunker.next()) != null) {
                    byte[] bytes = chunk.bytes();
                    long offset = lineOffset;
                    if (workers == null) {
                        take(parseChunk(bytes, offset));
                    } else {
                        parsing.addLast(workers.submit(() -> parseChunk(bytes, offset)));
                        // Bounded read-ahead: hand on the oldest piece before reading far ahead of
                        // the parsers.
                        if (parsing.size() > 2 * threads) {
                            Piece<T> oldest = await(parsing.getFirst());
                            parsing.removeFirst();
                            take(oldest);
                        }
                    }
                    lineOffset += chunk.lineBreaks();
                }
                rest = chunker.hasRest();
            } catch (SinkFailure e) {
                cancel(parsing);
                throw e;
            } catch (LineTooLongException e) {
                failure = DataFormatException.at(name, lineOffset + 1, null, e.getMessage());
            } catch (IOException | RuntimeException e) {
                // A failure further on (a bad row, a truncated stream) counts after the pieces
                // before it, as in a read from start to end.
                failure = e;
            }
            while (!parsing.isEmpty()) {
                Piece<T> piece;
                try {
                    piece = await(parsing.removeFirst());
                } catch (IOException | RuntimeException e) {
                    cancel(parsing);
                    throw e;
                }
                take(piece);
            }
            if (failure instanceof IOException io) {
                boolean named = String.valueOf(io.getMessage()).startsWith(name);
                throw named ? io : new IOException(name + ": " + io.getMessage(), io);
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (rest) {
                readRest(chunker.rest(), lineOffset);
            }
        }

        private void take(Piece<T> piece) {
            records += piece.records();
            try {
                sink.accept(piece.result());
            } catch (IOException | RuntimeException e) {
                throw new SinkFailure(e);
            }
        }

        private void cancel(Deque<Future<Piece<T>>> parsing) {
            for (Future<Piece<T>> piece : parsing) {
                piece.cancel(true);
            }
        }

        private void acceptHeader(List<String> header, long headerLine) {
            if (layout == null) {
                layout = new ColumnLayout(schema, header, name, headerLine);
            } else {
                layout.checkSameHeader(header, name, headerLine);
            }
        }

        private void readWhole(InputStream in) throws IOException {
            CSVParser parser = parse(in);
            try {
                Iterator<CSVRecord> all = parser.iterator();
                if (!all.hasNext()) {
                    if (shard) {
                        return; // a shard with blank lines only
                    }
                    throw new DataFormatException(
                            name + ": the file is empty (expected a header row)");
                }
                List<String> header = List.copyOf(all.next().toList());
                acceptHeader(header, parser.getCurrentLineNumber());
                readPieces(parser, all, 0);
            } catch (UncheckedIOException e) {
                throw readFailure(e, parser, 0);
            }
        }

        private void readRest(InputStream in, long lineOffset) throws IOException {
            CSVParser parser = parse(in);
            try {
                readPieces(parser, parser.iterator(), lineOffset);
            } catch (UncheckedIOException e) {
                throw readFailure(e, parser, lineOffset);
            }
        }

        /** The records of one parser on this thread, piece by piece, each handed on at once. */
        private void readPieces(CSVParser parser, Iterator<CSVRecord> all, long lineOffset)
                throws IOException {
            do {
                CountingIterator piece = new CountingIterator(all, REST_RECORDS);
                T result = pieces.parse(layout, piece, parser, name, lineOffset);
                take(new Piece<>(result, piece.taken));
            } while (all.hasNext());
        }

        private Piece<T> parseChunk(byte[] bytes, long lineOffset) throws IOException {
            CSVParser parser = parse(new ByteArrayInputStream(bytes));
            try {
                CountingIterator all = new CountingIterator(parser.iterator(), Integer.MAX_VALUE);
                T result = pieces.parse(layout, all, parser, name, lineOffset);
                return new Piece<>(result, all.taken);
            } catch (UncheckedIOException e) {
                throw readFailure(e, parser, lineOffset);
            }
        }

        /**
         * What a parser's failure means for the user: malformed CSV (Commons CSV's {@link
         * CSVException}: an unterminated quote, a character after a closing quote) is a data error
         * at the file's line; anything else an I/O error naming the file.
         */
        private IOException readFailure(UncheckedIOException e, CSVParser parser, long lineOffset) {
            if (e.getCause() instanceof LineTooLongException tooLong) {
                // Commons CSV numbers the line it is in, from 1.
                throw DataFormatException.at(
                        name,
                        lineOffset + Math.max(1, parser.getCurrentLineNumber()),
                        null,
                        tooLong.getMessage());
            }
            if (!(e.getCause() instanceof CSVException malformed)) {
                return new IOException(name + ": " + e.getCause().getMessage(), e.getCause());
            }
            String message = String.valueOf(malformed.getMessage());
            // Commons CSV counts lines from where this parser started and formats them with the
            // locale's grouping ("(startline 7,000)", "at line: 7,000, position: ..."); the start
            // of an unterminated quoted field is more use than the end of the file it ran to.
            long line = lineOffset + parser.getCurrentLineNumber();
            Matcher where = LINE_IN_MESSAGE.matcher(message);
            if (where.find()) {
                line = lineOffset + digits(where.group(1));
                message =
                        (message.substring(0, where.start()) + " " + message.substring(where.end()))
                                .strip();
            }
            throw DataFormatException.at(name, line, null, message);
        }
    }

    /** Where a Commons CSV message puts its line number, and the rest of the location, to drop. */
    private static final Pattern LINE_IN_MESSAGE =
            Pattern.compile(
                    "(?: at)? ?\\(?(?:startline|line:?) (\\p{Nd}(?:[\\p{Nd},.'\\u00a0\\u202f]*\\p{Nd})?)\\)?(?:, position: \\S+)?");

    private static long digits(String grouped) {
        long value = 0;
        for (int i = 0; i < grouped.length(); i++) {
            if (Character.isDigit(grouped.charAt(i))) {
                value = value * 10 + Character.digit(grouped.charAt(i), 10);
            }
        }
        return value;
    }

    /**
     * A parser over the stream, left open: the file's stream is closed by whoever opened it, after
     * the digest has seen every byte; chunks are in memory.
     */
    private static CSVParser parse(InputStream in) throws IOException {
        return CSVParser.parse(
                new LineLimitReader(new InputStreamReader(in, StandardCharsets.UTF_8)), FORMAT);
    }

    private static <P> P await(Future<P> piece) throws IOException {
        try {
            return piece.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading", e);
        }
    }
}
