package dev.kfptribuo.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a file's header puts the schema's columns: the label, the categorical columns, and every
 * other column as numeric, in file order.
 */
final class ColumnLayout {
    final ColumnSchema schema;
    final List<String> header;
    final List<String> numericNames = new ArrayList<>();
    final int[] numericIndex;
    final int[] categoricalIndex;
    final int labelIndex;

    /**
     * @param schema the label and categorical columns
     * @param header the header's column names
     * @param file the file, for errors
     * @param headerLine the header's line, for errors
     * @throws DataFormatException if a column is named twice, or the label or a categorical
     *     column is missing
     */
    ColumnLayout(ColumnSchema schema, List<String> header, String file, long headerLine) {
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
            categoricalIndex[c] = requireColumn(schema.categoricalColumns().get(c), "categorical", file, headerLine);
        }
        List<Integer> numeric = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i);
            if (i != labelIndex && !schema.categoricalColumns().contains(column)) {
                numeric.add(i);
                numericNames.add(column);
            }
        }
        numericIndex = numeric.stream().mapToInt(Integer::intValue).toArray();
    }

    private int requireColumn(String column, String role, String file, long headerLine) {
        int index = header.indexOf(column);
        if (index < 0) {
            throw DataFormatException.at(file, headerLine, null, "the header has no " + role + " column "
                    + column + " (header: " + String.join(",", header) + ")");
        }
        return index;
    }

    /** @return the number of fields every row must have */
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
            throw DataFormatException.at(file, headerLine, null, "the header differs from the first file's ("
                    + String.join(",", other) + " vs " + String.join(",", header) + ")");
        }
    }
}
