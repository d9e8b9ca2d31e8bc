package dev.kfptribuo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.Location;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over HTTP, in this JVM, with a model the trainer trained: every prediction is the
 * Predictor's for its row (hence evaluate-model's and batch-predict's), in every instance shape
 * Vertex AI sends; every bad request gets its status and a one-line JSON error, and the server goes
 * on answering; concurrent clients get their own answers; one log line per request.
 */
class ServingTest {
    private static final long LIMIT = 64 * 1024;

    @TempDir static Path shared;
    private static String jobDir;
    private static Served.Rows rows;
    private static ByteArrayOutputStream log;
    private static PredictionServer server;
    private static Served.Client client;

    @BeforeAll
    static void serve() throws IOException {
        jobDir = shared.resolve("job").toString();
        Served.train(jobDir);
        rows = Served.rows(jobDir);
        log = new ByteArrayOutputStream();
        server = new PredictionServer(config(jobDir, LIMIT), new ServerLog(log));
        server.start();
        server.load();
        client = new Served.Client(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    static ServingConfig config(String model, long limit) {
        return new ServingConfig(
                "127.0.0.1",
                0,
                "/health",
                "/predict",
                Location.parse(model),
                limit,
                Duration.ofSeconds(5),
                ServingConfig.DEFAULT_IDLE_TIMEOUT,
                true,
                1); // one prediction at a time: the concurrent tests queue every request behind
        // another
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(null),
                response.body());
        return Served.JSON.readTree(response.body());
    }

    /** Posts the rows from..to as instances made by shape, and checks every prediction. */
    private static void predictsRows(int from, int to, IntFunction<JsonNode> shape)
            throws Exception {
        List<JsonNode> instances = new ArrayList<>();
        for (int row = from; row < to; row++) {
            instances.add(shape.apply(row));
        }
        HttpResponse<String> response = client.post("/predict", Served.body(instances));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode predictions = json(response).get("predictions");
        assertEquals(to - from, predictions.size());
        for (int row = from; row < to; row++) {
            rows.check(row, predictions.get(row - from));
        }
    }

    @Test
    void healthAnswers503UntilTheModelIsLoadedThen200() throws Exception {
        PredictionServer loading =
                new PredictionServer(
                        config(jobDir, LIMIT), new ServerLog(new ByteArrayOutputStream()));
        loading.start();
        try {
            Served.Client http = new Served.Client(loading.port());
            HttpResponse<String> before = http.get("/health");
            assertEquals(503, before.statusCode());
            assertEquals("{\"error\":\"the model is loading\"}", before.body());
            HttpResponse<String> early =
                    http.post("/predict", Served.body(List.of(rows.object(0))));
            assertEquals(503, early.statusCode());
            loading.load();
            HttpResponse<String> after = http.get("/health");
            assertEquals(200, after.statusCode());
            assertEquals("ready", json(after).get("status").textValue());
            assertEquals(
                    200,
                    http.send(
                                    HttpRequest.newBuilder(http.uri("/health"))
                                            .method("HEAD", HttpRequest.BodyPublishers.noBody()))
                            .statusCode());
        } finally {
            loading.stop();
        }
    }

    @Test
    void everyTestingRowGetsThePredictorsPredictionInBatchesOfObjectInstances() throws Exception {
        assertEquals(10_000, rows.size());
        for (int from = 0; from < rows.size(); from += 100) {
            predictsRows(from, Math.min(from + 100, rows.size()), rows::object);
        }
    }

    @Test
    void theServedPredictionsScoreAsEvaluateModelScoresTheSameRows() throws Exception {
        long correct = 0;
        double logLoss = 0;
        for (int from = 0;
                from < rows.size();
                from += 100) { // within this server's 64 KiB body limit
            List<JsonNode> instances = new ArrayList<>();
            for (int row = from; row < Math.min(from + 100, rows.size()); row++) {
                instances.add(rows.object(row));
            }
            JsonNode predictions =
                    json(client.post("/predict", Served.body(instances))).get("predictions");
            for (int i = 0; i < predictions.size(); i++) {
                String truth = rows.cell(from + i, "Cover_Type");
                JsonNode prediction = predictions.get(i);
                correct += truth.equals(prediction.get("label").textValue()) ? 1 : 0;
                List<String> classes = new ArrayList<>();
                prediction.get("classes").forEach(c -> classes.add(c.textValue()));
                double p = prediction.get("scores").get(classes.indexOf(truth)).doubleValue();
                double epsilon = Math.ulp(1.0); // scikit-learn's clip
                logLoss -= Math.log(Math.min(1 - epsilon, Math.max(epsilon, p)));
            }
        }
        // evaluate-model on the same file, through the base image's program.
        Path out = shared.resolve("evaluate-outputs");
        StringWriter err = new StringWriter();
        int code =
                dev.kfptribuo.helpers.HelperComponents.run(
                        new String[] {
                            "evaluate-model",
                            "--dataset-path",
                            Served.TESTING.toString(),
                            "--model-path",
                            jobDir,
                            "--metric-name",
                            "accuracy",
                            "--metric-value-output",
                            out.resolve("metric_value").toString(),
                            "--mlpipeline-metrics-output",
                            out.resolve("metrics.json").toString()
                        },
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err));
        assertEquals(0, code, err.toString());
        assertEquals(
                correct / (double) rows.size(),
                Double.parseDouble(Files.readString(out.resolve("metric_value"))));
        double evaluated = Double.NaN;
        for (JsonNode metric :
                Served.JSON.readTree(out.resolve("metrics.json").toFile()).get("metrics")) {
            if (metric.get("name").textValue().equals("log_loss")) {
                evaluated = metric.get("numberValue").doubleValue();
            }
        }
        assertEquals(evaluated, logLoss / rows.size(), 1e-12);
    }

