package dev.kfptribuo.data;

import dev.kfptribuo.io.InputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.input.BOMInputStream;

/**
 * Reads CSV files with a header row into a {@link Table}, checking every cell.
 *
 * <p>Several files (the shards of a BigQuery export) are read in order; each repeats the header,
 * and every header must be the same. Numeric cells must be finite numbers; the label must not be
 * blank, and numeric labels are read in a canonical form ({@link #canonicalLabel}). Any problem
 * stops the read with a {@link DataFormatException} naming the file, line and column.
 *
 * <p>The files are parsed on parallel threads, one per processor the JVM sees ({@link
 * ParallelCsvReader}); the table, and the first error reported, are those of one parser reading the
 * files from start to end.
 */
public final class CsvTableReader {
    /**
     * Bytes per chunk: enough chunks for even shares between threads, few enough to cost nothing.
     */
    static final int CHUNK_BYTES = ParallelCsvReader.CHUNK_BYTES;

    private final ColumnSchema schema;
    private final boolean digests;
    private final int threads;
    private final int chunkBytes;

    /**
     * @param schema which columns to read, and as what; it must name a label column
     * @throws IllegalArgumentException if the schema has no label column
     */
    public CsvTableReader(ColumnSchema schema) {
        this(schema, true, Runtime.getRuntime().availableProcessors(), CHUNK_BYTES);
    }

    /** With explicit parallelism: for tests that cut files into many small chunks. */
    CsvTableReader(ColumnSchema schema, boolean digests, int threads, int chunkBytes) {
        if (threads < 1 || chunkBytes < 1) {
            throw new IllegalArgumentException("threads and chunkBytes must be positive");
        }
        if (schema.labelColumn() == null) {
            throw new IllegalArgumentException(
                    "a table's rows are labelled: the schema needs a label column");
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
     * @throws DataFormatException if a file is empty (a wildcard's shard may be: it is skipped), a
     *     header lacks a required column or differs between files, a row has the wrong number of
     *     fields, a numeric cell is blank or not a finite number, a label is blank, or no file
     *     holds any data row; the first such problem in file order is reported
     * @throws FileNotFoundException if a file does not exist
     * @throws IOException on read errors
     */
    public Table read(List<InputFile> files) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no input files");
        }
        List<RowBlock> blocks = new ArrayList<>();
        List<SourceFile> sources = new ArrayList<>();
        Map<InputFile, MessageDigest> fileDigests = new IdentityHashMap<>();
        ParallelCsvReader<RowBlock> reader =
                new ParallelCsvReader<>(
                        schema,
                        (layout, records, parser, file, offset) -> {
                            RowBlock block = new RowBlock(layout);
                            block.read(records, parser, file, offset);
                            return block;
                        },
                        threads,
                        chunkBytes);
        ColumnLayout layout =
                reader.read(
                        files,
                        file -> {
                            if (!digests) {
                                return file.openRaw();
                            }
                            MessageDigest digest = sha256();
                            fileDigests.put(file, digest);
                            return new DigestInputStream(file.openRaw(), digest);
                        },
                        blocks::add,
                        (file, raw, rows) -> {
                            MessageDigest digest = fileDigests.get(file);
                            if (digest != null) {
                                raw.transferTo(OutputStream.nullOutputStream());
                            }
                            sources.add(
                                    new SourceFile(
                                            file.toString(),
                                            rows,
                                            digest == null
                                                    ? null
                                                    : HexFormat.of().formatHex(digest.digest())));
                        });
        if (sources.stream().mapToLong(SourceFile::rows).sum() == 0) {
            throw new DataFormatException(
                    String.join(", ", sources.stream().map(SourceFile::uri).toList())
                            + ": no data rows ("
                            + (layout == null ? "every file is empty" : "only a header")
                            + ")");
        }
        return RowBlock.concat(layout, blocks, sources);
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
     * exported as FLOAT64 in one split and INT64 in another must still name the same classes. Any
     * other text is kept as it is.
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
