package dev.kfptribuo.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kfptribuo.TestData;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableReaderTest {
    @Test
    void aByteOrderMarkAndWindowsLineEndsReadLikeThePlainFile(@TempDir Path dir)
            throws IOException {
        Path plain = TestData.slice(dir, "plain.csv", 0, 200);
        String text = Files.readString(plain);
        Path windows = dir.resolve("windows.csv");
        Files.writeString(windows, "\uFEFF" + text.replace("\n", "\r\n"), StandardCharsets.UTF_8);

        Table expected = TestData.read(plain);
        Table actual =
                new CsvTableReader(ColumnSchema.COVERTYPE)
                        .read(List.of(new InputFile(Location.parse(windows.toString()))));
        assertEquals(expected.numericColumns(), actual.numericColumns());
        assertEquals(200, actual.rowCount());
        for (int c = 0; c < expected.numericColumns().size(); c++) {
            assertEquals(
                    java.util.Arrays.toString(expected.numeric(c)),
                    java.util.Arrays.toString(actual.numeric(c)));
        }
        assertEquals(List.of(expected.labels()), List.of(actual.labels()));
    }

    @Test
    void numericLabelsNameTheSameClassWhateverTheirSpelling(@TempDir Path dir) throws IOException {
        Path plain = TestData.slice(dir, "plain.csv", 0, 100);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(plain));
        for (int i = 1; i < lines.size(); i += 2) {
            lines.set(i, lines.get(i) + ".0");
        }
        Path mixed = dir.resolve("mixed.csv");
        Files.write(mixed, lines);
        Table table = TestData.read(mixed);
        assertEquals(List.of(TestData.read(plain).labels()), List.of(table.labels()));
        assertEquals("1", CsvTableReader.canonicalLabel("01"));
        assertEquals("2.5", CsvTableReader.canonicalLabel("2.50"));
        assertEquals("0", CsvTableReader.canonicalLabel("-0.0"));
        assertEquals("Spruce/Fir", CsvTableReader.canonicalLabel("Spruce/Fir"));
        assertEquals("1e", CsvTableReader.canonicalLabel("1e"));
    }
}
