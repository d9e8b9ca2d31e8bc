package dev.kfptribuo.data;

import java.util.List;
import java.util.Objects;

/**
 * Which CSV columns are the label and which are categorical; every other column is numeric.
 *
 * @param labelColumn the column holding the class label
 * @param categoricalColumns the columns one-hot encoded as {@code column@value} features
 */
public record ColumnSchema(String labelColumn, List<String> categoricalColumns) {
    /** The lab's covertype schema: label {@code Cover_Type}, categorical {@code Wilderness_Area, Soil_Type}. */
    public static final ColumnSchema COVERTYPE =
            new ColumnSchema("Cover_Type", List.of("Wilderness_Area", "Soil_Type"));

    /**
     * @throws IllegalArgumentException if the label column is blank or also listed as categorical
     */
    public ColumnSchema {
        Objects.requireNonNull(labelColumn, "labelColumn");
        if (labelColumn.isBlank()) {
            throw new IllegalArgumentException("the label column name is blank");
        }
        categoricalColumns = List.copyOf(categoricalColumns);
        if (categoricalColumns.contains(labelColumn)) {
            throw new IllegalArgumentException(
                    "column " + labelColumn + " cannot be both the label and categorical");
        }
    }
}
