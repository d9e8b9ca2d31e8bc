package dev.kfptribuo;

import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The bundled real covertype sample, for tests. */
public final class TestData {
    /** The 10,000-row sample shipped in data/covertype. */
    public static final Path COVERTYPE_SMALL =
            Path.of("..", "data", "covertype", "covertype_small.csv");

    private TestData() {}

    /**
     * @param dir where to write
     * @param name file name
     * @param from first data row (0-based)
     * @param to end data row, exclusive
     * @return a CSV with the header and those rows of the small sample
     */
    public static Path slice(Path dir, String name, int from, int to) {
        try {
            List<String> lines = Files.readAllLines(COVERTYPE_SMALL);
            List<String> out = new java.util.ArrayList<>();
            out.add(lines.get(0));
            out.addAll(lines.subList(1 + from, 1 + to));
            Path file = dir.resolve(name);
            Files.write(file, out);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param file a covertype CSV
     * @return it, read with the lab's schema
     */
    public static Table read(Path file) {
        try {
            return new CsvTableReader(ColumnSchema.COVERTYPE)
                    .read(List.of(new InputFile(Location.parse(file.toString()))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
