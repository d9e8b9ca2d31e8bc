package dev.kfptribuo.data;

import dev.kfptribuo.io.InputFile;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
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
import org.apache.commons.io.input.BOMInputStream;

/**
 * Reads CSV files with a header row into a {@link Table}, checking every cell.
 *
 * <p>Several files (the shards of a BigQuery export) are read in order; each repeats the header,
 * and every header must be the same. Numeric cells must be finite numbers; the label must not be
 * blank, and numeric labels are read in a canonical form ({@link #canonicalLabel}). Any problem
 * stops the read with a {@link DataFormatException} naming the file, line and column.
 *
 * <p>Parsing is done by Apache Commons CSV (RFC 4180, quoted fields allowed). A file is cut into
 * chunks of whole records ({@link RecordChunker}) that parsers on several threads read at once,
 * one per processor the JVM sees; the table, and the first error reported, are those of one
 * parser reading the file from start to end.
 */
public final class CsvTableReader {
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setIgnoreEmptyLines(true)
            .get();

    /** Bytes per chunk: enough chunks for even shares between threads, few enough to cost nothing. */
    static final int CHUNK_BYTES = 256 << 10;

    private final ColumnSchema schema;
    private final boolean digests;
    private final int threads;
    private final int chunkBytes;

    /** @param schema which columns are the label and categorical */
    public CsvTableReader(ColumnSchema schema) {
        this(schema, true, Runtime.getRuntime().availableProcessors(), CHUNK_BYTES);
    }

    /** With explicit parallelism: for tests that cut files into many small chunks. */
    CsvTableReader(ColumnSchema schema, boolean digests, int threads, int chunkBytes) {
        if (threads < 1 || chunkBytes < 1) {
            throw new IllegalArgumentException("threads and chunkBytes must be positive");
        }
        this.schema = schema;
        this.digests = digests;
        this.threads = threads;
        this.chunkBytes = chunkBytes;
    }

    /**
     * A reader that leaves {@link SourceFile#sha256()} null: for a read whose result records no
     * provenance, such as a tuning trial's, which saves no model. Hashing costs about a sixth of
     * the read on a machine without SHA instructions.
     *
     * @return a reader for the same schema that computes no digests
     */
    public CsvTableReader withoutDigests() {
        return new CsvTableReader(schema, false, threads, chunkBytes);
    }

