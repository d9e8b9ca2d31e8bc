package dev.kfptribuo.data;

import dev.kfptribuo.io.InputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads CSV files with a header row into a {@link Table}, checking every cell.
 *
 * <p>Several files (the shards of a BigQuery export) are read in order; each repeats the header,
 * and every header must be the same. Numeric cells must be finite numbers; the label must not be
 * blank, and numeric labels are read in a canonical form ({@link #canonicalLabel}). Any problem stops the read with a {@link DataFormatException} naming the file, line and
 * column. Parsing is done by Apache Commons CSV (RFC 4180, quoted fields allowed).
 */
public final class CsvTableReader {
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setIgnoreEmptyLines(true)
            .get();

    private final ColumnSchema schema;

    /** @param schema which columns are the label and categorical */
    public CsvTableReader(ColumnSchema schema) {
        this.schema = schema;
    }

    /**
     * Reads the files into one table.
     *
     * @param files the files, in order; at least one
     * @return the table, with one {@link SourceFile} per file
     * @throws DataFormatException if a file is empty, a header lacks a required column or differs
     *     between files, a row has the wrong number of fields, a numeric cell is blank or not a
     *     finite number, a label is blank, or no file holds any data row
     * @throws FileNotFoundException if a file does not exist
     * @throws IOException on read errors
     */
    public Table read(List<InputFile> files) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no input files");
        }
        Builder builder = null;
        List<SourceFile> sources = new ArrayList<>();
        for (InputFile file : files) {
            MessageDigest digest = sha256();
            try (InputStream raw = new DigestInputStream(file.openRaw(), digest);
                 Reader reader = new InputStreamReader(InputFile.decode(raw), StandardCharsets.UTF_8);
                 CSVParser parser = CSVParser.parse(reader, FORMAT)) {
                String name = file.toString();
                Iterator<CSVRecord> records = parser.iterator();
                if (!records.hasNext()) {
                    throw new DataFormatException(name + ": the file is empty (expected a header row)");
                }
                List<String> header = header(records.next());
                // Errors name physical lines (a multi-line record's last): record numbers would not
                // count the blank lines the format skips.
                long headerLine = parser.getCurrentLineNumber();
                if (builder == null) {
                    builder = new Builder(schema, header, name, headerLine);
                } else {
                    builder.checkSameHeader(header, name, headerLine);
                }
                long before = builder.rows;
                builder.readRows(records, parser, name);
                raw.transferTo(OutputStream.nullOutputStream());
                sources.add(new SourceFile(name, builder.rows - before,
                        HexFormat.of().formatHex(digest.digest())));
            } catch (java.io.UncheckedIOException e) {
                // Commons CSV wraps malformed input (e.g. an unterminated quote) this way.
                throw new DataFormatException(file + ": " + e.getCause().getMessage());
            }
        }
        if (builder.rows == 0) {
            throw new DataFormatException(String.join(", ", sources.stream().map(SourceFile::uri).toList())
                    + ": no data rows (only a header)");
        }
        return builder.build(sources);
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

    /** Accumulates rows column by column. */
    private static final class Builder {
        private final ColumnSchema schema;
        private final List<String> header;
        private final List<String> numericNames = new ArrayList<>();
        private final int[] numericIndex;
        private final int[] categoricalIndex;
        private final int labelIndex;
        private final List<Map<String, String>> categoryPools = new ArrayList<>();
        private final Map<String, String> labelPool = new HashMap<>();
        private double[][] numeric;
        private String[][] categorical;
        private String[] labels;
        private int rows;

        Builder(ColumnSchema schema, List<String> header, String file, long headerLine) {
            this.schema = schema;
            this.header = List.copyOf(header);
            Set<String> seen = new HashSet<>();
            for (String column : header) {
                if (!seen.add(column)) {
                    throw DataFormatException.at(file, headerLine, column, "the header names this column twice");
                }
            }
            labelIndex = requireColumn(schema.labelColumn(), "label", file, headerLine);
            categoricalIndex = new int[schema.categoricalColumns().size()];
            for (int c = 0; c < categoricalIndex.length; c++) {
                categoricalIndex[c] = requireColumn(schema.categoricalColumns().get(c), "categorical", file,
                        headerLine);
                categoryPools.add(new HashMap<>());
            }
            List<Integer> numericIdx = new ArrayList<>();
            for (int i = 0; i < header.size(); i++) {
                String column = header.get(i);
                if (i != labelIndex && !schema.categoricalColumns().contains(column)) {
                    numericIdx.add(i);
                    numericNames.add(column);
                }
            }
            numericIndex = numericIdx.stream().mapToInt(Integer::intValue).toArray();
            int capacity = 1024;
            numeric = new double[numericIndex.length][capacity];
            categorical = new String[categoricalIndex.length][capacity];
            labels = new String[capacity];
        }

        private int requireColumn(String column, String role, String file, long headerLine) {
            int index = header.indexOf(column);
            if (index < 0) {
                throw DataFormatException.at(file, headerLine, null, "the header has no " + role + " column "
                        + column + " (header: " + String.join(",", header) + ")");
            }
            return index;
        }

        void checkSameHeader(List<String> other, String file, long headerLine) {
            if (!header.equals(other)) {
                throw DataFormatException.at(file, headerLine, null, "the header differs from the first file's ("
                        + String.join(",", other) + " vs " + String.join(",", header) + ")");
            }
        }

        void readRows(Iterator<CSVRecord> records, CSVParser parser, String file) {
            int width = header.size();
            while (records.hasNext()) {
                CSVRecord record = records.next();
                long line = parser.getCurrentLineNumber();
                if (record.size() != width) {
                    throw DataFormatException.at(file, line, null,
                            "expected " + width + " fields, found " + record.size());
                }
                if (rows == labels.length) {
                    grow();
                }
                for (int c = 0; c < numericIndex.length; c++) {
                    numeric[c][rows] = parseNumber(record.get(numericIndex[c]), file, line, numericNames.get(c));
                }
                for (int c = 0; c < categoricalIndex.length; c++) {
                    String value = record.get(categoricalIndex[c]).strip();
                    categorical[c][rows] = categoryPools.get(c).computeIfAbsent(value, v -> v);
                }
                String label = record.get(labelIndex).strip();
                if (label.isEmpty()) {
                    throw DataFormatException.at(file, line, schema.labelColumn(), "the label is blank");
                }
                labels[rows] = labelPool.computeIfAbsent(label, CsvTableReader::canonicalLabel);
                rows++;
            }
        }

        private static double parseNumber(String cell, String file, long line, String column) {
            String text = cell.strip();
            if (text.isEmpty()) {
                throw DataFormatException.at(file, line, column, "blank value in a numeric column");
            }
            double value;
            try {
                value = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw DataFormatException.at(file, line, column, "\"" + cell + "\" is not a number");
            }
            if (!Double.isFinite(value)) {
                throw DataFormatException.at(file, line, column, "\"" + cell + "\" is not a finite number");
            }
            return value;
        }

        private void grow() {
            int capacity = labels.length * 2;
            for (int c = 0; c < numeric.length; c++) {
                numeric[c] = Arrays.copyOf(numeric[c], capacity);
            }
            for (int c = 0; c < categorical.length; c++) {
                categorical[c] = Arrays.copyOf(categorical[c], capacity);
            }
            labels = Arrays.copyOf(labels, capacity);
        }

        Table build(List<SourceFile> sources) {
            double[][] numericOut = new double[numeric.length][];
            for (int c = 0; c < numeric.length; c++) {
                numericOut[c] = Arrays.copyOf(numeric[c], rows);
            }
            String[][] categoricalOut = new String[categorical.length][];
            for (int c = 0; c < categorical.length; c++) {
                categoricalOut[c] = Arrays.copyOf(categorical[c], rows);
            }
            return new Table(schema, numericNames, numericOut, categoricalOut,
                    Arrays.copyOf(labels, rows), sources);
        }
    }
}
