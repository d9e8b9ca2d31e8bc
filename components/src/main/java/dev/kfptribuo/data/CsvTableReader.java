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
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

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
                    rows.read(new RecordChunker(decoded, chunkBytes));
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
            List<String> header = null;
            long headerLine = 0;
            try (CSVParser parser = parse(new ByteArrayInputStream(first))) {
                Iterator<CSVRecord> records = parser.iterator();
                if (records.hasNext()) {
                    header = header(records.next());
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
            RuntimeException restError = null;
            RowBlock rest = null;
            if (chunker.hasRest()) {
                try {
                    rest = readBlock(chunker.rest(), lineOffset);
                } catch (RuntimeException e) {
                    restError = e;
                }
            }
            // In file order, so the first bad row of the file is the one reported.
            for (int i = blocks.size(); i < parsing.size(); i++) {
                blocks.add(await(parsing.get(i)));
            }
            if (restError != null) {
                throw restError;
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
            try {
                CSVParser parser = parse(in);
                Iterator<CSVRecord> records = parser.iterator();
                if (!records.hasNext()) {
                    throw new DataFormatException(name + ": the file is empty (expected a header row)");
                }
                List<String> header = header(records.next());
                acceptHeader(header, parser.getCurrentLineNumber());
                RowBlock block = new RowBlock(layout);
                block.read(records, parser, name, 0);
                blocks.add(block);
            } catch (UncheckedIOException e) {
                throw malformed(e, 0);
            }
        }

        private RowBlock readBlock(InputStream in, long lineOffset) throws IOException {
            try {
                CSVParser parser = parse(in);
                RowBlock block = new RowBlock(layout);
                block.read(parser.iterator(), parser, name, lineOffset);
                return block;
            } catch (UncheckedIOException e) {
                throw malformed(e, lineOffset);
            }
        }

        /** Commons CSV's error for malformed input (an unterminated quote), its line made the file's. */
        private DataFormatException malformed(UncheckedIOException e, long lineOffset) {
            String message = String.valueOf(e.getCause().getMessage());
            if (lineOffset > 0) {
                message = LINE_IN_MESSAGE.matcher(message).replaceAll(
                        m -> "(" + m.group(1) + " " + (Long.parseLong(m.group(2)) + lineOffset) + ")");
            }
            return new DataFormatException(name + ": " + message);
        }
    }

    private static final Pattern LINE_IN_MESSAGE = Pattern.compile("\\((line|startline) (\\d+)\\)");

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
     * @param record the first record of a CSV file
     * @return its fields as column names, without the UTF-8 byte-order mark that files saved by
     *     spreadsheet tools start with
     */
    public static List<String> header(CSVRecord record) {
        List<String> header = new ArrayList<>(record.toList());
        if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
            header.set(0, header.get(0).substring(1));
        }
        return header;
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
