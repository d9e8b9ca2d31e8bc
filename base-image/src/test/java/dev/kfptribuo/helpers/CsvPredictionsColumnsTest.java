package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.helpers.BatchPredictRuns.Run;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV predictions keep every column of the instance, so that they can be joined back: a JSON Lines
 * instance's other keys (an {@code id}) as columns named by the first instance; and no column is
 * named twice: an instance column named like one the predictions add is refused up front.
 */
class CsvPredictionsColumnsTest {
    private static final Path SAMPLE = TrainRuns.SAMPLE;
    private static final Path TESTING =
            Path.of("..", "data", "covertype", "covertype_validation.csv");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CSVFormat HEADER =
            CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
    private static final int ROWS = 300;

    @TempDir static Path shared;
    private static Path jobDir;
    private static Predictor predictor;

    /** The first {@value #ROWS} testing rows, as CSV records. */
    private static List<CSVRecord> rows;

    private static TablePredictions expected;

    @TempDir Path dir;

    @BeforeAll
    static void train() throws IOException {
        jobDir = shared.resolve("job");
        TrainRuns.train(jobDir, 20);
        predictor = Predictor.of(ModelBundle.load(Location.parse(jobDir.toString())));
        List<String> lines = Files.readAllLines(TESTING).subList(0, ROWS + 1);
        Path head = Files.write(shared.resolve("head.csv"), lines);
        try (CSVParser parser = CSVParser.parse(head, StandardCharsets.UTF_8, HEADER)) {
            rows = parser.getRecords();
        }
        expected =
                TablePredictions.of(
                        predictor,
                        new CsvTableReader(predictor.inputSchema(true))
                                .read(InputFiles.expand(head.toString())),
                        true);
    }

    private static Run run(String... args) {
        return BatchPredictRuns.batchPredict(args);
    }

    private static List<String> names(Path dir) throws IOException {
        return BatchPredictRuns.names(dir);
    }

    /**
     * Row {@code row} of the testing rows as a JSON object: an id first, then the model's columns.
     */
    private static ObjectNode instance(int row) {
        ObjectNode object = JSON.createObjectNode().put("id", "row-" + row);
        for (String column : predictor.inputColumns()) {
            String cell = rows.get(row).get(column);
            if (predictor.numericColumns().contains(column)) {
                object.put(column, Long.parseLong(cell));
            } else {
                object.put(column, cell);
            }
        }
        return object;
    }

