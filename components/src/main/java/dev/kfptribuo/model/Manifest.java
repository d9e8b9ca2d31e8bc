package dev.kfptribuo.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What a job dir's {@code manifest.json} says about the model beside it: enough to check that the
 * model matches data and code before using it, and to know how it was made.
 *
 * <p>Written as JSON with snake_case keys, e.g. {@code "tribuo_version": "4.3.2"}.
 *
 * @param formatVersion version of this manifest layout, {@value ModelBundle#FORMAT_VERSION}
 * @param modelFile the model's file name in the same directory
 * @param modelSha256 lower-case hex SHA-256 of the model file
 * @param createdAt ISO-8601 instant the model was saved
 * @param tribuoVersion Tribuo version that wrote the model
 * @param labelColumn the CSV column of the label
 * @param labels the class labels, in the model's output order
 * @param numericColumns numeric CSV columns with their standardisation
 * @param categoricalColumns categorical CSV columns with the values seen in training, sorted
 * @param features every model feature name (numeric column or {@code column@value}), sorted
 * @param hyperparameters the settings used
 * @param training what the fit did
 * @param inputs the files trained on, with their row counts and SHA-256
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(
        int formatVersion,
        String modelFile,
        String modelSha256,
        String createdAt,
        String tribuoVersion,
        String labelColumn,
        List<String> labels,
        List<FeatureScale> numericColumns,
        Map<String, List<String>> categoricalColumns,
        List<String> features,
        HyperparameterValues hyperparameters,
        Training training,
        List<Input> inputs) {

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
    public record HyperparameterValues(String loss, double alpha, int maxIter, Double tol, int nIterNoChange, long seed) {}

    /**
     * @param rows training rows
     * @param epochsRun epochs actually run
     * @param converged true if stopped by the tolerance before max_iter
     * @param finalLoss mean training loss of the last epoch
     * @param seconds wall time of the fit
     */
    public record Training(long rows, int epochsRun, boolean converged, double finalLoss, double seconds) {}

    /**
     * @param uri local path or gs:// URI
     * @param rows data rows in the file
     * @param sha256 lower-case hex SHA-256 of the stored bytes
     */
    public record Input(String uri, long rows, String sha256) {}
}
