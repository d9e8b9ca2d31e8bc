package dev.kfptribuo.localrun.split;

import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.localrun.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Splits a CSV table into lots the way the lab's BigQuery queries do:
 *
 * <pre>
 *   SELECT * FROM `source` AS cover
 *   WHERE MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(cover))), num_lots) IN (lots)
 * </pre>
 *
 * one query per split (training lots 1, 2, 3, 4; validation 8; testing 9; of 10), each exported as
 * a CSV file with a header.
 *
 * <p>A row's lot depends only on its values ({@link BigQueryJson}, {@link FarmFingerprint}), so a
 * local split holds exactly the rows BigQuery would put there, given the same column types ({@link
 * RowSchema}). Rows keep the source's order (a BigQuery export has no defined order) and their
 * cells are written back unchanged. Each split is evaluated on its own, as the lab's three queries
 * are: a lot named by two splits puts its rows in both. Each output file appears whole or not at
 * all.
 */
public final class LotSplitter {
    private static final CSVFormat READ =
            CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).get();
    private static final CSVFormat WRITE =
            CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();

    /**
     * One output split: its name, the lots its query keeps and the file it goes to.
     *
     * @param name e.g. {@code training}
     * @param lots the lots of {@code IN (lots)}
     * @param output the CSV file to write
     */
    public record Split(String name, List<Integer> lots, Path output) {
        /** Checks the fields. */
        public Split {
            Objects.requireNonNull(name, "name");
            lots = List.copyOf(lots);
            Objects.requireNonNull(output, "output");
            if (lots.isEmpty()) {
                throw new IllegalArgumentException("split " + name + " keeps no lot");
            }
        }

        /**
         * @param table the source table's name
         * @param numLots the number of lots
         * @return the BigQuery query of this split, as the lab's pipeline renders it
         */
        public String query(String table, int numLots) {
            return "SELECT * FROM `"
                    + table
                    + "` AS cover WHERE MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(cover))), "
                    + numLots
                    + ") IN ("
                    + lots.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + ")";
        }
    }

    /**
     * What a split run did.
     *
     * @param schema the column types used
     * @param schemaInferred true if the types were inferred from the data, false if given
     * @param rows data rows read
     * @param rowsPerLot rows per lot, index = lot
     * @param rowsPerSplit rows written per split, in the order of the splits
     */
    public record Result(
            RowSchema schema,
            boolean schemaInferred,
            long rows,
            long[] rowsPerLot,
            long[] rowsPerSplit) {}

    private final int numLots;
    private final List<Split> splits;

    /**
     * @param numLots the number of lots (the lab's 10)
     * @param splits the splits to write
     * @throws IllegalArgumentException if a lot is outside [0, numLots) or two splits share an
     *     output
     */
    public LotSplitter(int numLots, List<Split> splits) {
        if (numLots < 1) {
            throw new IllegalArgumentException("the number of lots must be >= 1, got " + numLots);
        }
        for (Split split : splits) {
            for (int lot : split.lots()) {
                if (lot < 0 || lot >= numLots) {
                    throw new IllegalArgumentException(
                            "split "
                                    + split.name()
                                    + ": lot "
                                    + lot
                                    + " is outside 0.."
                                    + (numLots - 1));
                }
            }
        }
        if (splits.stream().map(Split::output).distinct().count() != splits.size()) {
            throw new IllegalArgumentException("two splits write the same file");
        }
        this.numLots = numLots;
        this.splits = List.copyOf(splits);
    }

    /**
     * Splits the source.
     *
     * @param sources the source CSV file(s): shards in order, each with the same header
     * @param givenSchema the column types, or null to infer them (see {@link RowSchema})
     * @return what was written
     * @throws IOException if a file cannot be read or written
     * @throws IllegalArgumentException if the data is malformed (naming file and line), the schema
     *     does not match the header, or a row hashes to the one lot BigQuery cannot compute
     */
    public Result split(List<InputFile> sources, RowSchema givenSchema) throws IOException {
        return split(sources, givenSchema, null);
    }

    /**
     * Splits the source, refusing rows the train step would refuse.
     *
     * @param sources the source CSV file(s): shards in order, each with the same header
     * @param givenSchema the column types, or null to infer them (see {@link RowSchema})
     * @param trainer what the train step reads, or null to check nothing for it
     * @return what was written
     * @throws IOException if a file cannot be read or written
     * @throws IllegalArgumentException as {@link #split(List, RowSchema)} does, and if the source
     *     has no label column or a cell of a numeric column is empty or not a number (naming file,
     *     line and column)
     */
    public Result split(List<InputFile> sources, RowSchema givenSchema, TrainerColumns trainer)
            throws IOException {
        RowSchema schema = givenSchema != null ? givenSchema : infer(sources);
        BigQueryJson json = new BigQueryJson(schema);
        long[] perLot = new long[numLots];
        long[] perSplit = new long[splits.size()];
        long rows = 0;
        List<AtomicFiles.Pending> outputs = new ArrayList<>();
        try {
            List<CSVPrinter> printers = new ArrayList<>();
            for (Split split : splits) {
                AtomicFiles.Pending pending = AtomicFiles.begin(split.output());
                outputs.add(pending);
                Writer writer = Files.newBufferedWriter(pending.temp(), StandardCharsets.UTF_8);
                CSVPrinter printer = new CSVPrinter(writer, WRITE);
                printer.printRecord(schema.names());
                printers.add(printer);
            }
            boolean[] inSplit = new boolean[splits.size() * numLots];
            for (int s = 0; s < splits.size(); s++) {
                for (int lot : splits.get(s).lots()) {
                    inSplit[s * numLots + lot] = true;
                }
            }
            for (InputFile source : sources) {
                try (Rows in = new Rows(source, schema.names())) {
                    List<Integer> numeric =
                            trainer == null
                                    ? List.of()
                                    : trainer.numericColumns(source, schema.names());
                    int label = trainer == null ? -1 : schema.names().indexOf(trainer.label());
                    while (in.hasNext()) {
                        List<String> cells = in.next();
                        String blankLabel =
                                label < 0 ? null : TrainerColumns.labelRefusal(cells.get(label));
                        if (blankLabel != null) {
                            throw new IllegalArgumentException(
                                    in.where() + ": column " + trainer.label() + ": " + blankLabel);
                        }
                        for (int c : numeric) {
                            String refusal = trainer.refusal(cells.get(c));
                            if (refusal != null) {
                                throw new IllegalArgumentException(
                                        in.where()
                                                + ": column "
                                                + schema.names().get(c)
                                                + ": "
                                                + refusal);
                            }
                        }
                        String text;
                        try {
                            text = json.toJsonString(cells);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(
                                    in.where() + ": " + e.getMessage(), e);
                        }
                        long fingerprint = FarmFingerprint.of(text);
                        int lot;
                        try {
                            lot = FarmFingerprint.lot(fingerprint, numLots);
                        } catch (ArithmeticException e) {
                            throw new IllegalArgumentException(
                                    in.where()
                                            + ": FARM_FINGERPRINT of the row is "
                                            + fingerprint
                                            + ", whose ABS overflows INT64; BigQuery fails this query too",
                                    e);
                        }
                        perLot[lot]++;
                        rows++;
                        for (int s = 0; s < splits.size(); s++) {
                            if (inSplit[s * numLots + lot]) {
                                printers.get(s).printRecord(cells);
                                perSplit[s]++;
                            }
                        }
                    }
                }
            }
            for (CSVPrinter printer : printers) {
                printer.close();
            }
            for (AtomicFiles.Pending pending : outputs) {
                pending.commit();
            }
        } finally {
            for (AtomicFiles.Pending pending : outputs) {
                pending.abandon();
            }
        }
        return new Result(schema, givenSchema == null, rows, perLot, perSplit);
    }

    /**
     * @return the splits this splitter writes
     */
    public List<Split> splits() {
        return splits;
    }

    private static RowSchema infer(List<InputFile> sources) throws IOException {
        RowSchema.Inference inference = null;
        for (InputFile source : sources) {
            try (Rows in = new Rows(source, null)) {
                if (inference == null) {
                    inference = new RowSchema.Inference(in.header());
                } else if (!in.header().equals(inference.names())) {
                    throw new IllegalArgumentException(
                            source + ": the header differs from the first file's");
                }
                while (in.hasNext()) {
                    inference.add(in.next());
                }
            }
        }
        if (inference == null) {
            throw new IllegalArgumentException("no source file");
        }
        return inference.result();
    }

    /** The data rows of one CSV file, checked against a header. */
    private static final class Rows implements AutoCloseable, Iterator<List<String>> {
        private final InputFile file;
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final List<String> header;

        Rows(InputFile file, List<String> expectedHeader) throws IOException {
            this.file = file;
            Reader reader =
                    new InputStreamReader(
                            CsvTableReader.withoutByteOrderMark(file.open()),
                            StandardCharsets.UTF_8);
            this.parser = CSVParser.parse(reader, READ);
            this.records = parser.iterator();
            if (!hasNextRecord()) {
                parser.close();
                throw new IllegalArgumentException(
                        file + ": the file is empty (expected a header row)");
            }
            this.header = List.copyOf(records.next().toList());
            Set<String> names = new HashSet<>();
            for (String name : header) {
                if (!names.add(name)) {
                    parser.close();
                    throw new IllegalArgumentException(
                            file + ": the header names column " + name + " twice");
                }
            }
            if (expectedHeader != null && !header.equals(expectedHeader)) {
                parser.close();
                throw new IllegalArgumentException(
                        file
                                + ": the header ("
                                + String.join(",", header)
                                + ") does not match the schema's columns ("
                                + String.join(",", expectedHeader)
                                + ")");
            }
        }

        List<String> header() {
            return header;
        }

        String where() {
            return file + ": line " + parser.getCurrentLineNumber();
        }

        private boolean hasNextRecord() {
            try {
                return records.hasNext();
            } catch (UncheckedIOException e) {
                throw new IllegalArgumentException(file + ": " + e.getCause().getMessage(), e);
            }
        }

        @Override
        public boolean hasNext() {
            return hasNextRecord();
        }

        @Override
        public List<String> next() {
            CSVRecord record;
            try {
                record = records.next();
            } catch (UncheckedIOException e) {
                throw new IllegalArgumentException(file + ": " + e.getCause().getMessage(), e);
            }
            if (record.size() != header.size()) {
                throw new IllegalArgumentException(
                        where()
                                + ": expected "
                                + header.size()
                                + " fields, found "
                                + record.size());
            }
            return record.toList();
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }
}
