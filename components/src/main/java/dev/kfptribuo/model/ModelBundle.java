package dev.kfptribuo.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.tribuo.Model;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuo.protos.core.ModelProto;

/**
 * The model a final training leaves in its job dir: {@value #MODEL_FILE}, the Tribuo model in
 * Tribuo's protobuf format, and {@value #MANIFEST_FILE}, its {@link Manifest}.
 *
 * <p>The model is written first and the manifest, which holds the model's SHA-256, last; each file
 * is written atomically. A reader trusts a model only when the manifest's checksum matches, so an
 * interrupted save is detected rather than half-used.
 */
public final class ModelBundle {
    /** The model file name. */
    public static final String MODEL_FILE = "model.tribuo";
    /** The manifest file name. */
    public static final String MANIFEST_FILE = "manifest.json";
    /** The manifest layout this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelBundle() {}

    /**
     * A loaded model and its manifest.
     *
     * @param model the Tribuo model
     * @param manifest its manifest
     */
    public record Loaded(Model<Label> model, Manifest manifest) {}

    /**
     * Serialises a model to Tribuo's protobuf bytes.
     *
     * @param model the model
     * @return the bytes {@link #save} writes
     */
    public static byte[] serialize(Model<Label> model) {
        return model.serialize().toByteArray();
    }

    /**
     * @param bytes any bytes
     * @return their lower-case hex SHA-256
     */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /**
     * Writes the model and then the manifest into a directory.
     *
     * @param dir the job dir, local or gs://
     * @param modelBytes the output of {@link #serialize}
     * @param manifest the manifest; its {@code modelSha256} must match the bytes
     * @throws IllegalArgumentException if the manifest's checksum does not match the bytes
     * @throws IOException if a write fails; the manifest is then not written
     */
    public static void save(Location dir, byte[] modelBytes, Manifest manifest) throws IOException {
        if (!sha256(modelBytes).equals(manifest.modelSha256())) {
            throw new IllegalArgumentException("the manifest's model_sha256 does not match the model bytes");
        }
        OutputFiles.write(dir.resolve(MODEL_FILE), modelBytes);
        OutputFiles.write(dir.resolve(MANIFEST_FILE), JSON.writeValueAsBytes(manifest));
    }

    /**
     * Reads and checks a saved model.
     *
     * @param dir the job dir
     * @return the model and manifest
     * @throws FileNotFoundException if either file is missing
     * @throws IOException if the files cannot be read, the manifest is not valid JSON, its format
     *     version or Tribuo major version differs from this code's, the checksum does not match, or
     *     the model cannot be decoded
     */
    public static Loaded load(Location dir) throws IOException {
        Location manifestLocation = dir.resolve(MANIFEST_FILE);
        Manifest manifest;
        try (InputStream in = new InputFile(manifestLocation).open()) {
            manifest = JSON.readValue(in, Manifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(manifestLocation + ": not a valid manifest: " + e.getOriginalMessage(), e);
        }
        if (manifest.formatVersion() != FORMAT_VERSION) {
            throw new IOException(manifestLocation + ": manifest format " + manifest.formatVersion()
                    + " is not supported (this build reads format " + FORMAT_VERSION + ")");
        }
        String major = Tribuo.VERSION.split("\\.")[0];
        if (manifest.tribuoVersion() == null || !manifest.tribuoVersion().split("\\.")[0].equals(major)) {
            throw new IOException(manifestLocation + ": model written by Tribuo " + manifest.tribuoVersion()
                    + ", which this build (Tribuo " + Tribuo.VERSION + ") cannot read");
        }
        Location modelLocation = dir.resolve(manifest.modelFile() == null ? MODEL_FILE : manifest.modelFile());
        byte[] bytes;
        try (InputStream in = new InputFile(modelLocation).openRaw()) {
            bytes = in.readAllBytes();
        }
        if (!sha256(bytes).equals(manifest.modelSha256())) {
            throw new IOException(modelLocation + ": SHA-256 does not match " + MANIFEST_FILE
                    + " (an interrupted or mixed save?)");
        }
        Model<?> model;
        try {
            model = Model.deserialize(ModelProto.parseFrom(bytes));
        } catch (RuntimeException e) {
            throw new IOException(modelLocation + ": not a Tribuo model: " + e.getMessage(), e);
        }
        if (!model.validate(Label.class)) {
            throw new IOException(modelLocation + ": not a classification model");
        }
        @SuppressWarnings("unchecked")
        Model<Label> labelModel = (Model<Label>) model;
        return new Loaded(labelModel, manifest);
    }

    /**
     * @param manifest a manifest
     * @return its JSON text, as written to {@value #MANIFEST_FILE}
     * @throws IOException never in practice
     */
    public static String toJson(Manifest manifest) throws IOException {
        return JSON.writeValueAsString(manifest);
    }
}
