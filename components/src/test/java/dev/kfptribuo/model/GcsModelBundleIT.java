package dev.kfptribuo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A job dir on gs://: saved through the real Cloud Storage client, loaded back, checked. */
@ExtendWith(FakeGcsServer.class)
class GcsModelBundleIT {
    @Test
    void savesToAGcsJobDirAndLoadsTheSameModel(@TempDir Path dir) throws IOException {
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 3000));
        Hyperparameters hyperparameters = new Hyperparameters(BinaryLoss.LOG, 1e-4, 5, 1e-3, 5, 3);
        TrainingResult result = ModelTraining.train(train, hyperparameters, (e, l, a, t) -> {});
        Manifest manifest =
                ModelTraining.manifest(result, hyperparameters, train, 0.5, Instant.EPOCH);
        Location jobDir = Location.parse(FakeGcsServer.uri("jobs/final"));

        Manifest saved =
                JobDirWriter.save(new ModelBundle(result.model(), manifest), List.of(jobDir));
        ModelBundle loaded = ModelBundle.load(jobDir);

        assertEquals(saved, loaded.manifest());
        for (int row = 0; row < 100; row++) {
            var example = TribuoDatasets.example(train, row);
            assertEquals(
                    result.model().predict(example).getOutput(),
                    loaded.model().predict(example).getOutput());
        }
    }

    @Test
    void aModelThatDoesNotMatchItsManifestIsRefused(@TempDir Path dir) throws IOException {
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 2000));
        Hyperparameters hyperparameters =
                new Hyperparameters(BinaryLoss.HINGE, 1e-3, 3, null, 5, 3);
        TrainingResult result = ModelTraining.train(train, hyperparameters, (e, l, a, t) -> {});
        Manifest manifest =
                ModelTraining.manifest(result, hyperparameters, train, 0.5, Instant.EPOCH);
        Location jobDir = Location.parse(FakeGcsServer.uri("jobs/mixed"));
        JobDirWriter.save(new ModelBundle(result.model(), manifest), List.of(jobDir));
        // The file the manifest names changed under it: refused, not half-used.
        OutputFiles.write(
                jobDir.resolve(ModelBundle.readManifest(jobDir).model().file()),
                new byte[] {1, 2, 3});

        IOException e = assertThrows(IOException.class, () -> ModelBundle.load(jobDir));
        assertTrue(e.getMessage().contains("SHA-256 does not match"), e.getMessage());
        assertThrows(
                FileNotFoundException.class,
                () -> ModelBundle.load(Location.parse(FakeGcsServer.uri("jobs/none"))));
    }
}
