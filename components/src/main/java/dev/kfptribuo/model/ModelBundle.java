package dev.kfptribuo.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kfptribuo.io.JsonErrors;
import dev.kfptribuo.io.Location;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.protos.core.ModelProto;

/**
 * A trained model as one unit: the Tribuo model and its {@link Manifest}, and the files a final
 * training leaves in its job dir ({@link JobDirWriter} saves them, one commit per save):
 *
 * <ul>
 *   <li>{@value #MODEL_FILE}: the model in Tribuo's protobuf format, naming only classes of Tribuo
 *       and its dependencies, so stock Tribuo 4.3 loads it ({@code Model.deserializeFromFile});
 *   <li>{@value #ONNX_FILE}: the same model as ONNX ({@link OnnxExport});
 *   <li>{@value #MANIFEST_FILE}: the manifest, naming both files with their SHA-256.
 * </ul>
 *
 * <p>{@link #load} trusts nothing it reads: the manifest may only name regular files inside the job
 * dir, of bounded size, whose digests match (the ONNX file's too, though only its digest is
 * checked); the model's declared weight shape must be the manifest's before Tribuo builds any
 * tensor.
 */
public final class ModelBundle {
    /** The Tribuo model file name. */
    public static final String MODEL_FILE = "model.tribuo";

    /** The ONNX model file name. */
    public static final String ONNX_FILE = "model.onnx";

    /** The manifest file name. */
    public static final String MANIFEST_FILE = "manifest.json";

    /** The manifest layout this code writes and reads. */
    public static final int FORMAT_VERSION = 2;

    /** The largest model file read: a covertype model is about 15 KB. */
    static final long MAX_MODEL_BYTES = 256L << 20;

    /** The largest manifest read. */
    static final long MAX_MANIFEST_BYTES = 16L << 20;

    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final LinearSGDModel model;
    private final Manifest manifest;

    /**
     * @param model the model
     * @param manifest its manifest (see {@link ModelTraining#manifest})
     * @throws IllegalArgumentException if the manifest's features or labels are not the model's, in
     *     the model's order
     */
    public ModelBundle(LinearSGDModel model, Manifest manifest) {
        this.model = model;
        this.manifest = manifest;
        String mismatch = mismatch(model, manifest);
        if (mismatch != null) {
            throw new IllegalArgumentException(
                    "the manifest does not describe the model: " + mismatch);
        }
    }

    /**
     * @return the Tribuo model, which takes raw feature values and scores decision values
     */
    public LinearSGDModel model() {
        return model;
    }

    /**
     * @return the manifest
     */
    public Manifest manifest() {
        return manifest;
    }

    /**
     * @param model a model
     * @return its labels in output-ID order
     */
    public static List<String> labels(Model<Label> model) {
        List<String> labels = new ArrayList<>();
        for (int id = 0; id < model.getOutputIDInfo().size(); id++) {
            labels.add(model.getOutputIDInfo().getOutput(id).getLabel());
        }
        return labels;
    }

    /**
     * @param model a model
     * @return its feature names in feature-ID order
     */
    public static List<String> features(Model<Label> model) {
        List<String> features = new ArrayList<>();
        for (int id = 0; id < model.getFeatureIDMap().size(); id++) {
            features.add(model.getFeatureIDMap().get(id).getName());
        }
        return features;
    }

