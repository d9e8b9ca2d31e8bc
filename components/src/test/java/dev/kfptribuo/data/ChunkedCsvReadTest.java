package dev.kfptribuo.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file read in chunks on several threads must give the table, and the first error, that one
 * parser reading it from start to end gives: chunk sizes from a few records to the whole file.
 */
class ChunkedCsvReadTest {
    private static final int[] CHUNK_BYTES = {1, 64, 700, 4096, CsvTableReader.CHUNK_BYTES};

    @TempDir Path dir;

    private static CsvTableReader sequential() {
        return new CsvTableReader(ColumnSchema.COVERTYPE, true, 1, Integer.MAX_VALUE);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private String sample(int rows) throws IOException {
        return Files.readString(TestData.slice(dir, "sample-" + rows + ".csv", 0, rows));
    }

    private static List<InputFile> inputs(Path... files) {
        List<InputFile> inputs = new ArrayList<>();
        for (Path file : files) {
            inputs.add(new InputFile(Location.parse(file.toString())));
        }
        return inputs;
    }

    private static void assertSameTable(Table expected, Table actual) {
        assertEquals(expected.rowCount(), actual.rowCount());
        assertEquals(expected.numericColumns(), actual.numericColumns());
        for (int c = 0; c < expected.numericColumns().size(); c++) {
            assertArrayEquals(expected.numeric(c), actual.numeric(c), 0.0);
        }
        for (int c = 0; c < expected.categoricalColumns().size(); c++) {
            assertArrayEquals(expected.categorical(c), actual.categorical(c));
        }
        assertArrayEquals(expected.labels(), actual.labels());
        assertEquals(expected.sources(), actual.sources());
    }

    private void assertReadsLikeOneParser(Path... files) throws IOException {
        Table expected = sequential().read(inputs(files));
        for (int chunkBytes : CHUNK_BYTES) {
            for (int threads : new int[] {1, 3}) {
                assertSameTable(
                        expected,
                        new CsvTableReader(ColumnSchema.COVERTYPE, true, threads, chunkBytes)
                                .read(inputs(files)));
            }
        }
    }

    @Test
    void plainWindowsAndOldMacLineEndsBlankLinesAndAByteOrderMark() throws IOException {
        String text = sample(1500);
        assertReadsLikeOneParser(write("plain.csv", text));
        assertReadsLikeOneParser(write("crlf.csv", "\uFEFF" + text.replace("\n", "\r\n")));
        assertReadsLikeOneParser(write("cr.csv", text.replace("\n", "\r")));
        assertReadsLikeOneParser(write("blank.csv", text.replace("\n2", "\n\n\r\n2")));
        assertReadsLikeOneParser(write("no-final-newline.csv", text.strip()));
    }

    @Test
    void quotedFieldsFromTheHeaderOrAnyRowOnStillReadTheSame() throws IOException {
        String text = sample(1200);
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        String quotedHeader = "\"" + lines.get(0).replace(",", "\",\"") + "\"";
        // A quoted category, then a quoted label spanning two lines, deep in the file.
        lines.set(700, lines.get(700).replaceFirst(",C(\\d+),", ",\"C$1\","));
        lines.set(900, lines.get(900).replaceFirst(",(\\d)$", ",\"$1\nb\""));
        String body = String.join("\n", lines.subList(1, lines.size())) + "\n";
        assertReadsLikeOneParser(write("quoted-header.csv", quotedHeader + "\n" + body));
        Path quotedRows = write("quoted-rows.csv", lines.get(0) + "\n" + body);
        assertReadsLikeOneParser(quotedRows);
        assertTrue(
                sequential()
                        .read(inputs(quotedRows))
                        .labels()[899]
                        .equals(
                                lines.get(900)
                                        .substring(
                                                lines.get(900).lastIndexOf(",\"") + 2,
                                                lines.get(900).length() - 1)),
                "the quoted label keeps its line break");
    }

    @Test
    void shardsReadInOrder() throws IOException {
        String text = sample(900);
        List<String> lines = List.of(text.split("\n"));
        Path first = write("data-000.csv", String.join("\n", lines.subList(0, 400)) + "\n");
        Path second =
                write(
                        "data-001.csv",
                        lines.get(0) + "\n" + String.join("\n", lines.subList(400, lines.size())));
        assertReadsLikeOneParser(first, second);
    }

    /** The message of the first error of a file edited by {@code edit}, whatever the chunking. */
    private String assertSameFirstError(String name, UnaryOperator<List<String>> edit)
            throws IOException {
        List<String> lines = edit.apply(new ArrayList<>(List.of(sample(2000).split("\n"))));
        Path file = write(name, String.join("\n", lines) + "\n");
        String expected =
                assertThrows(DataFormatException.class, () -> sequential().read(inputs(file)))
                        .getMessage();
        for (int chunkBytes : CHUNK_BYTES) {
            for (int threads : new int[] {1, 2, 4}) {
                CsvTableReader reader =
                        new CsvTableReader(ColumnSchema.COVERTYPE, true, threads, chunkBytes);
                assertEquals(
                        expected,
                        assertThrows(DataFormatException.class, () -> reader.read(inputs(file)))
                                .getMessage(),
                        "chunkBytes=" + chunkBytes + " threads=" + threads);
            }
        }
        return expected;
    }

    private static List<String> set(List<String> lines, int line, UnaryOperator<String> change) {
        lines.set(line - 1, change.apply(lines.get(line - 1)));
        return lines;
    }

    @Test
    void theFirstBadRowInTheFileIsReportedWithItsLine() throws IOException {
        String message =
                assertSameFirstError(
                        "two-errors.csv",
                        lines -> {
                            set(lines, 1700, line -> "abc" + line.substring(line.indexOf(',')));
                            return set(lines, 301, line -> line + ",extra");
                        });
        assertTrue(message.endsWith("line 301: expected 13 fields, found 14"), message);
        message =
                assertSameFirstError(
                        "number.csv",
                        lines ->
                                set(
                                        lines,
                                        1999,
                                        line -> "12x" + line.substring(line.indexOf(','))));
        assertTrue(
                message.endsWith("line 1999, column Elevation: \"12x\" is not a number"), message);
        message =
                assertSameFirstError(
                        "label.csv",
                        lines ->
                                set(
                                        lines,
                                        1000,
                                        line ->
                                                line.substring(0, line.lastIndexOf(',') + 1)
                                                        + " "));
        assertTrue(message.endsWith("line 1000, column Cover_Type: the label is blank"), message);
        // Lines 10-19 end in a lone CR (old Mac) and 20-29 in CR LF: each still counts as one line.
        message =
                assertSameFirstError(
                        "mixed-line-ends.csv",
                        lines -> {
                            set(lines, 1999, text -> "12x" + text.substring(text.indexOf(',')));
                            List<String> joined = new ArrayList<>();
                            for (int line = 1; line <= lines.size(); line++) {
                                String end = line >= 10 && line < 30 ? "\r" : "";
                                joined.add(lines.get(line - 1) + end);
                            }
                            // The caller joins with LF: lines 20-29 end in CR LF, and merging 10-20
                            // leaves 10-19 a lone CR.
                            List<String> merged = new ArrayList<>(joined.subList(0, 9));
                            merged.add(String.join("", joined.subList(9, 19)) + joined.get(19));
                            merged.addAll(joined.subList(20, joined.size()));
                            return merged;
                        });
        assertTrue(message.contains("line 1999, column Elevation"), message);
    }

    @Test
    void malformedQuotingIsReportedAtTheFilesLineWhereverTheReadCutsTheFile() throws IOException {
        String message =
                assertSameFirstError(
                        "quote.csv",
                        lines -> set(lines, 1500, line -> line.replaceFirst(",C", ",\"C")));
        assertTrue(
                message.endsWith(
                        "quote.csv: line 1500: EOF reached before encapsulated token finished"),
                message);
        // A valid quoted field first: the rest of the file is then read in one piece, from a later
        // line.
        message =
                assertSameFirstError(
                        "quote-after-quote.csv",
                        lines -> {
                            set(lines, 100, line -> line.replaceFirst(",C(\\d+),", ",\"C$1\","));
                            return set(lines, 1900, line -> line.replaceFirst(",C", ",\"C"));
                        });
        assertTrue(
                message.endsWith("line 1900: EOF reached before encapsulated token finished"),
                message);
        message =
                assertSameFirstError(
                        "after-closing-quote.csv",
                        lines -> {
                            set(lines, 100, line -> line.replaceFirst(",C(\\d+),", ",\"C$1\","));
                            return set(
                                    lines,
                                    1700,
                                    line -> line.replaceFirst(",C(\\d+),", ",\"C$1\"x,"));
                        });
        assertTrue(
                message.endsWith(
                        "line 1700: Invalid character between encapsulated token and delimiter"),
                message);
    }

    @Test
    void aStreamThatBreaksOffReportsTheBadRowsBeforeTheBreakFirst() throws IOException {
        List<String> lines = new ArrayList<>(List.of(sample(2000).split("\n")));
        set(lines, 301, line -> "abc" + line.substring(line.indexOf(',')));
        java.io.ByteArrayOutputStream gzip = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gzip)) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] whole = gzip.toByteArray();
        Path truncated = dir.resolve("truncated.csv.gz");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
        for (int chunkBytes : CHUNK_BYTES) {
            for (int threads : new int[] {1, 2}) {
                CsvTableReader reader =
                        new CsvTableReader(ColumnSchema.COVERTYPE, true, threads, chunkBytes);
                DataFormatException e =
                        assertThrows(
                                DataFormatException.class, () -> reader.read(inputs(truncated)));
                assertTrue(
                        e.getMessage()
                                .endsWith("line 301, column Elevation: \"abc\" is not a number"),
                        e.getMessage());
            }
        }
        // Without the bad row, the break itself, naming the file, whatever the chunking.
        lines.set(300, lines.get(301));
        gzip.reset();
        try (var out = new java.util.zip.GZIPOutputStream(gzip)) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Files.write(truncated, java.util.Arrays.copyOf(gzip.toByteArray(), gzip.size() * 2 / 3));
        for (int chunkBytes : CHUNK_BYTES) {
            CsvTableReader reader = new CsvTableReader(ColumnSchema.COVERTYPE, true, 2, chunkBytes);
            IOException e = assertThrows(IOException.class, () -> reader.read(inputs(truncated)));
            assertEquals(truncated + ": Unexpected end of ZLIB input stream", e.getMessage());
        }
    }

    @Test
    void aByteOrderMarkBeforeAQuotedHeaderIsNotPartOfTheFirstName() throws IOException {
        String text = sample(300);
        int header = text.indexOf('\n');
        String quotedHeader = "\"" + text.substring(0, header).replace(",", "\",\"") + "\"";
        Path file = write("bom-quoted.csv", "\uFEFF" + quotedHeader + text.substring(header));
        assertSameTable(sequential().read(inputs(write("plain.csv", text))), withoutSources(file));
    }

    private Table withoutSources(Path file) throws IOException {
        Table table = sequential().read(inputs(file));
        return new Table(
                table.schema(),
                table.numericColumns(),
                table.featureColumns(),
                table.unusedColumns(),
                columns(table),
                categories(table),
                table.labels(),
                sequential().read(inputs(dir.resolve("plain.csv"))).sources());
    }

    private static double[][] columns(Table table) {
        double[][] out = new double[table.numericColumns().size()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = table.numeric(c);
        }
        return out;
    }

    private static String[][] categories(Table table) {
        String[][] out = new String[table.categoricalColumns().size()][];
        for (int c = 0; c < out.length; c++) {
            out[c] = table.categorical(c);
        }
        return out;
    }

    @Test
    void javaOnlyNumberSpellingsAreNotNumbers() throws IOException {
        for (String spelling : new String[] {"2694d", "2694F", "0x1p3"}) {
            String message =
                    assertSameFirstError(
                            "spelling.csv",
                            lines ->
                                    set(
                                            lines,
                                            42,
                                            line -> spelling + line.substring(line.indexOf(','))));
            assertTrue(
                    message.endsWith(
                            "line 42, column Elevation: \""
                                    + spelling
                                    + "\" is not a decimal number"),
                    message);
        }
        String text = sample(5);
        Path decimals = write("decimals.csv", text.replaceFirst("\n(\\d+),", "\n+2.6e3,"));
        assertEquals(2600.0, sequential().read(inputs(decimals)).numeric(0)[0]);
    }
}
