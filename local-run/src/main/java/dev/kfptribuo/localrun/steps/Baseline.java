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
 * @param deployedNow whether it is what the registry had in production when it was chosen (the
 *     version deployed then, or, with {@code path} null, nothing deployed), which the deploy checks
 *     again under the registry's lock; false for {@code --baseline DIR} and {@code --baseline none}
 */
public record Baseline(Path path, String description, boolean deployedNow) {
    /**
     * A baseline given by the user, not read from the registry.
     *
     * @param path its directory, or null for none
     * @param description what it is
     */
    public Baseline(Path path, String description) {
        this(path, description, false);
    }

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
                    current.modelId() + "/" + current.versionId() + " (deployed now)",
                    true);
        } catch (ModelRegistryReader.NotDeployedException e) {
            return new Baseline(null, "nothing deployed yet", true);
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
