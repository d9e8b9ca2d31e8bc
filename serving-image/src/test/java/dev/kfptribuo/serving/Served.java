package dev.kfptribuo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import dev.kfptribuo.trainer.Train;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Test fixtures of the serving tests: a model the trainer trains, the rows of the testing file as
 * Vertex AI instances with the predictions the {@link Predictor} gives them (the predictions {@code
 * evaluate-model} and {@code batch-predict} make), and an HTTP client.
 */
final class Served {
    static final Path SAMPLE = Path.of("..", "data", "covertype", "covertype_small.csv");
    static final Path TESTING = Path.of("..", "data", "covertype", "covertype_validation.csv");
    static final ObjectMapper JSON = new ObjectMapper();

    private Served() {}

    /**
     * Trains the lab's model on the 10,000-row sample into a job dir.
     *
     * @param jobDir a local path or gs:// URI
     */
    static void train(String jobDir) {
        train(jobDir, "--max_iter", "50");
    }

    /**
     * Trains a model on the 10,000-row sample into a job dir.
     *
     * @param jobDir a local path or gs:// URI
     * @param flags more flags of train (--max_iter at least)
     */
    static void train(String jobDir, String... flags) {
        StringWriter err = new StringWriter();
        List<String> args =
                new ArrayList<>(
                        List.of("--training_dataset_path", SAMPLE.toString(), "--job-dir", jobDir));
        args.addAll(List.of(flags));
        int code =
                Train.run(
                        args.toArray(String[]::new),
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        Map.of());
        assertEquals(0, code, err.toString());
    }

    /** The testing file's rows and what the model predicts for each. */
    record Rows(
            List<Map<String, String>> rows,
            List<String> header,
            Predictor predictor,
            TablePredictions expected) {
        /**
         * @return the rows' count
         */
        int size() {
            return rows.size();
        }

        /**
         * @param row a row index
         * @param column a column of the file
         * @return the row's cell in that column, as written
         */
        String cell(int row, String column) {
            return rows.get(row).get(column);
        }

        /**
         * @param row a row index
         * @return the row as an object instance: numbers as JSON numbers, categories as strings,
         *     every column of the file (the label too, which the server ignores)
         */
        ObjectNode object(int row) {
            ObjectNode instance = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, String> cell : rows.get(row).entrySet()) {
                if (predictor.categoricalColumns().contains(cell.getKey())) {
                    instance.put(cell.getKey(), cell.getValue());
                } else {
                    instance.put(cell.getKey(), Long.parseLong(cell.getValue()));
                }
            }
            return instance;
        }

        /**
         * @return the row as an array instance, in the manifest's input_columns order
         */
        ArrayNode array(int row) {
            ArrayNode instance = JsonNodeFactory.instance.arrayNode();
            for (String column : predictor.inputColumns()) {
                String value = rows.get(row).get(column);
                if (predictor.categoricalColumns().contains(column)) {
                    instance.add(value);
                } else {
                    instance.add(Long.parseLong(value));
                }
            }
            return instance;
        }

        /** Checks a prediction: the row's label, the classes in order, the scores exactly. */
        void check(int row, JsonNode prediction) {
            List<String> keys = new ArrayList<>();
            prediction.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("label", "classes", "scores"), keys, "row " + row);
            assertEquals(
                    predictor.classes().get(expected.predicted()[row]),
                    prediction.get("label").textValue(),
                    "row " + row);
            List<String> classes = new ArrayList<>();
            prediction.get("classes").forEach(c -> classes.add(c.textValue()));
            assertEquals(predictor.classes(), classes, "row " + row);
            assertEquals(classes.size(), prediction.get("scores").size(), "row " + row);
            for (int k = 0; k < classes.size(); k++) {
                assertEquals(
                        expected.scores()[row][k],
                        prediction.get("scores").get(k).doubleValue(),
                        0.0,
                        "row " + row + ", class " + classes.get(k));
            }
        }
    }

    /**
     * @param jobDir the model's job dir
     * @return the testing file's rows with the model's predictions
     */
    static Rows rows(String jobDir) throws IOException {
        Predictor predictor = Predictor.of(ModelBundle.load(Location.parse(jobDir)));
        Table table =
                new CsvTableReader(predictor.inputSchema(true))
                        .read(InputFiles.expand(TESTING.toString()));
        TablePredictions expected = TablePredictions.of(predictor, table, true);
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> header;
        try (Reader in = Files.newBufferedReader(TESTING, StandardCharsets.UTF_8);
                CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().get().parse(in)) {
            header = List.copyOf(csv.getHeaderNames());
            for (CSVRecord record : csv) {
                Map<String, String> row = new LinkedHashMap<>();
                for (String column : header) {
                    row.put(column, record.get(column));
                }
                rows.add(row);
            }
        }
        assertEquals(table.rowCount(), rows.size());
        return new Rows(rows, header, predictor, expected);
    }

    /**
     * @return {@code {"instances": [...]}} with the given instances
     */
    static byte[] body(List<? extends JsonNode> instances) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("instances").addAll(instances);
        return JSON.writeValueAsBytes(body);
    }

    /** A client of one server. */
    static final class Client {
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        /**
         * @param port the server's port on 127.0.0.1
         */
        Client(int port) {
            this.base = "http://127.0.0.1:" + port;
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(uri(path)).GET());
        }

        HttpResponse<String> post(String path, byte[] body)
                throws IOException, InterruptedException {
            return send(
                    HttpRequest.newBuilder(uri(path))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        }

        HttpResponse<String> post(String path, String body)
                throws IOException, InterruptedException {
            return post(path, body.getBytes(StandardCharsets.UTF_8));
        }

        HttpResponse<String> send(HttpRequest.Builder request)
                throws IOException, InterruptedException {
            return http.send(
                    request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        URI uri(String path) {
            return URI.create(base + path);
        }
    }
}
