package dev.kfptribuo.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.BinaryLoss;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.training.TrainingJob;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate-model's work without its command: two models trained on covertype rows, scored on
 * others.
 */
class EvaluationJobTest {
    @TempDir static Path dir;
    private static Location good;
    private static Location poor;
    private static List<InputFile> testing;

    @BeforeAll
    static void train() throws IOException {
        List<InputFile> training =
                InputFiles.expand(TestData.slice(dir, "training.csv", 0, 5000).toString());
        testing = InputFiles.expand(TestData.slice(dir, "testing.csv", 5000, 7000).toString());
        good = trained("good", training, new Hyperparameters(BinaryLoss.LOG, 1e-4, 30, 1e-3, 5, 0));
        poor = trained("poor", training, new Hyperparameters(BinaryLoss.LOG, 0.5, 1, null, 5, 0));
    }

    private static Location trained(
            String name, List<InputFile> rows, Hyperparameters hyperparameters) throws IOException {
        Location jobDir = Location.parse(dir.resolve(name).toString());
        try (JobDirWriter writer = JobDirWriter.open(List.of(jobDir), line -> {})) {
            TrainingJob.run(
                    new TrainingJob.Config(
                            hyperparameters, ColumnSchema.COVERTYPE, rows, null, null),
                    writer,
                    line -> {});
        }
        return jobDir;
    }

    @Test
    void theModelAgainstItsBaselineOnTheSameRows() throws IOException {
        List<String> log = new ArrayList<>();
        EvaluationJob.Result better =
                EvaluationJob.run(
                        new EvaluationJob.Config(good, poor, testing, Metric.ACCURACY), log::add);
        EvaluationJob.Result worse =
                EvaluationJob.run(
                        new EvaluationJob.Config(poor, good, testing, Metric.ACCURACY), line -> {});

        assertEquals(better.value(), worse.baselineValue(), 0);
        assertEquals(better.baselineValue(), worse.value(), 0);
        assertTrue(better.value() > better.baselineValue(), better.toString());
        assertEquals(better.value() - better.baselineValue(), better.improvement(), 1e-15);
        assertTrue(worse.improvement() < 0, worse.toString());
        assertEquals(better.value(), better.metrics().value(Metric.ACCURACY), 0);
        // Row 5000 on of the sample holds a soil type the first 5000 rows never have.
        String unseen =
                "1 row(s) hold categories unseen in training, scored without them: Soil_Type=[C8708]";
        assertEquals(
                List.of(
                        "scored 2000 rows from 1 file(s) with " + good,
                        unseen,
                        "baseline: scored 2000 rows from 1 file(s) with " + poor,
                        "baseline: " + unseen),
                log);
    }

    @Test
    void withoutABaselineTheMetricsWorstValueIsTheBar() throws IOException {
        EvaluationJob.Result logLoss =
                EvaluationJob.run(
                        new EvaluationJob.Config(good, null, testing, Metric.LOG_LOSS), line -> {});
        assertEquals(Metric.LOG_LOSS.worstValue(), logLoss.baselineValue(), 0);
        assertTrue(logLoss.improvement() > 0, logLoss.toString());
    }

    @Test
    void aMissingBaselineIsNamedAsTheBaseline() {
        Location missing = Location.parse(dir.resolve("no-such-model").toString());
        FileNotFoundException e =
                assertThrows(
                        FileNotFoundException.class,
                        () ->
                                EvaluationJob.run(
                                        new EvaluationJob.Config(
                                                good, missing, testing, Metric.ACCURACY),
                                        line -> {}));
        assertTrue(
                e.getMessage().startsWith("the baseline model: ")
                        && e.getMessage().contains("no-such-model"),
                e.getMessage());
    }
}
