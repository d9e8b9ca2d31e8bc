package dev.kfptribuo.localrun.split;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The columns of a source table, in order, with their BigQuery types: what {@code TO_JSON_STRING}
 * of a row needs to know.
 *
 * <p>A CSV file has lost its types. They come either from a schema in {@code bq load}'s inline form
 * (the lab's {@code Elevation:INTEGER,...,Soil_Type:STRING,Cover_Type:INTEGER}), or are inferred
 * from the data by {@link Inference}: a column is INT64 if every non-empty cell is a whole number
 * within INT64, else FLOAT64 if every non-empty cell is a decimal number (or NaN/infinity), else
 * STRING; a column with no non-empty cell is STRING. On the lab's covertype files this gives the
 * lab's own schema: ten INT64 columns, {@code Wilderness_Area} and {@code Soil_Type} STRING, {@code
 * Cover_Type} INT64.
 *
 * @param columns the columns, in table order
 */
public record RowSchema(List<Column> columns) {
    /**
     * One column.
     *
     * @param name its name, as the CSV header and the JSON key spell it
     * @param type its BigQuery type
     */
    public record Column(String name, ColumnType type) {
        /** Checks the fields. */
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String toString() {
            return name + ":" + type;
        }
    }

    /** Copies the list and checks the names are distinct. */
    public RowSchema {
        columns = List.copyOf(columns);
        Set<String> seen = new HashSet<>();
        for (Column column : columns) {
            if (!seen.add(column.name())) {
                throw new IllegalArgumentException("column " + column.name() + " appears twice");
            }
        }
    }

    /**
     * Parses a schema in {@code bq load}'s inline form.
     *
     * @param text {@code NAME:TYPE,NAME:TYPE,...}; TYPE is INTEGER/INT64, FLOAT/FLOAT64 or STRING
     * @return the schema
     * @throws IllegalArgumentException if an entry is not NAME:TYPE or a type is unsupported
     */
    public static RowSchema parse(String text) {
        List<Column> columns = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            String[] parts = entry.strip().split(":", -1);
            if (parts.length != 2 || parts[0].isBlank()) {
                throw new IllegalArgumentException(
                        "schema entry '" + entry.strip() + "' is not NAME:TYPE");
            }
            columns.add(new Column(parts[0].strip(), ColumnType.parse(parts[1])));
        }
        return new RowSchema(columns);
    }

    /**
     * @return the column names in order
     */
    public List<String> names() {
        return columns.stream().map(Column::name).toList();
    }

    /**
     * @return the schema in {@code bq load}'s inline form, with GoogleSQL type names
     */
    @Override
    public String toString() {
        return columns.stream().map(Column::toString).collect(Collectors.joining(","));
    }

    /** Infers column types from the cells of a CSV file, row by row (see {@link RowSchema}). */
    public static final class Inference {
        private final List<String> names;
        private final boolean[] notInteger;
        private final boolean[] notFloat;
        private final boolean[] seen;

        /**
         * @param header the CSV header
         */
        public Inference(List<String> header) {
            this.names = List.copyOf(header);
            this.notInteger = new boolean[header.size()];
            this.notFloat = new boolean[header.size()];
            this.seen = new boolean[header.size()];
        }

        /**
         * @return the header's column names
         */
        public List<String> names() {
            return names;
        }

        /**
         * @param cells one data row, as many cells as the header
         */
        public void add(List<String> cells) {
            for (int c = 0; c < names.size(); c++) {
                String cell = cells.get(c);
                if (cell.isEmpty()) {
                    continue;
                }
                seen[c] = true;
                if (!notInteger[c] && !ColumnType.INT64.accepts(cell)) {
                    notInteger[c] = true;
                }
                if (notInteger[c] && !notFloat[c] && !ColumnType.FLOAT64.accepts(cell)) {
                    notFloat[c] = true;
                }
            }
        }

        /**
         * @return the inferred schema
         */
        public RowSchema result() {
            List<Column> columns = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                ColumnType type =
                        !seen[c]
                                ? ColumnType.STRING
                                : !notInteger[c]
                                        ? ColumnType.INT64
                                        : !notFloat[c] ? ColumnType.FLOAT64 : ColumnType.STRING;
                columns.add(new Column(names.get(c), type));
            }
            return new RowSchema(columns);
        }
    }
}
