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
    void aByteOrderMarkAndWindowsLineEndsReadLikeThePlainFile(@TempDir Path dir) throws IOException {
        Path plain = TestData.slice(dir, "plain.csv", 0, 200);
        String text = Files.readString(plain);
        Path windows = dir.resolve("windows.csv");
        Files.writeString(windows, "\uFEFF" + text.replace("\n", "\r\n"), StandardCharsets.UTF_8);

        Table expected = TestData.read(plain);
        Table actual = new CsvTableReader(ColumnSchema.COVERTYPE)
                .read(List.of(new InputFile(Location.parse(windows.toString()))));
        assertEquals(expected.numericColumns(), actual.numericColumns());
        assertEquals(200, actual.rowCount());
        for (int c = 0; c < expected.numericColumns().size(); c++) {
            assertEquals(java.util.Arrays.toString(expected.numeric(c)), java.util.Arrays.toString(actual.numeric(c)));
        }
        assertEquals(List.of(expected.labels()), List.of(actual.labels()));
    }
}
