package dev.kfptribuo.helpers;

import dev.kfptribuo.cli.PathConverters;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import picocli.CommandLine.Option;

/**
 * The model a helper reads (a picocli mixin): {@code --model-path}, the job dir train saved the
 * final model in, as evaluate-model scores it and batch-predict predicts with it. The value is
 * checked at parse time ({@link PathConverters.JobDir}) and kept as the text given.
 */
final class ModelPathOption {
    /** The flag, as the commands name it in their errors and output checks. */
    static final String FLAG = "--model-path";

    @Option(
            names = {FLAG, "--model_path"},
            required = true,
            paramLabel = "DIR",
            converter = PathConverters.JobDir.class,
            description =
                    "The final training's job dir (local or gs://): its "
                            + ModelBundle.MANIFEST_FILE
                            + " names the model bundle ("
                            + ModelBundle.MODEL_FILE
                            + ") to read.")
    private String path;

    /**
     * @return the job dir as given
     */
    String path() {
        return path;
    }

    /**
     * @return the job dir's location
     */
    Location location() {
        return Location.parse(path);
    }
}