    /**
     * Reads the files into one table.
     *
     * @param files the files, in order; at least one
     * @return the table, with one {@link SourceFile} per file
     * @throws DataFormatException if a file is empty, a header lacks a required column or differs
     *     between files, a row has the wrong number of fields, a numeric cell is blank or not a
     *     finite number, a label is blank, or no file holds any data row; the first such problem
     *     in file order is reported
     * @throws FileNotFoundException if a file does not exist
     * @throws IOException on read errors
     */
    public Table read(List<InputFile> files) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no input files");
        }
        ExecutorService workers = threads > 1 ? Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "csv-parser");
            thread.setDaemon(true);
            return thread;
        }) : null;
        try {
            ColumnLayout layout = null;
            List<RowBlock> blocks = new ArrayList<>();
            List<SourceFile> sources = new ArrayList<>();
            for (InputFile file : files) {
                String name = file.toString();
                MessageDigest digest = digests ? sha256() : null;
                try (InputStream raw = digests ? new DigestInputStream(file.openRaw(), digest) : file.openRaw();
                     InputStream decoded = InputFile.decode(raw)) {
                    FileRows rows = new FileRows(name, layout, workers);
                    rows.read(new RecordChunker(withoutByteOrderMark(decoded), chunkBytes));
                    layout = rows.layout;
                    blocks.addAll(rows.blocks);
                    if (digests) {
                        raw.transferTo(OutputStream.nullOutputStream());
                    }
                    sources.add(new SourceFile(name, rows.count(),
                            digests ? HexFormat.of().formatHex(digest.digest()) : null));
                }
            }
            if (sources.stream().mapToLong(SourceFile::rows).sum() == 0) {
                throw new DataFormatException(String.join(", ", sources.stream().map(SourceFile::uri).toList())
                        + ": no data rows (only a header)");
            }
            return RowBlock.concat(layout, blocks, sources);
        } finally {
            if (workers != null) {
                workers.shutdownNow();
            }
        }
    }

    /** One file's header and rows, its chunks parsed on the workers. */
    private final class FileRows {
        private final String name;
        private final ExecutorService workers;
        private ColumnLayout layout;
        private final List<RowBlock> blocks = new ArrayList<>();

        FileRows(String name, ColumnLayout layout, ExecutorService workers) {
            this.name = name;
            this.layout = layout;
            this.workers = workers;
        }

        long count() {
            return blocks.stream().mapToLong(RowBlock::rows).sum();
        }

        void read(RecordChunker chunker) throws IOException {
            byte[] first = chunker.peekFirstLine();
            if (chunker.failed()) {
                // The stream broke within the first line: one parser meets the failure where it is.
                readWhole(chunker.rest());
                return;
            }
            List<String> header = null;
            long headerLine = 0;
            try (CSVParser parser = parse(new ByteArrayInputStream(first))) {
                Iterator<CSVRecord> records = parser.iterator();
                if (records.hasNext()) {
                    header = List.copyOf(records.next().toList());
                    headerLine = parser.getCurrentLineNumber();
                    if (records.hasNext()) {
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
            List<Future<RowBlock>> parsing = new ArrayList<>();
            Exception failure = null;
            RowBlock rest = null;
            try {
                RecordChunker.Chunk chunk;
                while ((chunk = chunker.next()) != null) {
                    byte[] bytes = chunk.bytes();
                    long offset = lineOffset;
                    if (workers == null) {
                        blocks.add(readBlock(new ByteArrayInputStream(bytes), offset));
                    } else {
                        parsing.add(workers.submit(() -> readBlock(new ByteArrayInputStream(bytes), offset)));
                        // Bounded read-ahead: wait for the oldest chunk before reading far ahead of the parsers.
                        if (parsing.size() - blocks.size() > 2 * threads) {
                            blocks.add(await(parsing.get(blocks.size())));
                        }
                    }
                    lineOffset += chunk.lineBreaks();
                }
                if (chunker.hasRest()) {
                    rest = readBlock(chunker.rest(), lineOffset);
                }
            } catch (IOException | RuntimeException e) {
                // A failure further on (a bad row in the rest, a truncated stream) counts after
                // the rows before it, as in a read from start to end.
                failure = e;
            }
            for (int i = blocks.size(); i < parsing.size(); i++) {
                blocks.add(await(parsing.get(i)));
            }
            if (failure instanceof IOException io) {
                boolean named = String.valueOf(io.getMessage()).startsWith(name);
                throw named ? io : new IOException(name + ": " + io.getMessage(), io);
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (rest != null) {
                blocks.add(rest);
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
                Iterator<CSVRecord> records = parser.iterator();
                if (!records.hasNext()) {
                    throw new DataFormatException(name + ": the file is empty (expected a header row)");
                }
                List<String> header = List.copyOf(records.next().toList());
                acceptHeader(header, parser.getCurrentLineNumber());
                RowBlock block = new RowBlock(layout);
                block.read(records, parser, name, 0);
                blocks.add(block);
            } catch (UncheckedIOException e) {
                throw readFailure(e, parser, 0);
            }
        }

        private RowBlock readBlock(InputStream in, long lineOffset) throws IOException {
            CSVParser parser = parse(in);
            try {
                RowBlock block = new RowBlock(layout);
                block.read(parser.iterator(), parser, name, lineOffset);
                return block;
            } catch (UncheckedIOException e) {
                throw readFailure(e, parser, lineOffset);
            }
        }

        /**
         * What a parser's failure means for the user: malformed CSV (Commons CSV's
         * {@link CSVException}: an unterminated quote, a character after a closing quote) is a data
         * error at the file's line; anything else an I/O error naming the file.
         */
        private IOException readFailure(UncheckedIOException e, CSVParser parser, long lineOffset) {
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
                message = (message.substring(0, where.start()) + " " + message.substring(where.end())).strip();
            }
            throw DataFormatException.at(name, line, null, message);
        }
    }

    /** Where a Commons CSV message puts its line number, and the rest of the location, to drop. */
    private static final Pattern LINE_IN_MESSAGE = Pattern.compile(
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
        return CSVParser.parse(new InputStreamReader(in, StandardCharsets.UTF_8), FORMAT);
    }

    private static RowBlock await(Future<RowBlock> block) throws IOException {
        try {
            return block.get();
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

    /**
     * A CSV file's bytes without the UTF-8 byte-order mark that spreadsheet tools write before the
     * header: left in, it would start the first column's name, and before a quoted name it would
     * make Commons CSV keep the quotes (Commons IO's {@link BOMInputStream}).
     *
     * @param decoded the file's decoded bytes, as {@link InputFile#open()} gives them
     * @return the same bytes after a leading UTF-8 byte-order mark, if any; closing it closes
     *     {@code decoded}
     * @throws IOException if the stream cannot be wrapped
     */
    public static InputStream withoutByteOrderMark(InputStream decoded) throws IOException {
        return BOMInputStream.builder().setInputStream(decoded).get();
    }

    /**
     * The label as a class name: a number is written in one canonical form ({@code 1.0}, {@code 01}
     * and {@code 1} are the class {@code 1}; {@code 2.50} is {@code 2.5}), since a label column
     * exported as FLOAT64 in one split and INT64 in another must still name the same classes.
     * Any other text is kept as it is.
     *
     * @param label a non-blank label cell, stripped
     * @return its class name
     */
    public static String canonicalLabel(String label) {
        char first = label.charAt(0);
        if (!(Character.isDigit(first) || first == '-' || first == '+' || first == '.')) {
            return label;
        }
        try {
            java.math.BigDecimal number = new java.math.BigDecimal(label);
            return number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return label;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
