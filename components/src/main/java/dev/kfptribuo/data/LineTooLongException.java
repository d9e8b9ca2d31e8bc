package dev.kfptribuo.data;

import java.io.IOException;

/**
 * A line of an input file longer than any row can be: the file is not rows of a table (or a
 * compressed stream inflates without a line end), so reading stops rather than exhausting memory.
 */
public final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The longest line read, in bytes (or characters): far beyond any real row. */
    public static final int MAX_LINE = 64 << 20;

    /** A line beyond {@link #MAX_LINE}. */
    public LineTooLongException() {
        super(
                "a line longer than "
                        + (MAX_LINE >> 20)
                        + " MiB (no line end found): not rows of a table");
    }
}
