package dev.kfptribuo.localrun.steps;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.localrun.run.StepFailed;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code retrieve_best_run}'s outputs, read from the files the program wrote.
 *
 * @param trialId the best trial's id ({@code trial_id})
 * @param metricValue its final metric ({@code metric_value})
 * @param alpha its {@code alpha} ({@code alpha}), or null when the study did not tune it
 * @param maxIter its {@code max_iter} ({@code max_iter}), or null when the study did not tune it
 * @param hyperparameters every tuned value by name, as text ({@code hyperparameters})
 * @param hyperparametersJson the {@code hyperparameters} output as written, a JSON object
 */
public record BestRun(
        String trialId,
        BigDecimal metricValue,
        BigDecimal alpha,
        Long maxIter,
        Map<String, String> hyperparameters,
        String hyperparametersJson) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the map. */
    public BestRun {
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
    }

    /**
     * @param outputs output name to its file
     * @param omitted outputs not requested ({@code alpha} or {@code max_iter} of a study that did
     *     not tune it)
     * @return the outputs
     * @throws IOException if a file cannot be read
     * @throws StepFailed if a value is not of its output's type
     */
    static BestRun read(Map<String, Path> outputs, Set<String> omitted) throws IOException {
        Path alpha = omitted.contains("alpha") ? null : outputs.get("alpha");
        Path maxIter = omitted.contains("max_iter") ? null : outputs.get("max_iter");
        String json = StepOutputs.text(outputs.get("hyperparameters"));
        Map<String, String> values = new LinkedHashMap<>();
        try {
            JsonNode all = JSON.readTree(json);
            if (all == null || !all.isObject()) {
                throw new StepFailed("hyperparameters '" + json + "' is not a JSON object");
            }
            all.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        } catch (JacksonException e) {
            throw new StepFailed(
                    "hyperparameters '" + json + "' is not JSON: " + e.getOriginalMessage());
        }
        Long iterations = null;
        if (maxIter != null) {
            String text = StepOutputs.text(maxIter);
            try {
                iterations = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new StepFailed("max_iter '" + text + "' is not an integer");
            }
        }
        return new BestRun(
                StepOutputs.text(outputs.get("trial_id")),
                StepOutputs.number("metric_value", outputs.get("metric_value")),
                alpha != null ? StepOutputs.number("alpha", alpha) : null,
                iterations,
                values,
                json);
    }
}
