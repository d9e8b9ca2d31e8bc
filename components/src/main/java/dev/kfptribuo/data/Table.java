package dev.kfptribuo.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A typed, column-major table of labelled rows: numeric columns as {@code double[]}, categorical
 * columns and the label as strings.
 *
 * <p>Column arrays are shared, not copied: callers must not modify them.
 */
public final class Table {
    private final ColumnSchema schema;
    private final List<String> numericColumns;
    private final List<String> featureColumns;
    private final List<String> unusedColumns;
    private final double[][] numeric;
    private final String[][] categorical;
    private final String[] labels;
    private final List<SourceFile> sources;

    Table(
            ColumnSchema schema,
            List<String> numericColumns,
            List<String> featureColumns,
            List<String> unusedColumns,
            double[][] numeric,
            String[][] categorical,
            String[] labels,
            List<SourceFile> sources) {
        this.schema = schema;
        this.numericColumns = List.copyOf(numericColumns);
        this.featureColumns = List.copyOf(featureColumns);
        this.unusedColumns = List.copyOf(unusedColumns);
        this.numeric = numeric;
        this.categorical = categorical;
        this.labels = labels;
        this.sources = List.copyOf(sources);
    }

    /**
     * @return the schema the table was read with
     */
    public ColumnSchema schema() {
        return schema;
    }

    /**
     * @return the number of data rows
     */
    public int rowCount() {
        return labels.length;
    }

    /**
     * @return names of the numeric columns, in file order
     */
    public List<String> numericColumns() {
        return numericColumns;
    }

    /**
     * @return the numeric and categorical columns, in the files' column order
     */
    public List<String> featureColumns() {
        return featureColumns;
    }

    /**
     * @return the columns of the files that a model input schema does not read (an {@code id}, a
     *     free-text column), in the files' column order; empty for a training schema
     */
    public List<String> unusedColumns() {
        return unusedColumns;
    }

    /**
     * @return names of the categorical columns, in schema order
     */
    public List<String> categoricalColumns() {
        return schema.categoricalColumns();
    }

    /**
     * @param column index into {@link #numericColumns()}
     * @return the column's values, one per row
     */
    public double[] numeric(int column) {
        return numeric[column];
    }

    /**
     * @param column index into {@link #categoricalColumns()}
     * @return the column's values, one per row
     */
    public String[] categorical(int column) {
        return categorical[column];
    }

    /**
     * @return the label of each row
     */
    public String[] labels() {
        return labels;
    }

    /**
     * @return the files the rows came from, in reading order
     */
    public List<SourceFile> sources() {
        return sources;
    }

    /**
     * Stacks two tables with the same columns, as the final training does with the training and
     * validation splits.
     *
     * @param first rows that come first
     * @param second rows that follow
     * @return a new table with the rows of both and the sources of both
     * @throws IllegalArgumentException if the columns differ
     */
    public static Table concat(Table first, Table second) {
        requireSameColumns(first, second);
        int n1 = first.rowCount();
        int n2 = second.rowCount();
        double[][] numeric = new double[first.numeric.length][];
        for (int c = 0; c < numeric.length; c++) {
            numeric[c] = concat(first.numeric[c], second.numeric[c]);
        }
        String[][] categorical = new String[first.categorical.length][];
        for (int c = 0; c < categorical.length; c++) {
            categorical[c] = concat(first.categorical[c], second.categorical[c], n1, n2);
        }
        List<SourceFile> sources = new ArrayList<>(first.sources);
        sources.addAll(second.sources);
        return new Table(
                first.schema,
                first.numericColumns,
                first.featureColumns,
                first.unusedColumns,
                numeric,
                categorical,
                concat(first.labels, second.labels, n1, n2),
                sources);
    }

    /**
     * @param first a table, such as the training rows
     * @param second another, such as the validation rows
     * @throws IllegalArgumentException naming both tables' columns if their schemas or numeric
     *     columns differ: rows of one cannot be read as rows of the other
     */
    public static void requireSameColumns(Table first, Table second) {
        if (!first.schema.equals(second.schema)
                || !first.numericColumns.equals(second.numericColumns)) {
            throw new IllegalArgumentException(
                    describe(second)
                            + ": its columns differ from those of "
                            + describe(first)
                            + " (numeric columns "
                            + second.numericColumns
                            + " vs "
                            + first.numericColumns
                            + (first.schema.equals(second.schema)
                                    ? ""
                                    : "; label and categorical "
                                            + second.schema
                                            + " vs "
                                            + first.schema)
                            + ")");
        }
    }

    private static String describe(Table t) {
        return t.sources.isEmpty() ? "table" : t.sources.get(0).uri();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String[] concat(String[] a, String[] b, int n1, int n2) {
        String[] out = new String[n1 + n2];
        System.arraycopy(a, 0, out, 0, n1);
        System.arraycopy(b, 0, out, n1, n2);
        return out;
    }
}
