package dev.kfptribuo.data;

import java.util.regex.Pattern;

/**
 * The numbers a numeric cell may hold, wherever it comes from (a CSV cell, a JSON instance's
 * string): a finite decimal number, optionally signed and with an exponent, as pandas reads a CSV;
 * surrounding blanks are ignored.
 */
public final class NumericCells {
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");

    private NumericCells() {}

    /** A cell that is not a usable number, and why in a few words. */
    public static final class InvalidNumberException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final boolean text;

        InvalidNumberException(String problem, boolean text) {
            super(problem, null, false, false);
            this.text = text;
        }

        /**
         * @return true if the cell is text rather than a blank or an infinite number
         */
        public boolean isText() {
            return text;
        }
    }

    /**
     * @param cell the cell's text
     * @return its value
     * @throws InvalidNumberException if the cell is blank ("blank value in a numeric column"), not
     *     a decimal number ({@code "abc" is not a number}, Java-only spellings such as {@code
     *     2694d} or {@code 0x1p3} included), or not finite
     */
    public static double parse(String cell) {
        String text = cell.strip();
        if (text.isEmpty()) {
            throw new InvalidNumberException("blank value in a numeric column", false);
        }
        double value = parseInteger(text);
        if (!Double.isNaN(value)) {
            return value;
        }
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new InvalidNumberException("\"" + cell + "\" is not a number", true);
        }
        if (!Double.isFinite(value)) {
            throw new InvalidNumberException("\"" + cell + "\" is not a finite number", false);
        }
        // Java also reads "2694d", "1f" and "0x1p3"; a CSV number is decimal, as pandas reads it.
        if (!DECIMAL.matcher(text).matches()) {
            throw new InvalidNumberException("\"" + cell + "\" is not a decimal number", true);
        }
        return value;
    }

    /**
     * The value of a plain decimal integer of at most 15 digits with an optional minus sign, or NaN
     * for any other text. Such integers are exact doubles, so this equals {@link
     * Double#parseDouble} on them at a fraction of its cost; covertype's numeric columns are all
     * integers.
     *
     * @param text a non-empty, stripped cell
     * @return its value, or NaN
     */
    static double parseInteger(String text) {
        int length = text.length();
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (length == start || length - start > 15) {
            return Double.NaN;
        }
        long value = 0;
        for (int i = start; i < length; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return Double.NaN;
            }
            value = value * 10 + digit;
        }
        // "-0" is the double -0.0, as parseDouble reads it.
        return start == 1 ? -(double) value : value;
    }
}