    @Test
    void arrayInstancesInTheManifestsColumnOrderGetTheSamePredictions() throws Exception {
        predictsRows(0, 500, rows::array);
    }

    @Test
    void numbersMayArriveAsStrings() throws Exception {
        predictsRows(
                500,
                600,
                row -> {
                    ObjectNode instance = JsonNodeFactory.instance.objectNode();
                    rows.rows().get(row).forEach(instance::put); // every value a string
                    return instance;
                });
        predictsRows(
                600,
                700,
                row -> {
                    ArrayNode instance = JsonNodeFactory.instance.arrayNode();
                    for (String column : rows.predictor().inputColumns()) {
                        instance.add(rows.rows().get(row).get(column));
                    }
                    return instance;
                });
    }

    @Test
    void keysTheModelDoesNotUseAndParametersAreIgnored() throws Exception {
        predictsRows(
                800,
                900,
                row ->
                        rows.object(row)
                                .put("id", "row-" + row)
                                .put("note", "a, b")
                                .putNull("nothing")
                                .put("Cover_Type", "not a number"));
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("instances").add(rows.object(3)).add(rows.array(4));
        body.putObject("parameters").put("confidence_threshold", 0.5);
        body.put("extra", true);
        HttpResponse<String> response =
                client.post("/predict", Served.JSON.writeValueAsBytes(body));
        assertEquals(200, response.statusCode(), response.body());
        rows.check(3, json(response).get("predictions").get(0));
        rows.check(4, json(response).get("predictions").get(1));
    }

    @Test
    void anEmptyListOfInstancesGetsAnEmptyListOfPredictions() throws Exception {
        HttpResponse<String> response = client.post("/predict", "{\"instances\": []}");
        assertEquals(200, response.statusCode());
        assertEquals("{\"predictions\":[]}", response.body());
    }

    /** Posts a body, expects the status and error, then checks that the server still predicts. */
    private static void refused(String body, int status, String error) throws Exception {
        refused(client.post("/predict", body), status, error);
    }

