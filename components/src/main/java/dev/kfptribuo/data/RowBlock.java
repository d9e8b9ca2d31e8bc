package dev.kfptribuo.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Consecutive data rows of one file, column by column, each cell checked as it is read: numeric
 * cells must be finite numbers, labels must not be blank.
 */
final class RowBlock {
    private final ColumnLayout layout;
    // Equal strings share one instance per block: a column of a few categories costs references
    // only.
    private final Map<String, String>[] categoryPools;
    private final Map<String, String> labelPool = new HashMap<>();
    private double[][] numeric;
    private String[][] categorical;
    private String[] labels;
    private int rows;

    @SuppressWarnings("unchecked")
    RowBlock(ColumnLayout layout) {
        this.layout = layout;
        int capacity = 1024;
        numeric = new double[layout.numericIndex.length][capacity];
        categorical = new String[layout.categoricalIndex.length][capacity];
        labels = new String[capacity];
        @SuppressWarnings("unchecked") // an array of a generic type: its elements are all set below
        Map<String, String>[] pools =
                (Map<String, String>[]) new Map<?, ?>[layout.categoricalIndex.length];
        categoryPools = pools;
        for (int c = 0; c < categoryPools.length; c++) {
            categoryPools[c] = new HashMap<>();
        }
    }

    /**
     * @return the rows read
     */
    int rows() {
        return rows;
    }

    /**
     * Reads every remaining record.
     *
     * @param records the parser's records, after the header if the parser saw one
     * @param parser the parser, for line numbers
     * @param file the file, for errors
     * @param lineOffset line breaks in the file before the parser's first byte
     * @throws DataFormatException naming the file, line and column of the first bad cell or row
     */
    void read(Iterator<CSVRecord> records, CSVParser parser, String file, long lineOffset) {
        int width = layout.width();
        while (records.hasNext()) {
            CSVRecord record = records.next();
            // Errors name physical lines (a multi-line record's last): record numbers would not
            // count the blank lines the format skips.
            long line = lineOffset + parser.getCurrentLineNumber();
            if (record.size() != width) {
                throw DataFormatException.at(
                        file, line, null, "expected " + width + " fields, found " + record.size());
            }
            if (rows == labels.length) {
                grow();
            }
            for (int c = 0; c < numeric.length; c++) {
                numeric[c][rows] =
                        parseNumber(
                                record.get(layout.numericIndex[c]),
                                file,
                                line,
                                layout.numericNames.get(c));
            }
            for (int c = 0; c < categorical.length; c++) {
                String value = record.get(layout.categoricalIndex[c]).strip();
                TextCells.requireValidUtf8(
                        value, file, line, layout.schema.categoricalColumns().get(c));
                categorical[c][rows] = categoryPools[c].computeIfAbsent(value, v -> v);
            }
            String label = record.get(layout.labelIndex).strip();
            if (label.isEmpty()) {
                throw DataFormatException.at(
                        file, line, layout.schema.labelColumn(), "the label is blank");
            }
            TextCells.requireValidUtf8(label, file, line, layout.schema.labelColumn());
            labels[rows] = labelPool.computeIfAbsent(label, CsvTableReader::canonicalLabel);
            rows++;
        }
    }

    static double parseNumber(String cell, String file, long line, String column) {
        try {
            return NumericCells.parse(cell);
        } catch (NumericCells.InvalidNumberException e) {
            throw e.isText()
                    ? new NonNumericValueException(file, line, column, e.getMessage())
                    : DataFormatException.at(file, line, column, e.getMessage());
        }
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

    /**
     * Stacks blocks read with one layout into a table.
     *
     * @param layout the layout every block was read with
     * @param blocks the blocks, in file order
     * @param sources the files they came from
     * @return the table
     */
    static Table concat(ColumnLayout layout, List<RowBlock> blocks, List<SourceFile> sources) {
        int total = 0;
        for (RowBlock block : blocks) {
            total += block.rows;
        }
        double[][] numeric = new double[layout.numericIndex.length][total];
        String[][] categorical = new String[layout.categoricalIndex.length][total];
        String[] labels = new String[total];
        int at = 0;
        for (RowBlock block : blocks) {
            for (int c = 0; c < numeric.length; c++) {
                System.arraycopy(block.numeric[c], 0, numeric[c], at, block.rows);
            }
            for (int c = 0; c < categorical.length; c++) {
                System.arraycopy(block.categorical[c], 0, categorical[c], at, block.rows);
            }
            System.arraycopy(block.labels, 0, labels, at, block.rows);
            at += block.rows;
        }
        return new Table(
                layout.schema,
                layout.numericNames,
                layout.featureColumns,
                layout.unusedColumns,
                numeric,
                categorical,
                labels,
                sources);
    }
}
