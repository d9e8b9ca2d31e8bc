package dev.kfptribuo.data;

/**
 * The text a category or a label may hold. Files are decoded as UTF-8 with malformed bytes replaced
 * by U+FFFD (so a bad byte never stops a parser in the middle of a chunk); a cell holding U+FFFD is
 * rejected here, naming its place, rather than becoming a category no real value ever matches.
 */
final class TextCells {
    /** The problem a cell with malformed bytes has. */
    static final String INVALID_UTF8 = "holds bytes that are not valid UTF-8 (decoded as U+FFFD)";

    private TextCells() {}

    /**
     * @param cell a decoded cell
     * @return false if it holds U+FFFD, the mark of bytes that were not valid UTF-8
     */
    static boolean isValidUtf8(String cell) {
        return cell.indexOf('\uFFFD') < 0;
    }

    /**
     * @param cell a decoded cell
     * @param file the file, for the error
     * @param line the cell's line
     * @param column its column
     * @throws DataFormatException if the cell holds U+FFFD
     */
    static void requireValidUtf8(String cell, String file, long line, String column) {
        if (!isValidUtf8(cell)) {
            throw DataFormatException.at(file, line, column, INVALID_UTF8);
        }
    }
}
