package dev.kfptribuo.reliability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.io.InputFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted input files end with one clear error naming the file and line, never an overflow, an
 * out-of-memory or a silently wrong value.
 */
class HostileFilesIT {
    private static final int HUGE = 70 << 20; // beyond the 64 MiB a line may have

    @TempDir Path dir;

    private static DataFormatException read(Path file) {
        return assertThrows(
                DataFormatException.class,
                () ->
                        new CsvTableReader(ColumnSchema.COVERTYPE)
                                .read(InputFiles.expand(file.toString())));
    }

    private List<String> sample() throws IOException {
        return Files.readAllLines(TestData.slice(dir, "sample.csv", 0, 20));
    }

    private static void writeLine(OutputStream out, byte fill, int length) throws IOException {
        byte[] block = new byte[1 << 20];
        Arrays.fill(block, fill);
        for (int written = 0; written < length; written += block.length) {
            out.write(block, 0, Math.min(block.length, length - written));
        }
    }

    @Test
    void aLineLongerThanAnyRowIsNamedWithItsLine() throws IOException {
        List<String> lines = sample();
        Path file = dir.resolve("long-line.csv");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(
                    (String.join("\n", lines.subList(0, 3)) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
            writeLine(out, (byte) '7', HUGE);
            out.write('\n');
        }
        DataFormatException e = read(file);
        assertTrue(
                e.getMessage().contains("long-line.csv: line 4: a line longer than 64 MiB"),
                e.getMessage());
    }

    @Test
    void aGzipThatInflatesWithoutALineEndIsStoppedTheSameWay() throws IOException {
        Path file = dir.resolve("bomb.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write((sample().get(0) + "\n").getBytes(StandardCharsets.UTF_8));
            writeLine(out, (byte) 'a', 3 * HUGE);
        }
        assertTrue(Files.size(file) < (1 << 20), "a small file");
        DataFormatException e = read(file);
        assertTrue(
                e.getMessage().contains("bomb.csv.gz: line 2: a line longer than 64 MiB"),
                e.getMessage());
    }

    @Test
    void aQuotedFieldThatNeverEndsIsStoppedToo() throws IOException {
        List<String> lines = sample();
        Path file = dir.resolve("quoted.csv");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(
                    (lines.get(0) + "\n" + lines.get(1) + "\n\"").getBytes(StandardCharsets.UTF_8));
            writeLine(out, (byte) 'q', HUGE);
        }
        DataFormatException e = read(file);
        assertTrue(
                e.getMessage().contains("quoted.csv: line 3: a line longer than 64 MiB"),
                e.getMessage());
    }

    @Test
    void categoryBytesThatAreNotUtf8AreRejectedWithTheirPlace() throws IOException {
        List<String> lines = new ArrayList<>(sample());
        Path file = dir.resolve("latin1.csv");
        lines.set(5, lines.get(5).replaceFirst(",C(\\d{4}),", ",C\u0001$1,")); // line 6's Soil_Type
        byte[] text = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < text.length; i++) {
            text[i] = text[i] == 1 ? (byte) 0xE9 : text[i]; // 'é' in Latin-1: not UTF-8 on its own
        }
        Files.write(file, text);
        DataFormatException e = read(file);
        assertTrue(
                e.getMessage()
                        .contains(
                                "latin1.csv: line 6, column Soil_Type: holds bytes that are not valid UTF-8"),
                e.getMessage());
    }
}
