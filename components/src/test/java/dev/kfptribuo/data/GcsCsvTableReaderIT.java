package dev.kfptribuo.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CsvTableReader} over gs:// shards, as a BigQuery export writes them, through the real
 * Cloud Storage client against fake-gcs-server, on real covertype rows.
 */
@ExtendWith(FakeGcsServer.class)
class GcsCsvTableReaderIT {
    private static final String SAMPLE = "data/covertype/covertype_small.csv";

    @Test
    void readsGzipAndPlainShardsWithRepeatedHeadersFromGcs() throws IOException {
        Path sample = findSample();
        List<String> lines = Files.readAllLines(sample, StandardCharsets.UTF_8);
        String header = lines.get(0);
        List<String> rows =
                lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        assertTrue(
                rows.size() >= 3_000,
                "the sample should have thousands of rows, has " + rows.size());

        // Three uneven shards, each repeating the header: gzip with the suffix, plain, gzip without
        // it.
        int cut1 = rows.size() / 3;
        int cut2 = cut1 + rows.size() / 2;
        List<List<String>> parts =
                List.of(
                        rows.subList(0, cut1),
                        rows.subList(cut1, cut2),
                        rows.subList(cut2, rows.size()));
        List<String> names =
                List.of(
                        "export/covertype-000000000000.csv.gz",
                        "export/covertype-000000000001.csv",
                        "export/covertype-000000000002.csv");
        List<Boolean> gzipped = List.of(true, false, true);
        List<String> expectedSha = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] csv =
                    (header + "\n" + String.join("\n", parts.get(i)) + "\n")
                            .getBytes(StandardCharsets.UTF_8);
            byte[] stored = gzipped.get(i) ? gzip(csv) : csv;
            OutputFiles.write(Location.parse(FakeGcsServer.uri(names.get(i))), stored);
            expectedSha.add(sha256(stored));
        }
        // A near miss that must not be read: another directory with the same file names.
        OutputFiles.write(
                Location.parse(FakeGcsServer.uri("export/old/covertype-000000000000.csv")),
                (header + "\n").getBytes(StandardCharsets.UTF_8));

        List<InputFile> files = InputFiles.expand(FakeGcsServer.uri("export/covertype-*"));
        Table table = new CsvTableReader(ColumnSchema.COVERTYPE).read(files);

        assertEquals(rows.size(), table.rowCount());
        assertEquals(3, table.sources().size());
        for (int i = 0; i < 3; i++) {
            SourceFile source = table.sources().get(i);
            assertEquals(FakeGcsServer.uri(names.get(i)), source.uri());
            assertEquals(parts.get(i).size(), source.rows(), source.uri());
            assertEquals(expectedSha.get(i), source.sha256(), source.uri());
        }

        // Cell for cell the same table as reading the original file locally.
        Table local =
                new CsvTableReader(ColumnSchema.COVERTYPE)
                        .read(List.of(new InputFile(Location.parse(sample.toString()))));
        assertEquals(local.numericColumns(), table.numericColumns());
        for (int c = 0; c < local.numericColumns().size(); c++) {
            assertArrayEquals(local.numeric(c), table.numeric(c), local.numericColumns().get(c));
        }
        for (int c = 0; c < local.categoricalColumns().size(); c++) {
            assertArrayEquals(
                    local.categorical(c), table.categorical(c), local.categoricalColumns().get(c));
        }
        assertArrayEquals(local.labels(), table.labels());
    }

    @Test
    void missingShardIsFileNotFound() {
        List<InputFile> files =
                List.of(
                        new InputFile(
                                Location.parse(FakeGcsServer.uri("export-missing/data-0.csv"))));

        assertThrows(
                FileNotFoundException.class,
                () -> new CsvTableReader(ColumnSchema.COVERTYPE).read(files));
    }

    /** Finds the sample from the module or the repository root, whichever Maven runs in. */
    private static Path findSample() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SAMPLE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                SAMPLE + " not found above " + Path.of("").toAbsolutePath());
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
