package dev.kfptribuo.data;

import dev.kfptribuo.io.InputFile;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams the rows of CSV files with a header through a handler, piece by piece, in constant
 * memory: for batch prediction, where a table of every row would not fit and a bad row must not
 * stop the others.
 *
 * <p>The files are parsed as {@link CsvTableReader} parses them ({@link ParallelCsvReader}: the
 * same header rules, the same line numbers, chunks on parallel threads); each piece of consecutive
 * rows of one file goes to the {@link PieceHandler} on a worker thread, and its result to the
 * {@link Sink} on the calling thread, in file order. A row that cannot be used ({@link
 * Rows#values}) is the handler's to report; malformed CSV (an unterminated quote) stops the stream,
 * as nothing after it can be read reliably.
 */
public final class CsvRowStream {
    /**
     * Turns a piece of rows into a result; called on several threads at once.
     *
     * @param <T> the result
     */
    public interface PieceHandler<T> {
        /**
         * @param rows the piece's rows, to walk with {@link Rows#next()}
         * @return the result
         */
        T handle(Rows rows);
    }

    /**
     * Takes the pieces' results in file order, on the calling thread.
     *
     * @param <T> the result
     */
    public interface Sink<T> {
        /**
         * @param result a piece's result
         * @throws IOException if it cannot be used (a write failed); the stream then stops
         */
        void accept(T result) throws IOException;
    }

    /**
     * @param rows data rows of the files
     * @param unusedColumns columns of the header the schema does not read, in header order
     */
    public record Summary(long rows, List<String> unusedColumns) {}

    /** Bytes per chunk of a file parsed on one thread. */
    public static final int DEFAULT_CHUNK_BYTES = ParallelCsvReader.CHUNK_BYTES;

    private final ColumnSchema schema;
    private final int threads;
    private final int chunkBytes;

    /**
     * @param schema the columns to read: a model input schema ({@link ColumnSchema#forModel}), with
     *     or without a label column
     */
    public CsvRowStream(ColumnSchema schema) {
        this(schema, Runtime.getRuntime().availableProcessors(), DEFAULT_CHUNK_BYTES);
    }

    /**
     * @param schema the columns to read
     * @param threads parser threads, at least 1
     * @param chunkBytes bytes per chunk, at least 1
     */
    public CsvRowStream(ColumnSchema schema, int threads, int chunkBytes) {
        if (threads < 1 || chunkBytes < 1) {
            throw new IllegalArgumentException("threads and chunkBytes must be positive");
        }
        this.schema = schema;
        this.threads = threads;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Streams the files' rows.
     *
     * @param files the files, in order; a shard ({@link InputFile#shard()}) may be empty
     * @param handler what each piece of rows becomes, on worker threads
     * @param sink takes each piece's result in file order
     * @param <T> a piece's result
     * @return the rows read and the unused columns
     * @throws DataFormatException if a file named on its own is empty, a header lacks a column the
     *     schema reads or differs from the first file's, the files hold no data row, or the CSV is
     *     malformed
     * @throws IOException on read errors, and when the sink fails
     */
    public <T> Summary read(List<InputFile> files, PieceHandler<T> handler, Sink<T> sink)
            throws IOException {
        ParallelCsvReader<T> reader =
                new ParallelCsvReader<>(
                        schema,
                        (layout, records, parser, file, offset) ->
                                handler.handle(new Rows(layout, records, parser, file, offset)),
                        threads,
                        chunkBytes);
        long[] rows = {0};
        ColumnLayout layout =
                reader.read(
                        files,
                        InputFile::openRaw,
                        sink::accept,
                        (file, raw, records) -> rows[0] += records);
        if (rows[0] == 0) {
            throw new DataFormatException(
                    String.join(", ", files.stream().map(InputFile::toString).toList())
                            + ": no data rows ("
                            + (layout == null ? "every file is empty" : "only a header")
                            + ")");
        }
        return new Summary(rows[0], layout.unusedColumns);
    }

    /**
     * A piece's rows, walked one at a time; the current row's cells are read by the schema's
     * columns. Not thread-safe: one handler call walks it.
     */
    public static final class Rows {
        private final ColumnLayout layout;
        private final Iterator<CSVRecord> records;
        private final CSVParser parser;
        private final String file;
        private final long lineOffset;
        private CSVRecord current;
        private long line;

        Rows(
                ColumnLayout layout,
                Iterator<CSVRecord> records,
                CSVParser parser,
                String file,
                long lineOffset) {
            this.layout = layout;
            this.records = records;
            this.parser = parser;
            this.file = file;
            this.lineOffset = lineOffset;
        }

        /**
         * @return the file the rows come from
         */
        public String file() {
            return file;
        }

        /**
         * @return the header's column names
         */
        public List<String> header() {
            return layout.header;
        }

        /**
         * @return the numeric columns, in the order {@link #values} fills them
         */
        public List<String> numericColumns() {
            return layout.numericNames;
        }

        /**
         * Moves to the next row.
         *
         * @return false when the piece has no more rows
         */
        public boolean next() {
            if (!records.hasNext()) {
                current = null;
                return false;
            }
            current = records.next();
            // A multi-line record's last physical line, as CsvTableReader's errors name it.
            line = lineOffset + parser.getCurrentLineNumber();
            return true;
        }

        /**
         * @return the current row's line in its file (the header is line 1)
         */
        public long line() {
            return line;
        }

        /**
         * @return the current row's number of fields
         */
        public int size() {
            return current.size();
        }

        /**
         * @param column a header index
         * @return the current row's cell in that column, as written
         */
        public String cell(int column) {
            return current.get(column);
        }

        /**
         * Reads the current row's numeric and categorical cells.
         *
         * @param numeric receives the numeric columns' values, in {@link #numericColumns()} order
         * @param categorical receives the categorical columns' values, stripped, in the schema's
         *     order
         * @return null if the row is usable, else what is wrong with it, naming the column
         */
        public String values(double[] numeric, String[] categorical) {
            if (current.size() != layout.width()) {
                return "expected " + layout.width() + " fields, found " + current.size();
            }
            for (int c = 0; c < layout.numericIndex.length; c++) {
                try {
                    numeric[c] = NumericCells.parse(current.get(layout.numericIndex[c]));
                } catch (NumericCells.InvalidNumberException e) {
                    return "column " + layout.numericNames.get(c) + ": " + e.getMessage();
                }
            }
            for (int c = 0; c < layout.categoricalIndex.length; c++) {
                categorical[c] = current.get(layout.categoricalIndex[c]).strip();
                if (!TextCells.isValidUtf8(categorical[c])) {
                    return "column "
                            + layout.schema.categoricalColumns().get(c)
                            + ": "
                            + TextCells.INVALID_UTF8;
                }
            }
            return null;
        }
    }
}
