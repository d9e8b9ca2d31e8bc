package dev.kfptribuo.data;

/**
 * A cell of a numeric column that is not a number: a {@link DataFormatException} that also names
 * the column, so that a command can say how to declare such a column (categorical, or left out).
 */
public final class NonNumericValueException extends DataFormatException {
    private static final long serialVersionUID = 1L;

    private final String column;
    private final long line;

    /**
     * @param file the file or URI
     * @param line the 1-based line number in the file
     * @param column the numeric column
     * @param problem what is wrong with the cell
     */
    NonNumericValueException(String file, long line, String column, String problem) {
        super(at(file, line, column, problem).getMessage());
        this.column = column;
        this.line = line;
    }

    /**
     * @return the 1-based line number of the cell in its file (2 for the first data row)
     */
    public long line() {
        return line;
    }

    /**
     * @return the column whose cell is not a number
     */
    public String column() {
        return column;
    }
}
