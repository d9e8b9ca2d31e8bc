package dev.kfptribuo.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a file's header puts the schema's columns: the label, the categorical columns and the
 * numeric columns, and which columns are not read at all.
 */
final class ColumnLayout {
    final ColumnSchema schema;
    final List<String> header;
    final List<String> numericNames = new ArrayList<>();
    final int[] numericIndex;
    final int[] categoricalIndex;

    /** The label's index, or -1 for a schema without a label. */
    final int labelIndex;

    /** The numeric and categorical columns, in header order. */
    final List<String> featureColumns = new ArrayList<>();

    /** Columns of a model schema's header that it does not read, in header order. */
    final List<String> unusedColumns = new ArrayList<>();

    /**
     * @param schema the columns to read
     * @param header the header's column names
     * @param file the file, for errors
     * @param headerLine the header's line, for errors
     * @throws DataFormatException if a column is named twice, or the label, a categorical column,
     *     an ignored column or a model schema's numeric column is missing
     */
    ColumnLayout(ColumnSchema schema, List<String> header, String file, long headerLine) {
        this.schema = schema;
        this.header = List.copyOf(header);
        Set<String> seen = new HashSet<>();
        for (String column : header) {
            if (!seen.add(column)) {
                throw DataFormatException.at(
                        file, headerLine, column, "the header names this column twice");
            }
        }
        labelIndex =
                schema.labelColumn() == null
                        ? -1
                        : requireColumns(List.of(schema.labelColumn()), "label", file, headerLine)[
                                0];
        categoricalIndex =
                requireColumns(schema.categoricalColumns(), "categorical", file, headerLine);
        requireColumns(schema.ignoredColumns(), "ignored", file, headerLine);
        if (schema.namesNumericColumns()) {
            requireColumns(schema.numericColumns(), "numeric", file, headerLine);
        }
        List<Integer> numeric = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i);
            boolean categorical = schema.categoricalColumns().contains(column);
            if (i == labelIndex || schema.ignoredColumns().contains(column)) {
                continue;
            }
            if (!categorical
                    && schema.namesNumericColumns()
                    && !schema.numericColumns().contains(column)) {
                unusedColumns.add(column);
                continue;
            }
            featureColumns.add(column);
            if (!categorical) {
                numeric.add(i);
                numericNames.add(column);
            }
        }
        numericIndex = numeric.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The header indexes of the columns; all must be present, else one error names every missing
     * one.
     */
    private int[] requireColumns(List<String> columns, String role, String file, long headerLine) {
        int[] indexes = new int[columns.size()];
        List<String> missing = new ArrayList<>();
        for (int c = 0; c < indexes.length; c++) {
            indexes[c] = header.indexOf(columns.get(c));
            if (indexes[c] < 0) {
                missing.add(columns.get(c));
            }
        }
        if (!missing.isEmpty()) {
            throw DataFormatException.at(
                    file,
                    headerLine,
                    null,
                    "the header has no "
                            + role
                            + " column"
                            + (missing.size() > 1 ? "s " : " ")
                            + String.join(", ", missing)
                            + " (header: "
                            + String.join(",", header)
                            + ")");
        }
        return indexes;
    }

    /**
     * @return the number of fields every row must have
     */
    int width() {
        return header.size();
    }

    /**
     * @param other another file's header
     * @param file that file, for errors
     * @param headerLine its header's line, for errors
     * @throws DataFormatException if the headers differ
     */
    void checkSameHeader(List<String> other, String file, long headerLine) {
        if (!header.equals(other)) {
            throw DataFormatException.at(
                    file,
                    headerLine,
                    null,
                    "the header differs from the first file's ("
                            + String.join(",", other)
                            + " vs "
                            + String.join(",", header)
                            + ")");
        }
    }
}
