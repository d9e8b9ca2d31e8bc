package dev.kfptribuo.data;

/**
 * Input data that cannot be used, with the place it was found: file, line and column.
 *
 * <p>The message is one line a user can act on, for example {@code data.csv: line 17, column
 * Elevation: "abc" is not a number}.
 */
public class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the whole one-line message, naming the file
     */
    public DataFormatException(String message) {
        super(message);
    }

    /**
     * @param file the file or URI
     * @param line the 1-based line number in the file (the header is line 1)
     * @param column the column name, or null when the problem is the whole row
     * @param problem what is wrong
     * @return the exception
     */
    public static DataFormatException at(String file, long line, String column, String problem) {
        String where = column == null ? "line " + line : "line " + line + ", column " + column;
        return new DataFormatException(file + ": " + where + ": " + problem);
    }
}
