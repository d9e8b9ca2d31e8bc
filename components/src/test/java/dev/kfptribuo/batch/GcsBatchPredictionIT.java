package dev.kfptribuo.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import dev.kfptribuo.TestData;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.GcsClient;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import dev.kfptribuo.model.BinaryLoss;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.model.ModelTraining;
import dev.kfptribuo.model.TrainingResult;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch prediction from and to gs://, through the real Cloud Storage client against
 * fake-gcs-server.
 */
@ExtendWith(FakeGcsServer.class)
class GcsBatchPredictionIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> objects(String prefix) {
        List<String> names = new ArrayList<>();
        for (Blob blob :
                GcsClient.get()
                        .list(FakeGcsServer.BUCKET, Storage.BlobListOption.prefix(prefix))
                        .iterateAll()) {
            names.add(blob.getName().substring(prefix.length()));
        }
        return names.stream().sorted().toList();
    }

    @Test
    void predictsGcsInstancesIntoAGcsDirectoryWholeOrNotAtAll(@TempDir Path dir)
            throws IOException {
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 4000));
        Hyperparameters hyperparameters = new Hyperparameters(BinaryLoss.LOG, 1e-4, 10, 1e-3, 5, 3);
        TrainingResult result = ModelTraining.train(train, hyperparameters, (e, l, a, t) -> {});
        Location jobDir = Location.parse(FakeGcsServer.uri("batch/job-dir"));
        JobDirWriter.save(
                new ModelBundle(
                        result.model(),
                        ModelTraining.manifest(result, hyperparameters, train, 1, Instant.EPOCH)),
                List.of(jobDir));
        Path rows = TestData.slice(dir, "rows.csv", 4000, 6500);
        OutputFiles.write(
                Location.parse(FakeGcsServer.uri("batch/in/rows-000.csv")),
                Files.readAllBytes(rows));

        Location out = Location.parse(FakeGcsServer.uri("batch/predictions"));
        BatchPrediction.Result run =
                BatchPrediction.run(
                        new BatchPrediction.Config(
                                FakeGcsServer.uri("batch/in/rows-*.csv"),
                                InstancesFormat.CSV,
                                jobDir,
                                out,
                                PredictionsFormat.JSONL,
                                0,
                                1000,
                                2),
                        line -> {});

        assertEquals(2500, run.predictedRows());
        assertEquals(
                List.of(
                        "prediction.results-00000-of-00003",
                        "prediction.results-00001-of-00003",
                        "prediction.results-00002-of-00003"),
                objects("batch/predictions/"));
        Predictor predictor = Predictor.of(ModelBundle.load(jobDir));
        TablePredictions expected = TablePredictions.of(predictor, TestData.read(rows), true);
        List<JsonNode> lines = new ArrayList<>();
        for (Location file : run.files()) {
            try (InputStream in = new InputFile(file).open()) {
                for (String line :
                        new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        assertEquals(2500, lines.size());
        for (int row = 0; row < lines.size(); row++) {
            assertEquals(
                    predictor.classes().get(expected.predicted()[row]),
                    lines.get(row).at("/prediction/label").asText());
        }

        // Too many bad rows: no object at all under the predictions prefix.
        List<String> bad = new ArrayList<>(Files.readAllLines(rows));
        bad.set(3, bad.get(3).replaceFirst("^\\d+,", "x,"));
        OutputFiles.write(
                Location.parse(FakeGcsServer.uri("batch/bad/rows.csv")),
                String.join("\n", bad).getBytes(StandardCharsets.UTF_8));
        Location none = Location.parse(FakeGcsServer.uri("batch/none"));
        BatchPrediction.TooManyBadRowsException e =
                assertThrows(
                        BatchPrediction.TooManyBadRowsException.class,
                        () ->
                                BatchPrediction.run(
                                        new BatchPrediction.Config(
                                                FakeGcsServer.uri("batch/bad/rows.csv"),
                                                InstancesFormat.CSV,
                                                jobDir,
                                                none,
                                                PredictionsFormat.JSONL,
                                                0,
                                                1000,
                                                2),
                                        line -> {}));
        assertTrue(
                e.getMessage()
                        .contains("rows.csv: line 4: column Elevation: \"x\" is not a number"),
                e.getMessage());
        assertEquals(List.of(), objects("batch/none"));
    }

    @Test
    void aBucketsRootThatHoldsObjectsIsRefusedAsAPrefixIs(@TempDir Path dir) throws IOException {
        // A local model and local instances: only the bucket's objects are in the way.
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 2000));
        Hyperparameters hyperparameters = new Hyperparameters(BinaryLoss.LOG, 1e-4, 5, 1e-3, 5, 3);
        TrainingResult result = ModelTraining.train(train, hyperparameters, (e, l, a, t) -> {});
        Location jobDir = Location.parse(dir.resolve("job").toString());
        JobDirWriter.save(
                new ModelBundle(
                        result.model(),
                        ModelTraining.manifest(result, hyperparameters, train, 1, Instant.EPOCH)),
                List.of(jobDir));
        Path rows = TestData.slice(dir, "rows.csv", 2000, 2100);
        OutputFiles.write(
                Location.parse(FakeGcsServer.uri("root/kept.txt")),
                "a user's object".getBytes(StandardCharsets.UTF_8));
        List<String> before = objects("");

        for (String root :
                List.of("gs://" + FakeGcsServer.BUCKET + "/", "gs://" + FakeGcsServer.BUCKET)) {
            BatchPrediction.PredictionsDirException e =
                    assertThrows(
                            BatchPrediction.PredictionsDirException.class,
                            () ->
                                    BatchPrediction.run(
                                            new BatchPrediction.Config(
                                                    rows.toString(),
                                                    InstancesFormat.CSV,
                                                    jobDir,
                                                    Location.parse(root),
                                                    PredictionsFormat.JSONL,
                                                    0,
                                                    1000,
                                                    1),
                                            line -> {}));
            assertEquals(
                    "gs://"
                            + FakeGcsServer.BUCKET
                            + "/: holds files already; write the predictions to a new prefix",
                    e.getMessage());
        }
        assertEquals(before, objects(""), "nothing written into the bucket");
    }
}
