package dev.kfptribuo.localrun.steps;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code evaluate_model}'s outputs, read from the files the program wrote, and the baseline it
 * compared with.
 *
 * @param metricName {@code metric_name}
 * @param metricValue {@code metric_value}, of the new model on the testing split
 * @param baselineMetricValue {@code baseline_metric_value}: the baseline's, or the metric's worst
 *     value without one
 * @param metricImprovement {@code metric_improvement}, positive exactly when the new model is
 *     better
 * @param baseline the baseline
 */
public record Evaluation(
        String metricName,
        BigDecimal metricValue,
        BigDecimal baselineMetricValue,
        BigDecimal metricImprovement,
        Baseline baseline) {
    /**
     * @param outputs output name to its file
     * @param baseline the baseline the step passed
     * @return the outputs
     * @throws IOException if a file cannot be read
     */
    static Evaluation read(Map<String, Path> outputs, Baseline baseline) throws IOException {
        return new Evaluation(
                StepOutputs.text(outputs.get("metric_name")),
                StepOutputs.number("metric_value", outputs.get("metric_value")),
                StepOutputs.number("baseline_metric_value", outputs.get("baseline_metric_value")),
                StepOutputs.number("metric_improvement", outputs.get("metric_improvement")),
                baseline);
    }
}
