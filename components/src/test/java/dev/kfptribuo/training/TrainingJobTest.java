package dev.kfptribuo.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.hypertune.HypertuneReporter;
import dev.kfptribuo.hypertune.HypertuneReports;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.BinaryLoss;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's work without its command: covertype rows in, a report or a saved bundle out. */
class TrainingJobTest {
    private static final Hyperparameters HYPERPARAMETERS =
            new Hyperparameters(BinaryLoss.LOG, 1e-4, 20, 1e-3, 5, 0);

    @TempDir Path dir;

    private List<InputFile> slice(String name, int from, int to) throws IOException {
        return InputFiles.expand(TestData.slice(dir, name, from, to).toString());
    }

    @Test
    void tuningModeReportsTheValidationAccuracyAndSavesNothing()
            throws IOException, HypertuneReports.NoReportException {
        Path metricFile = dir.resolve("hypertune").resolve("output.metrics");
        TrainingJob.Config config =
                new TrainingJob.Config(
                        HYPERPARAMETERS,
                        ColumnSchema.COVERTYPE,
                        slice("training.csv", 0, 4000),
                        slice("validation.csv", 4000, 6000),
                        new TrainingJob.Tuning(
                                "accuracy",
                                new HypertuneReporter(metricFile, "1", Clock.systemUTC())));
        List<String> log = new ArrayList<>();

        TrainingJob.Reported reported =
                assertInstanceOf(
                        TrainingJob.Reported.class, TrainingJob.run(config, null, log::add));

        assertEquals(2000, reported.validationRows());
        assertTrue(
                reported.accuracy() > 0.6 && reported.accuracy() < 0.9,
                "accuracy " + reported.accuracy());
        assertEquals(reported.accuracy(), HypertuneReports.last(metricFile, "accuracy").value());
        assertTrue(
                log.get(0).startsWith("read training data: 4000 rows from 1 file(s)"), log.get(0));
        assertTrue(
                log.stream()
                        .anyMatch(
                                line ->
                                        line.startsWith(
                                                "mode=tuning loss=log alpha=0.0001 max_iter=20")),
                log.toString());
        try (var entries = Files.list(dir)) {
            assertEquals(
                    List.of("hypertune", "training.csv", "validation.csv"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void finalModeSavesABundleTrainedOnTrainingAndValidationRows() throws IOException {
        Location jobDir = Location.parse(dir.resolve("job").toString());
        TrainingJob.Config config =
                new TrainingJob.Config(
                        HYPERPARAMETERS,
                        ColumnSchema.COVERTYPE,
                        slice("training.csv", 0, 4000),
                        slice("validation.csv", 4000, 6000),
                        null);
        TrainingJob.Saved saved;
        try (JobDirWriter writer = JobDirWriter.open(List.of(jobDir), line -> {})) {
            saved =
                    assertInstanceOf(
                            TrainingJob.Saved.class, TrainingJob.run(config, writer, line -> {}));
        }

        ModelBundle bundle = ModelBundle.load(jobDir);
        assertEquals(saved.manifest().model().sha256(), bundle.manifest().model().sha256());
        assertEquals(
                6000,
                bundle.manifest().training().rows(),
                "training plus validation rows, as train.py fits");
        Predictor predictor = Predictor.of(bundle);
        String[] labels =
                TablePredictions.of(
                                predictor,
                                new dev.kfptribuo.data.CsvTableReader(predictor.inputSchema(true))
                                        .read(slice("testing.csv", 6000, 8000)),
                                true)
                        .labels(predictor);
        assertEquals(2000, labels.length);
    }

    @Test
    void aBadInputIsNamedAndNoModelIsSaved() throws IOException {
        Path noLabel =
                Files.writeString(dir.resolve("validation.csv"), "Elevation,Aspect\n2596,51\n");
        Location jobDir = Location.parse(dir.resolve("job").toString());
        TrainingJob.Config withoutLabel =
                new TrainingJob.Config(
                        HYPERPARAMETERS,
                        ColumnSchema.COVERTYPE,
                        slice("training.csv", 0, 1000),
                        InputFiles.expand(noLabel.toString()),
                        null);
        TrainingJob.Config withoutFiles =
                new TrainingJob.Config(
                        HYPERPARAMETERS,
                        ColumnSchema.COVERTYPE,
                        slice("training.csv", 0, 1000),
                        List.of(),
                        null);
        try (JobDirWriter writer = JobDirWriter.open(List.of(jobDir), l -> {})) {
            DataFormatException row =
                    assertThrows(
                            DataFormatException.class,
                            () -> TrainingJob.run(withoutLabel, writer, line -> {}));
            assertTrue(
                    row.getMessage().contains(noLabel.toString())
                            && row.getMessage().contains("Cover_Type"),
                    row.getMessage());
            // The command names the flag of the input the job names by its role.
            TrainingJob.InputRejectedException none =
                    assertThrows(
                            TrainingJob.InputRejectedException.class,
                            () -> TrainingJob.run(withoutFiles, writer, line -> {}));
            assertEquals("validation", none.role());
        }
        assertFalse(Files.exists(dir.resolve("job").resolve("manifest.json")), "no model saved");
    }
}
