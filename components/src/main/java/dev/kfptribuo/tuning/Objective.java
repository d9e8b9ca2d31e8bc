package dev.kfptribuo.tuning;

import java.util.Objects;

/**
 * The metric a tuning job optimises and in which direction: AI Platform's {@code
 * hyperparameterMetricTag} and {@code goal}, or one of Vertex AI's {@code
 * studySpec.metrics[{metricId, goal}]}.
 *
 * @param metric the metric tag or id, e.g. {@code accuracy}
 * @param goal MAXIMIZE or MINIMIZE
 */
public record Objective(String metric, Goal goal) {
    /** Checks the fields. */
    public Objective {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(goal, "goal");
    }

    @Override
    public String toString() {
        return goal + " " + metric;
    }
}
