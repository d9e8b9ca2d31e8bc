package dev.kfptribuo.localrun.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LotSplitterTest {
    @TempDir Path dir;

    private static List<InputFile> files(Path... paths) {
        List<InputFile> files = new ArrayList<>();
        for (Path p : paths) {
            files.add(new InputFile(Location.parse(p.toString())));
        }
        return files;
    }

    /**
     * The first 300 covertype rows go exactly to the lots of golden.tsv (Python + Google's
     * FarmHash).
     */
    @Test
    void rowsGoToTheLotsBigQueryWouldGiveThem() throws IOException {
        List<String> rows =
                Files.readAllLines(
                        Path.of("../data/covertype/covertype_small.csv"), StandardCharsets.UTF_8);
        List<String> golden =
                Files.readAllLines(
                        Path.of("src/test/resources/split/golden.tsv"), StandardCharsets.UTF_8);
        Path source = dir.resolve("source.csv");
        Files.write(source, rows.subList(0, 301), StandardCharsets.UTF_8);
        // Shards: the same rows in two files, each with the header.
        Path shard1 = dir.resolve("shard-1.csv");
        Path shard2 = dir.resolve("shard-2.csv");
        Files.write(shard1, rows.subList(0, 151), StandardCharsets.UTF_8);
        List<String> rest = new ArrayList<>(List.of(rows.get(0)));
        rest.addAll(rows.subList(151, 301));
        Files.write(shard2, rest, StandardCharsets.UTF_8);

        for (List<InputFile> input : List.of(files(source), files(shard1, shard2))) {
            Path out = Files.createTempDirectory(dir, "out");
            LotSplitter splitter =
                    new LotSplitter(
                            10,
                            List.of(
                                    new LotSplitter.Split(
                                            "training",
                                            List.of(1, 2, 3, 4),
                                            out.resolve("training.csv")),
                                    new LotSplitter.Split(
                                            "validation",
                                            List.of(8),
                                            out.resolve("validation.csv")),
                                    new LotSplitter.Split(
                                            "testing", List.of(9), out.resolve("testing.csv")),
                                    new LotSplitter.Split(
                                            "overlap", List.of(4, 8), out.resolve("overlap.csv"))));
            LotSplitter.Result result = splitter.split(input, null);
            assertTrue(result.schemaInferred());
            assertEquals(
                    BigQueryJsonTest.LAB_SCHEMA,
                    result.schema(),
                    "inference gives the lab's bq load schema");
            assertEquals(300, result.rows());

            List<String> expectedTraining = new ArrayList<>(List.of(rows.get(0)));
            List<String> expectedOverlap = new ArrayList<>(List.of(rows.get(0)));
            long[] perLot = new long[10];
            for (int i = 0; i < 300; i++) {
                int lot = Integer.parseInt(golden.get(i).split("\t")[1]);
                perLot[lot]++;
                if (lot >= 1 && lot <= 4) {
                    expectedTraining.add(rows.get(i + 1));
                }
                if (lot == 4 || lot == 8) {
                    expectedOverlap.add(rows.get(i + 1));
                }
            }
            assertArrayEquals(perLot, result.rowsPerLot());
            assertEquals(expectedTraining, Files.readAllLines(out.resolve("training.csv")));
            assertEquals(
                    expectedOverlap,
                    Files.readAllLines(out.resolve("overlap.csv")),
                    "each query on its own");
            assertEquals(perLot[8] + 1, Files.readAllLines(out.resolve("validation.csv")).size());
            assertEquals(perLot[1] + perLot[2] + perLot[3] + perLot[4], result.rowsPerSplit()[0]);
            try (var entries = Files.list(out)) {
                assertEquals(4, entries.count(), "no temporary file left");
            }
        }
    }

    @Test
    void aByteOrderMarkBeforeAQuotedHeaderSplitsLikeThePlainFile() throws IOException {
        List<String> rows =
                Files.readAllLines(
                        Path.of("../data/covertype/covertype_small.csv"), StandardCharsets.UTF_8);
        Path plain = dir.resolve("plain.csv");
        Files.write(plain, rows.subList(0, 101), StandardCharsets.UTF_8);
        List<String> marked = new ArrayList<>(rows.subList(0, 101));
        marked.set(0, "\uFEFF\"" + rows.get(0).replace(",", "\",\"") + "\"");
        Path spreadsheet = dir.resolve("spreadsheet.csv");
        Files.write(spreadsheet, marked, StandardCharsets.UTF_8);
        List<List<String>> outputs = new ArrayList<>();
        for (Path source : List.of(plain, spreadsheet)) {
            Path out = Files.createTempDirectory(dir, "out");
            LotSplitter.Result result =
                    new LotSplitter(
                                    10,
                                    List.of(
                                            new LotSplitter.Split(
                                                    "training",
                                                    List.of(1, 2, 3, 4),
                                                    out.resolve("training.csv"))))
                            .split(files(source), null);
            assertEquals(
                    BigQueryJsonTest.LAB_SCHEMA,
                    result.schema(),
                    "column names without the mark or quotes");
            outputs.add(Files.readAllLines(out.resolve("training.csv")));
        }
        assertEquals(outputs.get(0), outputs.get(1));
    }

    @Test
    void badInputFailsNamingFileAndLineAndWritesNothing() throws IOException {
        Path source = dir.resolve("bad.csv");
        Files.writeString(source, "a,b\n1,x\n2\n");
        Path out = dir.resolve("out");
        LotSplitter splitter =
                new LotSplitter(
                        10,
                        List.of(
                                new LotSplitter.Split(
                                        "training", List.of(1), out.resolve("t.csv"))));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> splitter.split(files(source), null));
        assertEquals(source + ": line 3: expected 2 fields, found 1", e.getMessage());
        assertFalse(Files.exists(out.resolve("t.csv")));

        Files.writeString(source, "a,b\n1,x\n");
        assertEquals(
                source + ": line 2: column b: \"x\" is not an INT64",
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        splitter.split(
                                                files(source),
                                                RowSchema.parse("a:INTEGER,b:INTEGER")))
                        .getMessage());
        try (var entries = Files.list(out)) {
            assertEquals(
                    0,
                    entries.count(),
                    "a split that fails midway leaves no file, not even a temporary one");
        }
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        splitter.split(
                                                files(source),
                                                RowSchema.parse("a:INTEGER,c:STRING")))
                        .getMessage()
                        .contains("does not match the schema's columns"));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new LotSplitter(
                                10,
                                List.of(
                                        new LotSplitter.Split(
                                                "x", List.of(10), out.resolve("x.csv")))));
    }

    /**
     * A source the train step would refuse in every trial is refused at the split, naming the
     * source's file, line and column (the trainer could name only the split's).
     */
    @Test
    void rowsTheTrainStepWouldRefuseAreFoundInTheSource() throws IOException {
        Path source = dir.resolve("source.csv");
        Path out = dir.resolve("out");
        LotSplitter splitter =
                new LotSplitter(
                        1,
                        List.of(
                                new LotSplitter.Split(
                                        "training", List.of(0), out.resolve("t.csv"))));
        TrainerColumns trainer =
                new TrainerColumns("label", java.util.Set.of("kind"), "train.yaml");
        Files.writeString(source, "height,kind,label\n1,a,1\n2,b,2\nabc,c,1\n");
        assertEquals(
                source
                        + ": line 4: column height: \"abc\" is not a number; the train step reads every"
                        + " column but the label and kind (categorical_columns of train.yaml) as numbers",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> splitter.split(files(source), null, trainer))
                        .getMessage());
        assertFalse(Files.exists(out.resolve("t.csv")));
        Files.writeString(source, "height,kind,label\n1,a,1\n,b,2\n");
        assertEquals(
                source
                        + ": line 3: column height: blank value in a numeric column; the train step reads"
                        + " every column but the label and kind (categorical_columns of train.yaml) as numbers",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> splitter.split(files(source), null, trainer))
                        .getMessage());
        Files.writeString(source, "height,kind\n1,a\n");
        assertEquals(
                source
                        + ": no column label, the label the train step reads (label_column of train.yaml)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> splitter.split(files(source), null, trainer))
                        .getMessage());
        Files.writeString(source, "height,kind,height,label\n1,a,2,1\n");
        assertEquals(
                source + ": the header names column height twice",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> splitter.split(files(source), null, trainer))
                        .getMessage());
        // As the train step reads them: not finite is refused, blanks around a number are not.
        Files.writeString(source, "height,kind,label\n1,a,1\nNaN,b,2\n");
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> splitter.split(files(source), null, trainer))
                        .getMessage()
                        .startsWith(
                                source
                                        + ": line 3: column height: \"NaN\" is not a finite number; "));
        Files.writeString(source, "height,kind,label\n1,a,1\n2,b, \n");
        assertEquals(
                source
                        + ": line 3: column label: the label is blank; the train step needs one in every row",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> splitter.split(files(source), null, trainer))
                        .getMessage());
        // Categorical and label cells may be text; numbers with blanks around them pass.
        Files.writeString(source, "height,kind,label\n1.5e3,a,x\n\" 12 \",,y\n -2\t,c,z\n");
        assertEquals(3, splitter.split(files(source), null, trainer).rows());
    }

    @Test
    void theLabsQueryText() {
        assertEquals(
                "SELECT * FROM `covertype_dataset.covertype` AS cover WHERE "
                        + "MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(cover))), 10) IN (1, 2, 3, 4)",
                new LotSplitter.Split("training", List.of(1, 2, 3, 4), dir.resolve("t.csv"))
                        .query("covertype_dataset.covertype", 10));
    }
}
