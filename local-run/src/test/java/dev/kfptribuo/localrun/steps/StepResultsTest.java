package dev.kfptribuo.localrun.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kfptribuo.localrun.run.StepFailed;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed results read from the KFP output files the programs write. */
class StepResultsTest {
    @TempDir Path dir;

    private Map<String, Path> write(Map<String, String> files) throws Exception {
        Map<String, Path> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.writeString(path, file.getValue());
            outputs.put(file.getKey(), path);
        }
        return outputs;
    }

    @Test
    void bestRun() throws Exception {
        Map<String, Path> outputs =
                write(
                        Map.of(
                                "metric_value",
                                "0.71460221550856",
                                "alpha",
                                "0.00018837519734365884",
                                "max_iter",
                                "500",
                                "trial_id",
                                "2",
                                "hyperparameters",
                                "{\"max_iter\":500,\"alpha\":0.00018837519734365884}"));
        BestRun best = BestRun.read(outputs, Set.of());
        assertEquals("2", best.trialId());
        assertEquals("0.71460221550856", best.metricValue().toPlainString(), "the text as written");
        assertEquals("0.00018837519734365884", best.alpha().toPlainString());
        assertEquals(500L, best.maxIter());
        assertEquals(List.of("max_iter", "alpha"), List.copyOf(best.hyperparameters().keySet()));
        assertEquals("500", best.hyperparameters().get("max_iter"));
        assertEquals(
                "{\"max_iter\":500,\"alpha\":0.00018837519734365884}", best.hyperparametersJson());

        // A study of alpha alone: max_iter was not asked for.
        Map<String, Path> alphaOnly = new LinkedHashMap<>(outputs);
        alphaOnly.put("max_iter", dir.resolve("not-written"));
        assertNull(BestRun.read(alphaOnly, Set.of("max_iter")).maxIter());

        Files.writeString(outputs.get("metric_value"), "high");
        StepFailed notANumber =
                assertThrows(StepFailed.class, () -> BestRun.read(outputs, Set.of()));
        assertEquals("metric_value 'high' is not a number", notANumber.getMessage());
        Files.writeString(outputs.get("metric_value"), "0.5");
        Files.writeString(outputs.get("hyperparameters"), "[1]");
        assertThrows(StepFailed.class, () -> BestRun.read(outputs, Set.of()));
    }

    @Test
    void evaluation() throws Exception {
        Baseline none = new Baseline(null, "nothing deployed yet");
        Evaluation evaluation =
                Evaluation.read(
                        write(
                                Map.of(
                                        "metric_name",
                                        "accuracy\n",
                                        "metric_value",
                                        "0.6992473657802308",
                                        "baseline_metric_value",
                                        "0.0",
                                        "metric_improvement",
                                        "0.6992473657802308")),
                        none);
        assertEquals("accuracy", evaluation.metricName());
        assertEquals(new BigDecimal("0.6992473657802308"), evaluation.metricValue());
        assertEquals("0.0", evaluation.baselineMetricValue().toPlainString());
        assertEquals(1, evaluation.metricImprovement().signum());
        assertEquals(none, evaluation.baseline());
    }
}