    private static void refused(HttpResponse<String> response, int status, String error)
            throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode json = json(response);
        assertEquals(List.of("error"), fieldNames(json), response.body());
        assertEquals(error, json.get("error").textValue());
        stillServes();
    }

    private static void stillServes() throws Exception {
        HttpResponse<String> good = client.post("/predict", Served.body(List.of(rows.object(7))));
        assertEquals(200, good.statusCode(), good.body());
        rows.check(7, json(good).get("predictions").get(0));
    }

    private static List<String> fieldNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String instances(JsonNode... instances) throws IOException {
        return new String(Served.body(Arrays.asList(instances)), StandardCharsets.UTF_8);
    }

    @Test
    void aBodyThatIsNotARequestGets400() throws Exception {
        refused(
                "{\"instances\": [",
                400,
                "the body is not valid JSON: Unexpected end-of-input: expected close marker"
                        + " for Array (start marker at line 1, column 15) (line 1, column 16)");
        refused(
                "{\"instances\": [{\"Elevation\": 1,}]}",
                400,
                "the body is not valid JSON: Unexpected character"
                        + " ('}' (code 125)): was expecting double-quote to start field name (line 1, column 32)");
        refused(
                "{\"instances\": []} []",
                400,
                "the body is not valid JSON: Trailing token (of type START_ARRAY) found"
                        + " after value: not allowed (line 1, column 19)");
        refused(
                "",
                400,
                "the body is empty; expected a JSON object {\"instances\": [...], \"parameters\": {...}}");
        refused(
                "[1, 2]",
                400,
                "the body is an array; expected a JSON object {\"instances\": [...], \"parameters\": {...}}");
        refused(
                "\"instances\"",
                400,
                "the body is a string; expected a JSON object {\"instances\": [...],"
                        + " \"parameters\": {...}}");
        refused(
                "{\"parameters\": {}}",
                400,
                "the body has no \"instances\"; expected a JSON object {\"instances\":"
                        + " [...], \"parameters\": {...}}");
        refused(
                "{\"instances\": {\"Elevation\": 1}}",
                400,
                "\"instances\" is an object; expected an array of instances");
        refused(
                "{\"instances\": null}",
                400,
                "\"instances\" is null; expected an array of instances");
        // Bytes that are not UTF-8, and nesting deeper than Jackson's limit: refused, not a crash.
        HttpResponse<String> latin1 =
                client.post(
                        "/predict",
                        "{\"instances\": [\"Comanche\u00e9\"]}"
                                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(400, latin1.statusCode(), latin1.body());
        assertTrue(
                json(latin1)
                        .get("error")
                        .textValue()
                        .startsWith("the body is not valid JSON: Invalid UTF-8"),
                latin1.body());
        stillServes();
        // UTF-16 and UTF-32, which Jackson would read, with or without a byte-order mark.
        String good = instances(rows.object(7));
        for (java.nio.charset.Charset charset :
                List.of(
                        StandardCharsets.UTF_16BE,
                        StandardCharsets.UTF_16LE,
                        StandardCharsets.UTF_16,
                        java.nio.charset.Charset.forName("UTF-32BE"),
                        java.nio.charset.Charset.forName("UTF-32LE"))) {
            refused(
                    client.post("/predict", good.getBytes(charset)),
                    400,
                    "the body is not UTF-8: it starts like UTF-16 or UTF-32 (a byte-order mark or"
                            + " zero bytes); send UTF-8 JSON");
        }
        refused(
                client.post(
                        "/predict",
                        ("\uFEFF" + good).getBytes(java.nio.charset.Charset.forName("UTF-32LE"))),
                400,
                "the body is not UTF-8: it starts like UTF-16 or UTF-32 (a byte-order mark or"
                        + " zero bytes); send UTF-8 JSON");
        // parameters: absent, null or an object (this model has none); nothing else.
        refused(
                "{\"instances\": [], \"parameters\": 5}",
                400,
                "\"parameters\" is a number; expected an object");
        refused(
                "{\"instances\": [], \"parameters\": [\"confidence\"]}",
                400,
                "\"parameters\" is an array; expected an object");
        for (String parameters : List.of("null", "{}", "{\"confidenceThreshold\": 0.5}")) {
            HttpResponse<String> accepted =
                    client.post(
                            "/predict", "{\"instances\": [], \"parameters\": " + parameters + "}");
            assertEquals(200, accepted.statusCode(), accepted.body());
        }
        HttpResponse<String> deep =
                client.post(
                        "/predict", "{\"instances\": " + "[".repeat(5000) + "]".repeat(5000) + "}");
        assertEquals(400, deep.statusCode(), deep.body());
        assertTrue(
                json(deep)
                        .get("error")
                        .textValue()
                        .startsWith("the body is not valid JSON: Document nesting depth"),
                deep.body());
        stillServes();
    }

    @Test
    void aBadInstanceGets400NamingItsIndexAndColumn() throws Exception {
        String columns = String.join(", ", rows.predictor().inputColumns());
        refused(
                instances(rows.object(0), JsonNodeFactory.instance.textNode("2596,51,3")),
                400,
                "instance 1: an instance is an object of column values or an array of the 12 values of "
                        + columns
                        + "; got a string");
        refused(
                instances(rows.object(0), rows.object(1), JsonNodeFactory.instance.numberNode(7)),
                400,
                "instance 2: an instance is an object of column values or an array of the 12 values of "
                        + columns
                        + "; got a number");
        refused(
                instances(JsonNodeFactory.instance.nullNode()),
                400,
                "instance 0: an instance is an object of column values or an array of the 12 values of "
                        + columns
                        + "; got null");
        ArrayNode short11 = rows.array(0);
        short11.remove(11);
        refused(
                instances(rows.array(1), short11),
                400,
                "instance 1: an array instance has the 12 values of "
                        + columns
                        + ", in that order; got 11");
        ObjectNode missing = rows.object(2);
        missing.remove("Slope");
        refused(
                instances(rows.object(0), rows.object(1), missing),
                400,
                "instance 2: column Slope: missing");
        refused(
                instances(rows.object(0).putNull("Elevation")),
                400,
                "instance 0: column Elevation: null");
        refused(
                instances(rows.object(0), rows.object(0).put("Aspect", "north")),
                400,
                "instance 1: column Aspect: \"north\" is not a number");
        refused(
                instances(rows.object(0).put("Hillshade_9am", "")),
                400,
                "instance 0: column Hillshade_9am: blank value in a numeric column");
        refused(
                instances(rows.object(0).put("Hillshade_Noon", true)),
                400,
                "instance 0: column Hillshade_Noon: expected a number, got a boolean");
        refused(
                instances(
                        rows.object(0)
                                .set("Elevation", JsonNodeFactory.instance.arrayNode().add(1))),
                400,
                "instance 0: column Elevation: expected a number, got an array");
        refused(
                instances(
                        rows.object(0)
                                .put("Soil_Type", "C7745")
                                .set("Wilderness_Area", JsonNodeFactory.instance.objectNode())),
                400,
                "instance 0: column Wilderness_Area: expected a category (a string, or a number or boolean as its text), got an object");
        ArrayNode nullInArray = rows.array(5);
        nullInArray.set(
                rows.predictor().inputColumns().indexOf("Soil_Type"),
                JsonNodeFactory.instance.nullNode());
        refused(instances(nullInArray), 400, "instance 0: column Soil_Type: null");
        refused(
                "{\"instances\": ["
                        + rows.object(0)
                                .toString()
                                .replace("\"Elevation\":2634", "\"Elevation\":1e400")
                        + "]}",
                400,
                "instance 0: column Elevation: the number is beyond the range of a double (about 1.8e308)");
    }

    @Test
    void wrongMethodsGet405AndOtherPaths404() throws Exception {
        HttpResponse<String> get = client.get("/predict");
        assertEquals("POST", get.headers().firstValue("Allow").orElse(null));
        refused(get, 405, "GET is not allowed on /predict (allowed: POST)");
        HttpResponse<String> post = client.post("/health", "{}");
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(null));
        refused(post, 405, "POST is not allowed on /health (allowed: GET, HEAD)");
        refused(
                client.send(HttpRequest.newBuilder(client.uri("/predict")).DELETE()),
                405,
                "DELETE is not allowed on /predict (allowed: POST)");
        refused(
                client.send(
                        HttpRequest.newBuilder(client.uri("/predict"))
                                .PUT(
                                        HttpRequest.BodyPublishers.ofString(
                                                instances(rows.object(0))))),
                405,
                "PUT is not allowed on /predict (allowed: POST)");
        refused(client.get("/"), 404, "no route /: the routes are GET /health and POST /predict");
        refused(
                client.post("/v1/models/covertype:predict", instances(rows.object(0))),
                404,
                "no route /v1/models/covertype:predict: the routes are GET /health and POST /predict");
        refused(
                client.get("/predict/"),
                404,
                "no route /predict/: the routes are GET /health and POST /predict");
        // The query string is not part of the route.
        assertEquals(200, client.get("/health?probe=1").statusCode());
    }

    @Test
    void aBodyOverTheLimitGets413WhetherItsLengthIsDeclaredOrNot() throws Exception {
        List<JsonNode> many = new ArrayList<>();
        for (int row = 0; row < 1000; row++) {
            many.add(rows.object(row));
        }
        byte[] big = Served.body(many);
        assertTrue(big.length > LIMIT);
        // Again and again: the client is still sending when the 413 is ready, and answering then
        // closing lost the answer to a reset connection now and then (it failed a CI run).
        for (int attempt = 0; attempt < 200; attempt++) {
            refused(
                    client.post("/predict", big),
                    413,
                    "the request body is "
                            + big.length
                            + " bytes; the limit is "
                            + LIMIT
                            + " bytes (serve --max-request-bytes)");
        }
        // Chunked: no Content-Length, so the limit is found while reading.
        HttpResponse<String> chunked =
                client.send(
                        HttpRequest.newBuilder(client.uri("/predict"))
                                .POST(
                                        HttpRequest.BodyPublishers.ofInputStream(
                                                () -> new ByteArrayInputStream(big))));
        refused(
                chunked,
                413,
                "the request body is more than "
                        + LIMIT
                        + " bytes; the limit is "
                        + LIMIT
                        + " bytes (serve --max-request-bytes)");
        // Just under the limit is served.
        int fits = 0;
        while (Served.body(many.subList(0, fits + 1)).length <= LIMIT) {
            fits++;
        }
        predictsRows(0, fits, rows::object);
    }

    @Test
    void aLargeBodySentToAWrongRouteOrMethodStillGetsItsAnswer() throws Exception {
        // As for the 413: answering while the client still sends, then closing, would lose the
        // answer to a reset connection now and then. Up to as much as a 413 reads is read first.
        byte[] big = new byte[2 << 20];
        byte[] justUnderWhatA413Reads = new byte[(int) (RequestBody.DRAINED + LIMIT / 2)];
        Arrays.fill(big, (byte) ' ');
        Arrays.fill(justUnderWhatA413Reads, (byte) ' ');
        for (int attempt = 0; attempt < 220; attempt++) {
            byte[] body = attempt < 200 ? big : justUnderWhatA413Reads;
            refused(
                    client.post("/v1/models/covertype:predict", body),
                    404,
                    "no route /v1/models/covertype:predict: the routes are GET /health and POST /predict");
            refused(
                    client.post("/health", body),
                    405,
                    "POST is not allowed on /health (allowed: GET, HEAD)");
        }
        // Chunked: no Content-Length, so the end is found while reading.
        refused(
                client.send(
                        HttpRequest.newBuilder(client.uri("/nope"))
                                .POST(
                                        HttpRequest.BodyPublishers.ofInputStream(
                                                () ->
                                                        new ByteArrayInputStream(
                                                                justUnderWhatA413Reads)))),
                404,
                "no route /nope: the routes are GET /health and POST /predict");
    }

    @Test
    @Timeout(120) // a turn not given back (after a 400, say) would hang the requests behind it
    void concurrentClientsEachGetTheirOwnPredictions() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(
                        threads.submit(
                                () -> {
                                    int checked = 0;
                                    for (int i = 0; i < 40; i++) {
                                        int from = (thread * 1237 + i * 97) % (rows.size() - 50);
                                        int size = 1 + (thread + i) % 50;
                                        boolean asArrays = (thread + i) % 3 == 0;
                                        predictsRows(
                                                from,
                                                from + size,
                                                asArrays ? rows::array : rows::object);
                                        if (i % 10 == 0) {
                                            HttpResponse<String> bad =
                                                    client.post(
                                                            "/predict", "{\"instances\": [{}]}");
                                            assertEquals(400, bad.statusCode());
                                        }
                                        checked += size;
                                    }
                                    return checked;
                                }));
            }
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get();
            }
            assertTrue(total > 8 * 40);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void eachRequestGetsOneLogLineOfCloudLoggingJsonAndNoStackTrace() throws Exception {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        PredictionServer logged = new PredictionServer(config(jobDir, LIMIT), new ServerLog(lines));
        logged.start();
        int port = logged.port();
        try {
            logged.load();
            Served.Client http = new Served.Client(logged.port());
            assertEquals(200, http.get("/health").statusCode());
            assertEquals(
                    200,
                    http.post("/predict", instances(rows.object(0), rows.object(1))).statusCode());
            assertEquals(400, http.post("/predict", "{\"instances\": [{}]}").statusCode());
            assertEquals(400, http.post("/predict", "not json").statusCode());
            assertEquals(404, http.get("/nowhere").statusCode());
        } finally {
            logged.stop();
        }
        String text = lines.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("Exception") || text.contains("\tat "), text);
        List<JsonNode> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            entries.add(Served.JSON.readTree(line));
        }
        List<JsonNode> requests = entries.stream().filter(e -> e.has("httpRequest")).toList();
        assertEquals(5, requests.size(), text);
        assertEquals(
                List.of(200, 200, 400, 400, 404),
                requests.stream().map(e -> e.get("httpRequest").get("status").intValue()).toList());
        assertEquals(
                List.of("INFO", "INFO", "WARNING", "WARNING", "WARNING"),
                requests.stream().map(e -> e.get("severity").textValue()).toList());
        JsonNode predict = requests.get(1);
        assertEquals("POST /predict 200 (2 instances)", predict.get("message").textValue());
        assertEquals(2, predict.get("instances").intValue());
        assertEquals("POST", predict.get("httpRequest").get("requestMethod").textValue());
        assertEquals("/predict", predict.get("httpRequest").get("requestUrl").textValue());
        assertEquals("127.0.0.1", predict.get("httpRequest").get("remoteIp").textValue());
        assertTrue(predict.get("httpRequest").get("latency").textValue().matches("\\d+\\.\\d{6}s"));
        assertTrue(
                Long.parseLong(predict.get("httpRequest").get("responseSize").textValue()) > 100);
        assertEquals(
                "POST /predict 400: instance 0: column "
                        + rows.predictor().numericColumns().get(0)
                        + ": missing",
                requests.get(2).get("message").textValue());
        List<String> lifecycle =
                entries.stream()
                        .filter(e -> !e.has("httpRequest"))
                        .map(e -> e.get("message").textValue())
                        .toList();
        assertEquals(5, lifecycle.size(), text);
        assertTrue(lifecycle.get(0).startsWith("listening on 127.0.0.1:"), text);
        assertTrue(lifecycle.get(1).startsWith("model loaded from " + jobDir + " in "), text);
        assertEquals(
                "ready: 127.0.0.1:" + port + " answers with the model", lifecycle.get(2), text);
        assertEquals("stopped", lifecycle.get(4), text);
    }

    /**
     * Requests Jetty refuses before the routes (no Host, a request line it cannot read, headers or
     * URI too long, a bad Content-Length) get the JSON error too, and their log line gives the size
     * of that answer; one whose request line could not be read names no method or URL.
     */
    @Test
    void aRequestRefusedBeforeTheRoutesIsLoggedWithItsAnswer() throws Exception {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        PredictionServer logged = new PredictionServer(config(jobDir, LIMIT), new ServerLog(lines));
        Map<String, String> requests =
                Map.of(
                        "GET /health HTTP/1.1\r\n\r\n",
                        "GET /health 400: No Host",
                        "HELLO\r\n\r\n",
                        "400 (no request line could be read): No URI",
                        "GET /health HTTP/1.1\r\nHost: x\r\nX: " + "a".repeat(20_000) + "\r\n\r\n",
                        "GET /health 431: Request Header Fields Too Large",
                        "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                        "414 (no request line could be read): URI Too Long",
                        "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                        "POST /predict 400: Invalid Content-Length Value");
        List<String> messages = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        logged.start();
        try {
            logged.load();
            for (String request : requests.keySet()) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), logged.port())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                    String answer =
                            new String(
                                    socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                    assertTrue(answer.contains("Content-Type: application/json"), answer);
                    assertTrue(Served.JSON.readTree(body).get("error").isTextual(), answer);
                    messages.add(requests.get(request));
                    sizes.add(body.getBytes(StandardCharsets.UTF_8).length);
                }
            }
            assertEquals(200, new Served.Client(logged.port()).get("/health").statusCode());
        } finally {
            logged.stop();
        }
        String text = lines.toString(StandardCharsets.UTF_8);
        List<JsonNode> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            JsonNode entry = Served.JSON.readTree(line);
            if (entry.has("httpRequest")
                    && !entry.get("httpRequest")
                            .path("status")
                            .equals(JsonNodeFactory.instance.numberNode(200))) {
                entries.add(entry);
            }
        }
        assertEquals(messages, entries.stream().map(e -> e.get("message").textValue()).toList());
        for (int i = 0; i < entries.size(); i++) {
            JsonNode http = entries.get(i).get("httpRequest");
            assertEquals("WARNING", entries.get(i).get("severity").textValue(), text);
            assertEquals(sizes.get(i).toString(), http.get("responseSize").textValue(), text);
            assertEquals(!messages.get(i).contains("no request line"), http.has("requestMethod"));
            assertEquals(http.has("requestMethod"), http.has("requestUrl"));
        }
    }
}
