package dev.kfptribuo.localrun.steps;

import dev.kfptribuo.localrun.run.Console;
import dev.kfptribuo.localrun.run.StepFailed;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The model the new one is compared with (champion/challenger).
 *
 * @param path its directory (a job dir or a registry version directory), or null for none
 * @param description what it is, for the run's lines ({@code covertype_classifier/v01 (deployed
 *     now)})
 */
public record Baseline(Path path, String description) {
    /**
     * The baseline: {@code --baseline}'s directory, none, or by default the version of the model
     * deployed now.
     *
     * @param option {@code --baseline}: a directory, {@code none}, or null for the default
     * @param registry the local model registry
     * @param modelId the model's id in it
     * @return the baseline
     * @throws StepFailed if the version deployed now cannot be read
     */
    public static Baseline choose(String option, Path registry, String modelId) {
        if (option != null && option.strip().equalsIgnoreCase("none")) {
            return new Baseline(null, "--baseline none");
        }
        if (option != null) {
            Path path = Path.of(option.strip()).toAbsolutePath();
            return new Baseline(path, Console.shown(path));
        }
        try {
            ModelRegistryReader.Version current =
                    new ModelRegistryReader(registry).current(modelId);
            return new Baseline(
                    current.directory(),
                    current.modelId() + "/" + current.versionId() + " (deployed now)");
        } catch (ModelRegistryReader.NotDeployedException e) {
            return new Baseline(null, "nothing deployed yet");
        } catch (IOException e) {
            throw new StepFailed(
                    "the version of "
                            + modelId
                            + " deployed now cannot be read, so there is no baseline to "
                            + "compare with: "
                            + e.getMessage()
                            + " (--baseline none deploys without one)");
        }
    }
}
