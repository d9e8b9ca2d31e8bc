package dev.kfptribuo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The files a final training writes work in the upstream tools alone: {@code model.tribuo} in a JVM
 * with stock Tribuo 4.3.2 and nothing of this project ({@code stock-tribuo}), {@code model.onnx} in
 * ONNX Runtime. Both give our prediction path's labels, and its scores, on every row of a testing
 * split the model never saw; for a log-loss model (the lab's) and a hinge-loss one, whose scores
 * are decision values.
 */
class ModelInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TRAINING = Path.of("..", "data", "covertype", "covertype_small.csv");

    /** 10,000 rows disjoint from the training rows. */
    private static final Path TESTING =
            Path.of("..", "data", "covertype", "covertype_validation.csv");

    private static final Path STOCK = Path.of("..", "stock-tribuo", "target");

    @TempDir static Path dir;

    /** A final training's files and our predictions with them on the testing split. */
    private record Trained(
            String loss, Path jobDir, Path modelFile, Predictor predictor, TablePredictions ours) {
        boolean hinge() {
            return loss.equals("hinge");
        }
    }

    private static final Map<String, Trained> TRAINED = new HashMap<>();
    private static Table testing;

    @BeforeAll
    static void train() throws IOException {
        for (String loss : List.of("log", "hinge")) {
            Path jobDir = dir.resolve(loss);
            StringWriter err = new StringWriter();
            int code =
                    Train.run(
                            new String[] {
                                "--training_dataset_path",
                                TRAINING.toString(),
                                "--job-dir",
                                jobDir.toString(),
                                "--loss",
                                loss,
                                "--alpha",
                                "0.0001",
                                "--max_iter",
                                "200"
                            },
                            new PrintWriter(new StringWriter()),
                            new PrintWriter(err),
                            Map.of());
            assertEquals(0, code, err.toString());
            ModelBundle bundle = ModelBundle.load(Location.parse(jobDir.toString()));
            Predictor predictor = Predictor.of(bundle);
            if (testing == null) {
                testing =
                        new CsvTableReader(predictor.inputSchema(true))
                                .read(InputFiles.expand(TESTING.toString()));
            }
            TRAINED.put(
                    loss,
                    new Trained(
                            loss,
                            jobDir,
                            jobDir.resolve(bundle.manifest().model().file()),
                            predictor,
                            TablePredictions.of(predictor, testing, true)));
        }
        assertEquals(10_000, testing.rowCount());
    }

    @ParameterizedTest(name = "{0} loss")
    @ValueSource(strings = {"log", "hinge"})
    void stockTribuoAloneLoadsTheModelAndPredictsEveryTestingRowAsWeDo(String loss)
            throws IOException, InterruptedException {
        Trained trained = TRAINED.get(loss);
        Path modelFile = trained.modelFile();
        TablePredictions ours = trained.ours();
        assertTrue(
                Files.isDirectory(STOCK.resolve("lib")),
                "build stock-tribuo first (./mvnw package)");
        Path predictions = dir.resolve(loss + "-stock-predictions.csv");
        Path provenance = dir.resolve(loss + "-stock-provenance.txt");
        String classpath =
                STOCK.resolve("classes") + java.io.File.pathSeparator + STOCK.resolve("lib") + "/*";
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                classpath,
                                "stocktribuo.StockTribuoPredict",
                                modelFile.toString(),
                                TESTING.toString(),
                                "Cover_Type",
                                predictions.toString(),
                                provenance.toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(
                output.contains(
                        "10000 rows predicted with org.tribuo.classification.sgd.linear.LinearSGDModel"),
                output);

        // The separate JVM's classpath: Tribuo, its own dependencies (protobuf 3, OLCUT) and
        // commons-csv.
        try (var jars = Files.list(STOCK.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                assertFalse(jar.getFileName().toString().startsWith("components"), jar.toString());
            }
        }
        String text = Files.readString(provenance);
        assertFalse(
                text.contains("dev.kfptribuo"), "the provenance names no class of ours:\n" + text);
        assertTrue(
                text.contains("trained-by")
                        && text.contains("alpha")
                        && text.contains("epochs_run"),
                text);
        assertFalse(
                new String(Files.readAllBytes(modelFile), StandardCharsets.ISO_8859_1)
                        .contains("dev.kfptribuo"),
                "no class of ours anywhere in model.tribuo");

        List<String> classes = trained.predictor().classes();
        try (CSVParser parser =
                CSVParser.parse(
                        predictions,
                        StandardCharsets.UTF_8,
                        CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertEquals(
                    concat("label", classes),
                    parser.getHeaderNames(),
                    "labels in the manifest's order");
            int row = 0;
            for (CSVRecord record : parser) {
                assertEquals(classes.get(ours.predicted()[row]), record.get("label"), "row " + row);
                if (trained.hinge()) {
                    // A hinge model's scores are its decision values, Tribuo's own.
                    for (int k = 0; k < classes.size(); k++) {
                        assertEquals(
                                Double.parseDouble(record.get(classes.get(k))),
                                ours.scores()[row][k],
                                0.0,
                                "row " + row + " class " + classes.get(k));
                    }
                    row++;
                    continue;
                }
                // The manifest's 'probabilities': p_k = sigmoid(s_k) / sum_j sigmoid(s_j).
                double[] p = new double[classes.size()];
                double sum = 0;
                for (int k = 0; k < p.length; k++) {
                    p[k] = 1 / (1 + Math.exp(-Double.parseDouble(record.get(classes.get(k)))));
                    sum += p[k];
                }
                for (int k = 0; k < p.length; k++) {
                    assertEquals(
                            p[k] / sum,
                            ours.scores()[row][k],
                            0.0,
                            "row " + row + " class " + classes.get(k));
                }
                row++;
            }
            assertEquals(testing.rowCount(), row);
        }
    }

    @ParameterizedTest(name = "{0} loss")
    @ValueSource(strings = {"log", "hinge"})
    void onnxRuntimeRunsTheOnnxModelOnEveryTestingRowAsWeDo(String loss)
            throws IOException, OrtException {
        Trained trained = TRAINED.get(loss);
        Path jobDir = trained.jobDir();
        TablePredictions ours = trained.ours();
        // The input tensor as the manifest describes it, read from its JSON text.
        JsonNode manifest = JSON.readTree(jobDir.resolve(ModelBundle.MANIFEST_FILE).toFile());
        List<String> features = new ArrayList<>();
        manifest.get("features").forEach(f -> features.add(f.asText()));
        assertEquals(
                List.of(-1, features.size()),
                JSON.convertValue(manifest.at("/onnx/input_shape"), List.class));
        float[][] input = new float[testing.rowCount()][features.size()];
        for (int c = 0; c < testing.numericColumns().size(); c++) {
            int index = features.indexOf(testing.numericColumns().get(c));
            for (int row = 0; row < input.length; row++) {
                input[row][index] = (float) testing.numeric(c)[row];
            }
        }
        for (int c = 0; c < testing.categoricalColumns().size(); c++) {
            for (int row = 0; row < input.length; row++) {
                int index =
                        features.indexOf(
                                testing.categoricalColumns().get(c)
                                        + "@"
                                        + testing.categorical(c)[row]);
                if (index >= 0) {
                    input[row][index] = 1f;
                }
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] model = Files.readAllBytes(jobDir.resolve(manifest.at("/onnx/file").asText()));
        assertEquals(manifest.at("/onnx/sha256").asText(), ModelBundle.sha256(model));
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor tensor = OnnxTensor.createTensor(env, input);
                OrtSession.Result result =
                        session.run(Map.of(manifest.at("/onnx/input").asText(), tensor))) {
            assertTrue(session.getMetadata().getCustomMetadata().containsKey("TRIBUO_PROVENANCE"));
            float[][] scores = (float[][]) result.get("output").orElseThrow().getValue();
            // A hinge model has no probabilities: its decision values are compared, within 1e-4
            // (float32 sums of raw feature values times weights, some terms in the thousands).
            assertEquals(!trained.hinge(), result.get("probabilities").isPresent());
            float[][] probabilities =
                    trained.hinge()
                            ? scores
                            : (float[][]) result.get("probabilities").orElseThrow().getValue();
            double worst = 0;
            for (int row = 0; row < input.length; row++) {
                int best = 0;
                for (int k = 1; k < scores[row].length; k++) {
                    best = scores[row][k] > scores[row][best] ? k : best;
                }
                assertEquals(ours.predicted()[row], best, "row " + row);
                for (int k = 0; k < probabilities[row].length; k++) {
                    worst =
                            Math.max(
                                    worst, Math.abs(probabilities[row][k] - ours.scores()[row][k]));
                }
            }
            assertTrue(
                    worst < (trained.hinge() ? 1e-4 : 1e-5), "largest score difference " + worst);
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
