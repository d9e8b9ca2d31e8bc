package dev.kfptribuo.data;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * A reader that fails with {@link LineTooLongException} once a line (a run of characters without
 * {@code \n} or {@code \r}) exceeds {@link LineTooLongException#MAX_LINE}: it guards the parsers
 * that read a file's quoted rest in one piece, where nothing else bounds a field.
 */
final class LineLimitReader extends FilterReader {
    private long lineLength;

    LineLimitReader(Reader in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            count((char) c);
        }
        return c;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        for (int i = offset; i < offset + n; i++) {
            count(buffer[i]);
        }
        return n;
    }

    private void count(char c) throws LineTooLongException {
        if (c == '\n' || c == '\r') {
            lineLength = 0;
        } else if (++lineLength > LineTooLongException.MAX_LINE) {
            throw new LineTooLongException();
        }
    }
}
