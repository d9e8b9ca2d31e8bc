package dev.kfptribuo.localrun.split;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The BigQuery column types a CSV source can hold here, with the text {@code bq load} accepts for
 * each and how {@code TO_JSON_STRING} writes a value of that type.
 */
public enum ColumnType {
    /** {@code INT64} ({@code INTEGER} in a load schema): a whole number. */
    INT64,
    /**
     * {@code FLOAT64} ({@code FLOAT} in a load schema): a decimal or scientific number, NaN or
     * infinity.
     */
    FLOAT64,
    /** {@code STRING}: any text. */
    STRING;

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    /**
     * @param name a type as a BigQuery schema spells it: {@code INTEGER} or {@code INT64}, {@code
     *     FLOAT} or {@code FLOAT64}, {@code STRING}; any case
     * @return the type
     * @throws IllegalArgumentException for any other type
     */
    public static ColumnType parse(String name) {
        switch (name.strip().toUpperCase(Locale.ROOT)) {
            case "INTEGER":
            case "INT64":
                return INT64;
            case "FLOAT":
            case "FLOAT64":
                return FLOAT64;
            case "STRING":
                return STRING;
            default:
                throw new IllegalArgumentException(
                        "unsupported column type '"
                                + name
                                + "' (supported: INTEGER/INT64, FLOAT/FLOAT64, STRING)");
        }
    }

    /**
     * @param cell a non-empty CSV cell
     * @return true if the cell is a value of this type
     */
    public boolean accepts(String cell) {
        switch (this) {
            case INT64:
                if (!INTEGER.matcher(cell).matches()) {
                    return false;
                }
                try {
                    Long.parseLong(cell);
                    return true;
                } catch (NumberFormatException e) {
                    return false; // beyond INT64
                }
            case FLOAT64:
                return DECIMAL.matcher(cell).matches() || special(cell) != null;
            default:
                return true;
        }
    }

    /**
     * @param cell a FLOAT64 cell
     * @return its value
     * @throws IllegalArgumentException if it is not one
     */
    static double parseFloat(String cell) {
        Double special = special(cell);
        if (special != null) {
            return special;
        }
        if (!DECIMAL.matcher(cell).matches()) {
            throw new IllegalArgumentException("\"" + cell + "\" is not a FLOAT64");
        }
        return Double.parseDouble(cell);
    }

    private static Double special(String cell) {
        switch (cell.toLowerCase(Locale.ROOT)) {
            case "nan":
            case "+nan":
            case "-nan":
                return Double.NaN;
            case "inf":
            case "+inf":
            case "infinity":
            case "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf":
            case "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                return null;
        }
    }
}
