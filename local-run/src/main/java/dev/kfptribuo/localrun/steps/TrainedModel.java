package dev.kfptribuo.localrun.steps;

import dev.kfptribuo.model.Manifest;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The final training's model.
 *
 * @param jobDir its job dir, as {@code train}'s {@code job_dir} output names it
 * @param manifest the job dir's {@code manifest.json}
 * @param tuned the best run's values it was trained with, by name, as passed
 */
public record TrainedModel(Path jobDir, Manifest manifest, Map<String, String> tuned) {
    /** Copies the map. */
    public TrainedModel {
        tuned = Collections.unmodifiableMap(new LinkedHashMap<>(tuned));
    }
}
