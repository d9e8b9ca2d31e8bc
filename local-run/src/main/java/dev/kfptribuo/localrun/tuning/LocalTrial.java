package dev.kfptribuo.localrun.tuning;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One trial of a local study, as it stands.
 *
 * @param id the trial id, {@code "1"} for the first
 * @param values the hyperparameter values it was given, in spec order
 * @param dir the trial's own directory: job dir, logs, metric file
 * @param state RUNNING, SUCCEEDED or FAILED (the API's trial states)
 * @param metric the reported final metric, or null
 * @param trainingStep the reported {@code global_step}, or null
 * @param startTime when the process started, or null before
 * @param endTime when it ended, or null before
 * @param error why the trial failed, or null
 */
public record LocalTrial(
        String id,
        Map<String, SearchStrategy.Value> values,
        Path dir,
        String state,
        Double metric,
        String trainingStep,
        Instant startTime,
        Instant endTime,
        String error) {
    /** Copies the map. */
    public LocalTrial {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }

    /**
     * @return true once the trial ended with a metric
     */
    public boolean succeeded() {
        return "SUCCEEDED".equals(state);
    }

    /**
     * @return the values as {@code name=value} pairs, for messages
     */
    public String describeValues() {
        StringBuilder out = new StringBuilder();
        values.forEach(
                (name, value) ->
                        out.append(out.length() == 0 ? "" : " ")
                                .append(name)
                                .append('=')
                                .append(value.text()));
        return out.toString();
    }

    /**
     * @return wall seconds between start and end, or 0
     */
    public double seconds() {
        return startTime == null || endTime == null
                ? 0
                : java.time.Duration.between(startTime, endTime).toNanos() / 1e9;
    }
}
