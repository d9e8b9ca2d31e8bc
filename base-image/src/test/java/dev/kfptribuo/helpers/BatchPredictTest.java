package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.helpers.BatchPredictRuns.Run;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * batch-predict on a model the trainer trained: every prediction is the Predictor's for its row
 * (itself tested equal to Tribuo's), in Vertex AI's output shapes, from every input shape; bad rows
 * are reported and, beyond the allowance, nothing is written; memory stays constant.
 */
class BatchPredictTest {
    private static final Path SAMPLE = TrainRuns.SAMPLE;
    private static final Path TESTING =
            Path.of("..", "data", "covertype", "covertype_validation.csv");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;
    private static Path jobDir;
    private static Predictor predictor;
    private static Table testing;
    private static TablePredictions expected;

    @TempDir Path dir;

    @BeforeAll
    static void train() throws IOException {
        jobDir = shared.resolve("job");
        TrainRuns.train(jobDir, 50);
        predictor = Predictor.of(ModelBundle.load(Location.parse(jobDir.toString())));
        testing =
                new CsvTableReader(predictor.inputSchema(true))
                        .read(InputFiles.expand(TESTING.toString()));
        expected = TablePredictions.of(predictor, testing, true);
    }

    private static Run run(String... args) {
        return BatchPredictRuns.batchPredict(args);
    }

    private static List<String> names(Path dir) throws IOException {
        return BatchPredictRuns.names(dir);
    }

    /** The lines of the shards, in shard order. */
    private static List<JsonNode> results(Path dir) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String name : names(dir)) {
            if (name.startsWith("prediction.results-")) {
                for (String line : Files.readAllLines(dir.resolve(name))) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    /**
     * The row's prediction is the Predictor's: its label, the classes in order, the scores exactly.
     */
    private static void assertPrediction(int row, JsonNode prediction) {
        assertEquals(
                predictor.classes().get(expected.predicted()[row]),
                prediction.get("label").asText(),
                "row " + row);
        List<String> classes = new ArrayList<>();
        prediction.get("classes").forEach(c -> classes.add(c.asText()));
        assertEquals(predictor.classes(), classes);
        for (int k = 0; k < classes.size(); k++) {
            assertEquals(
                    expected.scores()[row][k],
                    prediction.get("scores").get(k).asDouble(),
                    0.0,
                    "row " + row);
        }
    }

    @Test
    void csvRowsBecomeVertexJsonLinesInShardsInRowOrder() throws IOException {
        Path out = dir.resolve("outputs/predictions");
        Path rows = dir.resolve("outputs/predicted_rows");
        Run run =
                run(
                        "--dataset-path",
                        TESTING.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--rows-per-shard",
                        "3000",
                        "--predicted-rows-output",
                        rows.toString());
        assertEquals(0, run.code, run.err);
        assertEquals(
                List.of(
                        "prediction.results-00000-of-00004",
                        "prediction.results-00001-of-00004",
                        "prediction.results-00002-of-00004",
                        "prediction.results-00003-of-00004"),
                names(out));
        assertEquals(
                1000, Files.readAllLines(out.resolve("prediction.results-00003-of-00004")).size());
        List<JsonNode> lines = results(out);
        assertEquals(testing.rowCount(), lines.size());
        List<String> header = List.of(Files.readAllLines(TESTING).get(0).split(","));
        for (int row = 0; row < lines.size(); row++) {
            JsonNode instance = lines.get(row).get("instance");
            List<String> keys = new ArrayList<>();
            instance.fieldNames().forEachRemaining(keys::add);
            assertEquals(header, keys, "every column of the row, in order");
            assertTrue(instance.get("Elevation").isIntegralNumber());
            assertEquals(
                    testing.numeric(testing.numericColumns().indexOf("Elevation"))[row],
                    instance.get("Elevation").asDouble());
            assertEquals(
                    testing.categorical(testing.categoricalColumns().indexOf("Soil_Type"))[row],
                    instance.get("Soil_Type").asText());
            assertPrediction(row, lines.get(row).get("prediction"));
        }
        assertEquals("10000", Files.readString(rows));
        assertTrue(
                run.out.contains("columns the model does not use, not read: Cover_Type"), run.out);
        assertEquals(
                List.of("predicted_rows", "predictions"),
                names(dir.resolve("outputs")),
                "no staging left");
    }

    @Test
    void jsonLinesObjectsAndArraysWithNumbersAsStringsPredictTheSame() throws IOException {
        List<String> columns = predictor.inputColumns();
        Path objects = dir.resolve("objects.jsonl");
        Path arrays = dir.resolve("arrays.jsonl");
        try (BufferedWriter o = Files.newBufferedWriter(objects);
                BufferedWriter a = Files.newBufferedWriter(arrays);
                CSVParser parser =
                        CSVParser.parse(
                                TESTING,
                                StandardCharsets.UTF_8,
                                CSVFormat.DEFAULT
                                        .builder()
                                        .setHeader()
                                        .setSkipHeaderRecord(true)
                                        .get())) {
            int row = 0;
            for (CSVRecord record : parser) {
                ObjectNode object = JSON.createObjectNode().put("id", "row-" + row);
                ArrayNode array = JSON.createArrayNode();
                for (String column : columns) {
                    String cell = record.get(column);
                    boolean numeric = predictor.numericColumns().contains(column);
                    // Every other row sends its numbers as strings, as BigQuery exports may.
                    if (numeric && row % 2 == 0) {
                        object.put(column, Long.parseLong(cell));
                        array.add(Long.parseLong(cell));
                    } else {
                        object.put(column, cell);
                        array.add(cell);
                    }
                }
                o.write(object.toString());
                o.write(row == 7 ? "\r\n\n" : "\n"); // a CRLF and a blank line are fine
                a.write(array.toString());
                a.write('\n');
                row++;
            }
        }
        for (Path input : List.of(objects, arrays)) {
            Path out = dir.resolve("out-" + input.getFileName());
            Run run =
                    run(
                            "--dataset-path",
                            input.toString(),
                            "--model-path",
                            jobDir.toString(),
                            "--predictions-dir",
                            out.toString());
            assertEquals(0, run.code, run.err);
            List<JsonNode> lines = results(out);
            assertEquals(testing.rowCount(), lines.size(), input.toString());
            for (int row = 0; row < lines.size(); row++) {
                assertPrediction(row, lines.get(row).get("prediction"));
            }
            JsonNode first = lines.get(0).get("instance");
            assertEquals(
                    input == objects ? "row-0" : null,
                    first.has("id") ? first.get("id").asText() : null,
                    "the instance as it was sent");
        }
    }

    @Test
    void csvPredictionsHaveTheRowTheLabelAndAProbabilityPerClass() throws IOException {
        Path noLabel = dir.resolve("no-label.csv");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(TESTING)) {
            lines.add(line.substring(0, line.lastIndexOf(',')));
        }
        Files.write(noLabel, lines);
        Path out = dir.resolve("csv");
        Run run =
                run(
                        "--dataset-path",
                        noLabel.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--predictions-format",
                        "csv");
        assertEquals(0, run.code, run.err);
        assertEquals(List.of("prediction.results-00000-of-00001.csv"), names(out));
        try (CSVParser parser =
                CSVParser.parse(
                        out.resolve("prediction.results-00000-of-00001.csv"),
                        StandardCharsets.UTF_8,
                        CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            List<String> header = new ArrayList<>(List.of(lines.get(0).split(",")));
            header.add("predicted_label");
            predictor.classes().forEach(c -> header.add("probability_" + c));
            assertEquals(header, parser.getHeaderNames());
            int row = 0;
            for (CSVRecord record : parser) {
                assertEquals(
                        predictor.classes().get(expected.predicted()[row]),
                        record.get("predicted_label"));
                for (int k = 0; k < predictor.classes().size(); k++) {
                    assertEquals(
                            expected.scores()[row][k],
                            Double.parseDouble(
                                    record.get("probability_" + predictor.classes().get(k))),
                            0.0);
                }
                assertEquals(lines.get(row + 1), String.join(",", record.toList().subList(0, 12)));
                row++;
            }
            assertEquals(testing.rowCount(), row);
        }
    }

    /** The testing rows with bad rows put in at known lines. */
    private Path withBadRows() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(TESTING));
        lines.set(5, lines.get(5).replaceFirst("^\\d+,", "high,")); // line 6: Elevation is text
        lines.set(
                9,
                lines.get(9).substring(0, lines.get(9).lastIndexOf(','))); // line 10: a field short
        lines.set(200, lines.get(200).replaceFirst("^\\d+,", ",")); // line 201: Elevation blank
        Path bad = dir.resolve("bad.csv");
        Files.write(bad, lines);
        return bad;
    }

    @Test
    void badRowsFailTheCommandAndWriteNothing() throws IOException {
        Path out = dir.resolve("out/predictions");
        Run run =
                run(
                        "--dataset-path",
                        withBadRows().toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--max-bad-rows",
                        "2");
        assertEquals(1, run.code, run.out);
        assertTrue(
                run.err.contains("more than 2 bad row(s)")
                        && run.err.contains(
                                "bad.csv: line 6: column Elevation: \"high\" is not a number"),
                run.err);
        assertEquals(1, run.err.strip().lines().count(), run.err);
        assertTrue(
                run.out.contains("bad row: ")
                        && run.out.contains("line 10: expected 13 fields, found 12"),
                run.out);
        assertFalse(Files.exists(out));
        assertEquals(List.of(), names(dir.resolve("out")), "no staging left");
    }

    @Test
    void allowedBadRowsGoToTheErrorsFileWithTheirLineAndReason() throws IOException {
        Path out = dir.resolve("allowed");
        Path bad = dir.resolve("bad_rows");
        Run run =
                run(
                        "--dataset-path",
                        withBadRows().toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--max-bad-rows",
                        "3",
                        "--bad-rows-output",
                        bad.toString());
        assertEquals(0, run.code, run.err);
        assertEquals("3", Files.readString(bad));
        assertEquals(
                List.of(
                        "prediction.errors_stats-00000-of-00001",
                        "prediction.results-00000-of-00001"),
                names(out));
        List<JsonNode> errors = new ArrayList<>();
        for (String line :
                Files.readAllLines(out.resolve("prediction.errors_stats-00000-of-00001"))) {
            errors.add(JSON.readTree(line));
        }
        assertEquals(
                List.of(6L, 10L, 201L), errors.stream().map(e -> e.get("line").asLong()).toList());
        assertEquals(
                "column Elevation: \"high\" is not a number",
                errors.get(0).at("/error/message").asText());
        assertEquals(3, errors.get(0).at("/error/code").asInt());
        assertEquals(
                "high", errors.get(0).get("instance").get(0).asText(), "the row as it was read");
        assertEquals(
                "column Elevation: blank value in a numeric column",
                errors.get(2).at("/error/message").asText());
        assertTrue(errors.get(0).get("file").asText().endsWith("bad.csv"));
        assertEquals(testing.rowCount() - 3, results(out).size());
    }

    @Test
    void badJsonInstancesAreNamedByLineAndColumn() throws IOException {
        Path input = dir.resolve("bad.jsonl");
        String good =
                "{\"Elevation\": 2600, \"Aspect\": 51, \"Slope\": 3, \"Horizontal_Distance_To_Hydrology\": 258,"
                        + " \"Vertical_Distance_To_Hydrology\": 0, \"Horizontal_Distance_To_Roadways\": 510, \"Hillshade_9am\": 221,"
                        + " \"Hillshade_Noon\": 232, \"Hillshade_3pm\": 148, \"Horizontal_Distance_To_Fire_Points\": 6279,"
                        + " \"Wilderness_Area\": \"Rawah\", \"Soil_Type\": \"C7745\"}";
        Files.write(
                input,
                List.of(
                        good,
                        "{not json",
                        good.replace("\"Aspect\": 51, ", ""),
                        good.replace("2600", "null"),
                        good.replace("\"Rawah\"", "{}"),
                        "[1, 2]",
                        "\"text\"",
                        good.replace("\"Elevation\": 2600", "\"Elevation\": \"2.6e3\"")));
        Path out = dir.resolve("json-errors");
        Run run =
                run(
                        "--dataset-path",
                        input.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--max-bad-rows",
                        "6");
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("2 row(s) predicted from 1 file(s) (8 lines)"), run.out);
        List<String> messages = new ArrayList<>();
        for (String line :
                Files.readAllLines(out.resolve("prediction.errors_stats-00000-of-00001"))) {
            JsonNode error = JSON.readTree(line);
            messages.add(error.get("line").asLong() + ": " + error.at("/error/message").asText());
        }
        assertEquals(6, messages.size(), messages.toString());
        assertTrue(messages.get(0).startsWith("2: not valid JSON"), messages.toString());
        assertEquals("3: column Aspect: missing", messages.get(1));
        assertEquals("4: column Elevation: null", messages.get(2));
        assertEquals(
                "5: column Wilderness_Area: expected a category (a string, or a number or boolean as its text), got an object",
                messages.get(3));
        assertTrue(
                messages.get(4)
                        .startsWith("6: an array instance has the 12 values of Elevation, Aspect"),
                messages.get(4));
        assertTrue(
                messages.get(5)
                        .startsWith("7: an instance is an object of column values or an array"),
                messages.get(5));
        List<JsonNode> lines = results(out);
        assertEquals(2, lines.size());
        assertEquals(
                lines.get(0).get("prediction"),
                lines.get(1).get("prediction"),
                "2.6e3 as a string is 2600");
    }

    /**
     * A malformed line's reason reads as the other JSON errors do: Jackson's text without its Java
     * class names, feature hints or source excerpt, with the column (the file's line is the
     * record's).
     */
    @Test
    void malformedJsonLinesAreDescribedInJsonsTermsWithTheirColumn() throws IOException {
        Path input = dir.resolve("malformed.jsonl");
        String good =
                "{\"Elevation\": 2600, \"Aspect\": 51, \"Slope\": 3, \"Horizontal_Distance_To_Hydrology\": 258,"
                        + " \"Vertical_Distance_To_Hydrology\": 0, \"Horizontal_Distance_To_Roadways\": 510, \"Hillshade_9am\": 221,"
                        + " \"Hillshade_Noon\": 232, \"Hillshade_3pm\": 148, \"Horizontal_Distance_To_Fire_Points\": 6279,"
                        + " \"Wilderness_Area\": \"Rawah\", \"Soil_Type\": \"C7745\"}";
        Files.write(
                input,
                List.of(
                        good,
                        good + " {}",
                        good.replace("2600", "NaN"),
                        "{\"Elevation\": 2600",
                        "{'Elevation': 2600}"));
        Path out = dir.resolve("malformed");
        Run run =
                run(
                        "--dataset-path",
                        input.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--max-bad-rows",
                        "4");
        assertEquals(0, run.code, run.err);
        List<String> messages = new ArrayList<>();
        for (String line :
                Files.readAllLines(out.resolve("prediction.errors_stats-00000-of-00001"))) {
            JsonNode error = JSON.readTree(line);
            messages.add(error.get("line").asLong() + ": " + error.at("/error/message").asText());
        }
        assertEquals(
                List.of(
                        "2: not valid JSON: Trailing token (of type START_OBJECT) found after value: not allowed (column "
                                + (good.length() + 2)
                                + ")",
                        "3: not valid JSON: Non-standard token 'NaN' (column 18)",
                        "4: not valid JSON: Unexpected end-of-input: expected close marker for Object (start marker at column 1)"
                                + " (column 19)",
                        "5: not valid JSON: Unexpected character (''' (code 39)): was expecting double-quote to start field name"
                                + " (column 2)"),
                messages);
        for (String message : messages) {
            assertFalse(
                    message.matches(".*(`|Feature|com\\.fasterxml|JsonNode|Source:|line: ).*"),
                    message);
        }
    }

    @Test
    void emptyShardsOfAWildcardAreSkippedAndARerunReplacesTheOutputsWhole() throws IOException {
        List<String> lines = Files.readAllLines(TESTING);
        Path shards = dir.resolve("export");
        Files.createDirectories(shards);
        Files.write(shards.resolve("part-000.csv"), lines.subList(0, 5001));
        Files.write(shards.resolve("part-001.csv"), new byte[0]);
        Files.write(shards.resolve("part-002.csv"), List.of(lines.get(0)));
        List<String> rest = new ArrayList<>(lines.subList(5001, lines.size()));
        rest.add(0, lines.get(0));
        Files.write(shards.resolve("part-003.csv"), rest);
        Path out = dir.resolve("shards-out");
        Files.createDirectories(out);
        Files.writeString(
                out.resolve("prediction.results-00000-of-00009"), "left by an earlier run");
        Run run =
                run(
                        "--dataset-path",
                        shards.resolve("part-*.csv").toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString());
        assertEquals(0, run.code, run.err);
        assertEquals(List.of("prediction.results-00000-of-00001"), names(out));
        List<JsonNode> results = results(out);
        assertEquals(testing.rowCount(), results.size());
        for (int row = 0; row < results.size(); row++) {
            assertPrediction(row, results.get(row).get("prediction"));
        }
        // A file named on its own must hold data.
        Run empty =
                run(
                        "--dataset-path",
                        shards.resolve("part-001.csv").toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        dir.resolve("empty-out").toString());
        assertEquals(1, empty.code);
        assertTrue(empty.err.contains("part-001.csv: the file is empty"), empty.err);
        assertFalse(Files.exists(dir.resolve("empty-out")));
    }

    @Test
    void rowsWithCategoriesUnseenInTrainingArePredictedAndCounted() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(TESTING));
        for (int i = 1; i <= 25; i++) {
            lines.set(i, lines.get(i).replaceFirst(",(Rawah|Neota|Commanche|Cache),", ",Nowhere,"));
        }
        Path unseen = dir.resolve("unseen.csv");
        Files.write(unseen, lines);
        TablePredictions counted =
                TablePredictions.of(
                        predictor,
                        new CsvTableReader(predictor.inputSchema(true))
                                .read(InputFiles.expand(unseen.toString())),
                        false);
        Run run =
                run(
                        "--dataset-path",
                        unseen.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        dir.resolve("unseen-out").toString());
        assertEquals(0, run.code, run.err);
        assertTrue(counted.rowsWithUnseenCategories() >= 25);
        assertTrue(
                run.out.contains(
                        counted.rowsWithUnseenCategories()
                                + " row(s) hold categories unseen in training, predicted without them: "),
                run.out);
        assertTrue(run.out.contains("Wilderness_Area=[Nowhere]"), run.out);
        assertEquals(testing.rowCount(), results(dir.resolve("unseen-out")).size());
    }

    @Test
    void usageErrorsExitTwo() {
        Run format =
                run(
                        "--dataset-path",
                        TESTING.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        dir.resolve("x").toString(),
                        "--predictions-format",
                        "parquet");
        assertEquals(2, format.code);
        assertTrue(format.err.contains("unknown predictions format 'parquet'"), format.err);
        for (String[] bad :
                new String[][] {
                    {"--max-bad-rows", "-1", "--max-bad-rows must be at least 0, got -1"},
                    {"--max_bad_rows", "-1", "--max-bad-rows must be at least 0, got -1"},
                    {"--rows-per-shard", "0", "--rows-per-shard must be at least 1, got 0"},
                    {"--rows_per_shard", "-3", "--rows-per-shard must be at least 1, got -3"}
                }) {
            Run negative =
                    run(
                            "--dataset-path",
                            TESTING.toString(),
                            "--model-path",
                            jobDir.toString(),
                            "--predictions-dir",
                            dir.resolve("x").toString(),
                            bad[0],
                            bad[1]);
            assertEquals(2, negative.code, negative.err);
            assertEquals(
                    List.of(
                            "batch-predict: error: " + bad[2],
                            "Try 'helpers batch-predict --help' for more information."),
                    negative.err.lines().toList());
            assertFalse(Files.exists(dir.resolve("x")));
        }
        Run missing = run("--dataset-path", TESTING.toString(), "--model-path", jobDir.toString());
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("--predictions-dir"), missing.err);
    }

    @Test
    void memoryStaysConstantInTheRows() throws IOException, InterruptedException {
        // 40 copies of the testing rows, 400,000 rows: their table alone would need far more than
        // the heap.
        Path big = dir.resolve("big.csv");
        List<String> lines = Files.readAllLines(TESTING);
        try (BufferedWriter out = Files.newBufferedWriter(big)) {
            out.write(lines.get(0));
            out.write('\n');
            for (int copy = 0; copy < 40; copy++) {
                for (String line : lines.subList(1, lines.size())) {
                    out.write(line);
                    out.write('\n');
                }
            }
        }
        Path out = dir.resolve("big-out");
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx40m",
                                "-XX:+UseSerialGC",
                                "-cp",
                                System.getProperty("java.class.path"),
                                HelperComponents.class.getName(),
                                "batch-predict",
                                "--dataset-path",
                                big.toString(),
                                "--model-path",
                                jobDir.toString(),
                                "--predictions-dir",
                                out.toString(),
                                "--rows-per-shard",
                                "250000")
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("400000 row(s) predicted"), output);
        assertEquals(
                List.of("prediction.results-00000-of-00002", "prediction.results-00001-of-00002"),
                names(out));
    }
}