    private static String mismatch(Model<Label> model, Manifest manifest) {
        if (!features(model).equals(manifest.features())) {
            return "features differ";
        }
        if (!labels(model).equals(manifest.labels())) {
            return "labels " + manifest.labels() + " are not the model's " + labels(model);
        }
        return null;
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
     * Reads and checks a saved bundle.
     *
     * @param dir the job dir
     * @return the model and manifest
     * @throws FileNotFoundException if the manifest, the model file or the ONNX file is missing
     * @throws IOException if the files cannot be read, the manifest is not valid JSON, its format
     *     version or Tribuo major version differs from this code's, a digest does not match, the
     *     model cannot be decoded or is not a linear SGD classifier, or the manifest does not
     *     describe it
     */
    public static ModelBundle load(Location dir) throws IOException {
        Location manifestLocation = dir.resolve(MANIFEST_FILE);
        Manifest manifest = readManifest(dir);
        Location modelLocation = ModelFiles.resolve(dir, manifest.model().file(), manifestLocation);
        byte[] bytes = ModelFiles.read(modelLocation, MAX_MODEL_BYTES);
        if (!sha256(bytes).equals(manifest.model().sha256())) {
            throw new IOException(
                    modelLocation
                            + ": SHA-256 does not match "
                            + MANIFEST_FILE
                            + " (an interrupted or mixed save?)");
        }
        Model<?> model;
        try {
            ModelProto proto = ModelProto.parseFrom(bytes);
            ModelFiles.checkShape(proto, manifest, modelLocation);
            model = Model.deserialize(proto);
        } catch (com.google.protobuf.InvalidProtocolBufferException | RuntimeException e) {
            throw new IOException(modelLocation + ": not a Tribuo model: " + e.getMessage(), e);
        }
        if (!(model instanceof LinearSGDModel linear)) {
            throw new IOException(
                    modelLocation
                            + ": not a linear SGD classifier ("
                            + model.getClass().getName()
                            + ")");
        }
        String mismatch = mismatch(linear, manifest);
        if (mismatch != null) {
            throw new IOException(
                    manifestLocation + ": does not describe " + modelLocation + ": " + mismatch);
        }
        // The ONNX file is not used here, but it ships with the model (to Triton, BigQuery ML): a
        // corrupt or missing one is refused like a corrupt model file.
        Location onnxLocation = ModelFiles.resolve(dir, manifest.onnx().file(), manifestLocation);
        if (!sha256(ModelFiles.read(onnxLocation, MAX_MODEL_BYTES))
                .equals(manifest.onnx().sha256())) {
            throw new IOException(
                    onnxLocation
                            + ": SHA-256 does not match "
                            + MANIFEST_FILE
                            + " (an interrupted or mixed save?)");
        }
        return new ModelBundle(linear, manifest);
    }

    /**
     * Reads and checks a job dir's manifest, without the model files.
     *
     * @param dir the job dir
     * @return the manifest
     * @throws FileNotFoundException if there is none
     * @throws IOException if it cannot be read, is not valid JSON, lacks the files' fields, or its
     *     format version or Tribuo major version differs from this code's
     */
    public static Manifest readManifest(Location dir) throws IOException {
        Location manifestLocation = dir.resolve(MANIFEST_FILE);
        Manifest manifest;
        try {
            manifest =
                    JSON.readValue(
                            ModelFiles.read(manifestLocation, MAX_MANIFEST_BYTES), Manifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(
                    manifestLocation + ": not a valid manifest: " + JsonErrors.describe(e), e);
        }
        if (manifest == null) {
            throw new IOException(
                    manifestLocation + ": not a valid manifest: null, where a JSON object belongs");
        }
        if (manifest.formatVersion() != FORMAT_VERSION) {
            throw new IOException(
                    manifestLocation
                            + ": manifest format "
                            + manifest.formatVersion()
                            + " is not supported (this build reads format "
                            + FORMAT_VERSION
                            + "; train the model again with this build)");
        }
        String major = Tribuo.VERSION.split("\\.")[0];
        if (manifest.tribuoVersion() == null
                || !manifest.tribuoVersion().split("\\.")[0].equals(major)) {
            throw new IOException(
                    manifestLocation
                            + ": model written by Tribuo "
                            + manifest.tribuoVersion()
                            + ", which this build (Tribuo "
                            + Tribuo.VERSION
                            + ") cannot read");
        }
        if (manifest.model() == null
                || manifest.model().file() == null
                || manifest.model().sha256() == null
                || manifest.onnx() == null
                || manifest.onnx().file() == null
                || manifest.onnx().sha256() == null) {
            throw new IOException(
                    manifestLocation
                            + ": not a valid manifest: the model files or their digests are missing");
        }
        String missing = missingField(manifest);
        if (missing != null) {
            throw new IOException(
                    manifestLocation
                            + ": not a valid manifest: \""
                            + missing
                            + "\" is missing or null");
        }
        return manifest;
    }

    /**
     * @return the first field readers need that the manifest lacks, by its JSON name, or null
     */
    private static String missingField(Manifest manifest) {
        if (manifest.labelColumn() == null) {
            return "label_column";
        }
        if (manifest.labels() == null || manifest.labels().contains(null)) {
            return "labels";
        }
        if (manifest.inputColumns() == null || manifest.inputColumns().contains(null)) {
            return "input_columns";
        }
        if (manifest.features() == null || manifest.features().contains(null)) {
            return "features";
        }
        if (manifest.numericColumns() == null || manifest.numericColumns().contains(null)) {
            return "numeric_columns";
        }
        if (manifest.categoricalColumns() == null) {
            return "categorical_columns";
        }
        return null;
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
