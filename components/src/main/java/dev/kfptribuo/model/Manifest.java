package dev.kfptribuo.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What a job dir's {@code manifest.json} says about the model files beside it: which files they are
 * and their digests, how a caller encodes a row for them, what their outputs mean, and how the
 * model was made.
 *
 * <p>Written as JSON with snake_case keys, e.g. {@code "tribuo_version": "4.3.2"}. A caller of the
 * plain model files (stock Tribuo, ONNX Runtime) needs {@code features}, {@code labels} and {@code
 * feature_encoding}: the feature vector has one entry per name of {@code features}, in that order
 * (the model's feature IDs and the ONNX input's columns); a numeric column's entry is the column's
 * raw value (the standardisation is folded into the weights); a categorical column sets {@code
 * column@value} to 1; every other entry is 0, so a category unseen in training sets nothing.
 *
 * @param formatVersion version of this manifest layout, {@value ModelBundle#FORMAT_VERSION}
 * @param createdAt ISO-8601 instant the model was saved
 * @param tribuoVersion Tribuo version that wrote the model
 * @param model the Tribuo model file
 * @param onnx the ONNX model file
 * @param probabilities how scikit-learn's {@code predict_proba} follows from the model's scores,
 *     for a Tribuo user; null when the model has none (hinge loss)
 * @param labelColumn the CSV column of the label
 * @param labels the class labels, in the model's output order (Tribuo's output IDs, the ONNX
 *     outputs' columns, the order of {@code classes} in predictions)
 * @param inputColumns the columns the model reads, in the training data's column order: the order
 *     of the values of an instance given as an array
 * @param featureEncoding how a row becomes the feature vector, in words
 * @param features every model feature name (numeric column or {@code column@value}), in the model's
 *     feature-ID order, which is Java's {@code String} order
 * @param numericColumns numeric columns with the standardisation that training applied (and folded
 *     into the weights)
 * @param categoricalColumns categorical columns with the values seen in training, sorted
 * @param ignoredColumns columns of the training data left out on request
 * @param hyperparameters the settings used
 * @param training what the fit did
 * @param inputs the files trained on, with their row counts and SHA-256
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(
        int formatVersion,
        String createdAt,
        String tribuoVersion,
        ModelFile model,
        OnnxFile onnx,
        String probabilities,
        String labelColumn,
        List<String> labels,
        List<String> inputColumns,
        String featureEncoding,
        List<String> features,
        List<FeatureScale> numericColumns,
        Map<String, List<String>> categoricalColumns,
        List<String> ignoredColumns,
        HyperparameterValues hyperparameters,
        Training training,
        List<Input> inputs) {

    /**
     * The Tribuo model file.
     *
     * @param file its path in the job dir, e.g. {@code
     *     model-20261201T091500123Z-1a2b3c4d/model.tribuo} (see {@link JobDirWriter})
     * @param sha256 lower-case hex SHA-256 of its bytes; null until the bundle is saved
     * @param modelClass the Tribuo model class
     * @param scores what the model's prediction scores are
     */
    public record ModelFile(String file, String sha256, String modelClass, String scores) {}

    /**
     * The ONNX model file (see {@link OnnxExport}).
     *
     * @param file its path in the job dir, beside the model file
     * @param sha256 lower-case hex SHA-256 of its bytes; null until the bundle is saved
     * @param opset the ONNX opset
     * @param input the input's name
     * @param inputShape the input's shape, -1 for the batch dimension
     * @param outputs each output's name and meaning
     */
    public record OnnxFile(
            String file,
            String sha256,
            int opset,
            String input,
            List<Integer> inputShape,
            Map<String, String> outputs) {}

    /**
     * The hyperparameters, as the trainer's flags name them.
     *
     * @param loss {@code log} or {@code hinge}
     * @param alpha L2 penalty strength
     * @param maxIter maximum number of epochs
     * @param tol stopping tolerance, null if off
     * @param nIterNoChange epochs without improvement before stopping
     * @param seed shuffle seed
     */
    public record HyperparameterValues(
            String loss, double alpha, int maxIter, Double tol, int nIterNoChange, long seed) {}

    /**
     * @param rows training rows
     * @param epochsRun epochs actually run
     * @param converged true if stopped by the tolerance before max_iter
     * @param finalLoss mean training loss of the last epoch
     * @param seconds wall time of the fit
     */
    public record Training(
            long rows, int epochsRun, boolean converged, double finalLoss, double seconds) {}

    /**
     * @param uri local path or gs:// URI
     * @param rows data rows in the file
     * @param sha256 lower-case hex SHA-256 of the stored bytes, or null when not computed (a tuning
     *     trial's in-memory bundle, never saved)
     */
    public record Input(String uri, long rows, String sha256) {}

    /**
     * @return true if the model was trained with the log loss, so its predictions have
     *     probabilities
     */
    public boolean hasProbabilities() {
        return "log".equals(hyperparameters.loss());
    }

    /**
     * @param modelFile the model file's path in the job dir
     * @param modelSha256 its digest
     * @param onnxFile the ONNX file's path in the job dir
     * @param onnxSha256 its digest
     * @return this manifest naming those files
     */
    public Manifest withFiles(
            String modelFile, String modelSha256, String onnxFile, String onnxSha256) {
        return new Manifest(
                formatVersion,
                createdAt,
                tribuoVersion,
                new ModelFile(modelFile, modelSha256, model.modelClass(), model.scores()),
                new OnnxFile(
                        onnxFile,
                        onnxSha256,
                        onnx.opset(),
                        onnx.input(),
                        onnx.inputShape(),
                        onnx.outputs()),
                probabilities,
                labelColumn,
                labels,
                inputColumns,
                featureEncoding,
                features,
                numericColumns,
                categoricalColumns,
                ignoredColumns,
                hyperparameters,
                training,
                inputs);
    }
}