    @Test
    void jsonLinesInstancesKeepTheirOtherKeysAsCsvColumns() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < ROWS; row++) {
            ObjectNode object = instance(row);
            if (row == 0) {
                object.putArray("tags").add("a").add("b"); // a value that is not a scalar: its JSON
            }
            if (row == 3) {
                // The keys in another order: still by name.
                ObjectNode reordered = JSON.createObjectNode();
                List<String> keys = new ArrayList<>();
                object.fieldNames().forEachRemaining(keys::add);
                for (int k = keys.size() - 1; k >= 0; k--) {
                    reordered.set(keys.get(k), object.get(keys.get(k)));
                }
                object = reordered;
            }
            if (row == 4) {
                object.remove("id"); // a key the first instance has, missing: an empty cell
            }
            if (row == 7) {
                object.put(
                        "note",
                        "not in the first instance"); // a key the first instance lacks: a bad row
            }
            lines.add(object.toString());
        }
        Path input = Files.write(dir.resolve("instances.jsonl"), lines);
        Path out = dir.resolve("predictions");
        Run run =
                run(
                        "--dataset-path",
                        input.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--predictions-format",
                        "csv",
                        "--max-bad-rows",
                        "1");
        assertEquals(0, run.code, run.err);

        assertEquals(
                List.of(
                        "prediction.errors_stats-00000-of-00001",
                        "prediction.results-00000-of-00001.csv"),
                names(out));
        JsonNode error =
                JSON.readTree(
                        Files.readString(out.resolve("prediction.errors_stats-00000-of-00001")));
        assertEquals(8, error.get("line").asLong());
        assertEquals(
                "key note is not a column of the CSV predictions, whose columns are the keys of the first instance ("
                        + input
                        + ": line 1)",
                error.at("/error/message").asText());
        assertEquals(
                "not in the first instance",
                error.at("/instance/note").asText(),
                "the instance as it was sent");

        try (CSVParser parser =
                CSVParser.parse(
                        out.resolve("prediction.results-00000-of-00001.csv"),
                        StandardCharsets.UTF_8,
                        HEADER)) {
            List<String> header = new ArrayList<>(List.of("id"));
            header.addAll(predictor.inputColumns());
            header.add("tags");
            header.add("predicted_label");
            predictor.classes().forEach(c -> header.add("probability_" + c));
            assertEquals(
                    header, parser.getHeaderNames(), "the first instance's keys, in its order");
            int row = 0;
            for (CSVRecord record : parser) {
                row += row == 7 ? 1 : 0; // the bad row is in the errors file
                assertEquals(row == 4 ? "" : "row-" + row, record.get("id"), "row " + row);
                assertEquals(row == 0 ? "[\"a\",\"b\"]" : "", record.get("tags"));
                for (String column : predictor.inputColumns()) {
                    assertEquals(
                            rows.get(row).get(column),
                            record.get(column),
                            "row " + row + " " + column);
                }
                assertEquals(
                        predictor.classes().get(expected.predicted()[row]),
                        record.get("predicted_label"),
                        "row " + row);
                for (int k = 0; k < predictor.classes().size(); k++) {
                    assertEquals(
                            expected.scores()[row][k],
                            Double.parseDouble(
                                    record.get("probability_" + predictor.classes().get(k))),
                            0.0);
                }
                row++;
            }
            assertEquals(ROWS, row);
        }
    }

    @Test
    void csvInstancesWithAColumnNamedLikeAnAddedOneAreRefusedUpFront() throws IOException {
        for (String clash :
                List.of("predicted_label", "probability_" + predictor.classes().get(2))) {
            List<String> lines = new ArrayList<>(Files.readAllLines(TESTING).subList(0, ROWS + 1));
            lines.set(0, lines.get(0) + "," + clash);
            for (int i = 1; i < lines.size(); i++) {
                lines.set(i, lines.get(i) + ",x");
            }
            Path input = Files.write(dir.resolve("with-" + clash + ".csv"), lines);
            Path out = dir.resolve("out-" + clash);
            Run run =
                    run(
                            "--dataset-path",
                            input.toString(),
                            "--model-path",
                            jobDir.toString(),
                            "--predictions-dir",
                            out.toString(),
                            "--predictions-format",
                            "csv");
            assertEquals(1, run.code, run.out);
            assertEquals(1, run.err.strip().lines().count(), run.err);
            assertTrue(
                    run.err.contains(
                            input
                                    + ": column "
                                    + clash
                                    + ": CSV predictions add a column of that name"),
                    run.err);
            assertFalse(Files.exists(out));
            // In JSON Lines the instance is an object of its own: nothing clashes.
            Run jsonl =
                    run(
                            "--dataset-path",
                            input.toString(),
                            "--model-path",
                            jobDir.toString(),
                            "--predictions-dir",
                            out.toString());
            assertEquals(0, jsonl.code, jsonl.err);
        }
        assertEquals(4, names(dir).size(), "no staging directory left: " + names(dir));
    }

    @Test
    void jsonLinesInstancesWithAKeyNamedLikeAnAddedColumnAreRefusedUpFront() throws IOException {
        List<String> lines =
                new ArrayList<>(List.of("")); // a blank line first: the first instance is line 2
        for (int row = 0; row < ROWS; row++) {
            lines.add(instance(row).put("predicted_label", "mine").toString());
        }
        Path input = Files.write(dir.resolve("instances.jsonl"), lines);
        Path out = dir.resolve("out");
        Run run =
                run(
                        "--dataset-path",
                        input.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        out.toString(),
                        "--predictions-format",
                        "csv");
        assertEquals(1, run.code, run.out);
        assertEquals(1, run.err.strip().lines().count(), run.err);
        assertTrue(
                run.err.contains(
                        input
                                + ": line 2: key predicted_label: CSV predictions add a column of that name"),
                run.err);
        assertFalse(Files.exists(out));
        assertEquals(List.of("instances.jsonl"), names(dir));
    }
}
