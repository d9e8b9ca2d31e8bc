package dev.kfptribuo.localrun.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Job dirs as a final training leaves them, for registry tests: a bundle directory and a manifest
 * naming its files' checksums, with text for the model and ONNX files (no training needed).
 */
public final class FakeJobDirs {
    /** The bundle directory's name, as a save names it. */
    public static final String BUNDLE = "model-20261201T091500123Z-1a2b3c4d";

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeJobDirs() {}

    /**
     * @param parent where the job dir goes
     * @param name its name
     * @param modelText the model file's content (the ONNX file holds "onnx of " and it)
     * @return the job dir
     * @throws IOException if it cannot be written
     */
    public static Path write(Path parent, String name, String modelText) throws IOException {
        Path jobDir = parent.resolve(name);
        Files.createDirectories(jobDir.resolve(BUNDLE));
        byte[] model = modelText.getBytes(StandardCharsets.UTF_8);
        byte[] onnx = ("onnx of " + modelText).getBytes(StandardCharsets.UTF_8);
        Files.write(jobDir.resolve(BUNDLE).resolve(ModelBundle.MODEL_FILE), model);
        Files.write(jobDir.resolve(BUNDLE).resolve(ModelBundle.ONNX_FILE), onnx);
        ObjectNode manifest =
                JSON.createObjectNode()
                        .put("format_version", ModelBundle.FORMAT_VERSION)
                        .put("tribuo_version", org.tribuo.Tribuo.VERSION);
        manifest.putObject("model")
                .put("file", BUNDLE + "/" + ModelBundle.MODEL_FILE)
                .put("sha256", ModelBundle.sha256(model));
        manifest.putObject("onnx")
                .put("file", BUNDLE + "/" + ModelBundle.ONNX_FILE)
                .put("sha256", ModelBundle.sha256(onnx));
        // The fields every reader of a manifest needs (ModelBundle.readManifest checks them).
        manifest.put("label_column", "Cover_Type");
        manifest.putArray("labels").add("0").add("1");
        manifest.putArray("input_columns").add("Elevation");
        manifest.putArray("features").add("Elevation");
        manifest.putArray("numeric_columns")
                .addObject()
                .put("feature", "Elevation")
                .put("mean", 0.0)
                .put("scale", 1.0);
        manifest.putObject("categorical_columns");
        Files.writeString(jobDir.resolve(ModelBundle.MANIFEST_FILE), manifest.toString());
        return jobDir;
    }
}
