package dev.kfptribuo.tuning;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One trial of a tuning job: AI Platform's {@code trainingOutput.trials[]} (a {@code
 * HyperparameterOutput}) or Vertex AI's {@code trials[]}.
 *
 * @param id the trial id as the service gives it ({@code "3"})
 * @param state the trial's state as the service spells it ({@code SUCCEEDED}, {@code FAILED},
 *     {@code INFEASIBLE}...), or null when the document has none
 * @param succeeded whether the trial completed (see {@link TuningJobDocuments} for each API's rule)
 * @param finalMetrics the final value of each reported metric by metric tag or id; AI Platform
 *     reports only the objective, under the job's metric tag; may hold NaN or infinities when the
 *     service sent them
 * @param hyperparameters the trial's hyperparameter values by name, in the document's order
 * @param note extra words about the trial for messages ({@code stopped early}, Vertex AI's {@code
 *     infeasibleReason}), or null
 */
public record Trial(
        String id,
        String state,
        boolean succeeded,
        Map<String, Double> finalMetrics,
        Map<String, HyperparameterValue> hyperparameters,
        String note) {
    /** Checks the fields and copies the maps, keeping their order. */
    public Trial {
        Objects.requireNonNull(id, "id");
        finalMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(finalMetrics));
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
    }
}
