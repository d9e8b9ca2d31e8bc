package dev.kfptribuo.data;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which CSV columns a reader takes, and as what: the label, the categorical (one-hot) columns and
 * the numeric columns.
 *
 * <p>Two forms: a <em>training</em> schema names the label, the categorical columns and the columns
 * to leave out, and every other column is numeric ({@link #numericColumns()} is null); a <em>model
 * input</em> schema ({@link #forModel}) names the numeric columns too, and every column it does not
 * name is unused (an {@code id} or a free-text column), reported once but never read.
 *
 * @param labelColumn the column holding the class label; null when the rows are not labelled
 *     (prediction input), and then a column of any name may be unused
 * @param categoricalColumns the columns one-hot encoded as {@code column@value} features
 * @param ignoredColumns columns of a training schema that are left out; empty for a model schema
 * @param numericColumns the numeric columns of a model schema; null for a training schema, where
 *     every column not named otherwise is numeric
 */
public record ColumnSchema(
        String labelColumn,
        List<String> categoricalColumns,
        List<String> ignoredColumns,
        List<String> numericColumns) {
    /**
     * The lab's covertype schema: label {@code Cover_Type}, categorical {@code Wilderness_Area,
     * Soil_Type}.
     */
    public static final ColumnSchema COVERTYPE =
            new ColumnSchema("Cover_Type", List.of("Wilderness_Area", "Soil_Type"));

    /**
     * @throws IllegalArgumentException if the label column is blank, or a column is named in two
     *     roles or twice in one
     */
    public ColumnSchema {
        if (labelColumn != null && labelColumn.isBlank()) {
            throw new IllegalArgumentException("the label column name is blank");
        }
        categoricalColumns = List.copyOf(categoricalColumns);
        ignoredColumns = List.copyOf(ignoredColumns);
        numericColumns = numericColumns == null ? null : List.copyOf(numericColumns);
        Set<String> named = new HashSet<>();
        if (labelColumn != null) {
            named.add(labelColumn);
        }
        for (List<String> role :
                java.util.Arrays.asList(categoricalColumns, ignoredColumns, numericColumns)) {
            for (String column : role == null ? List.<String>of() : role) {
                Objects.requireNonNull(column, "column name");
                if (!named.add(column)) {
                    throw new IllegalArgumentException(
                            "column "
                                    + column
                                    + " is named twice (as "
                                    + roleOf(
                                            column, labelColumn, categoricalColumns, ignoredColumns)
                                    + " and again)");
                }
            }
        }
        if (numericColumns != null && !ignoredColumns.isEmpty()) {
            throw new IllegalArgumentException(
                    "a schema with numeric columns leaves out every other column itself");
        }
    }

    /**
     * A training schema.
     *
     * @param labelColumn the label column
     * @param categoricalColumns the categorical columns; every other column is numeric
     */
    public ColumnSchema(String labelColumn, List<String> categoricalColumns) {
        this(
                Objects.requireNonNull(labelColumn, "labelColumn"),
                categoricalColumns,
                List.of(),
                null);
    }

    /**
     * A model input schema: the columns a trained model reads; any other column is unused.
     *
     * @param labelColumn the label column, or null for unlabelled rows
     * @param numericColumns the model's numeric columns
     * @param categoricalColumns the model's categorical columns
     * @return the schema
     */
    public static ColumnSchema forModel(
            String labelColumn, List<String> numericColumns, List<String> categoricalColumns) {
        return new ColumnSchema(
                labelColumn, categoricalColumns, List.of(), Objects.requireNonNull(numericColumns));
    }

    /**
     * @param ignored columns to leave out
     * @return this training schema with those columns left out
     */
    public ColumnSchema ignoring(List<String> ignored) {
        return new ColumnSchema(labelColumn, categoricalColumns, ignored, numericColumns);
    }

    /**
     * @return true for a model input schema, where columns not named are unused
     */
    public boolean namesNumericColumns() {
        return numericColumns != null;
    }

    private static String roleOf(
            String column, String label, List<String> categorical, List<String> ignored) {
        if (column.equals(label)) {
            return "the label";
        }
        if (categorical.contains(column)) {
            return "categorical";
        }
        return ignored.contains(column) ? "ignored" : "numeric";
    }
}
