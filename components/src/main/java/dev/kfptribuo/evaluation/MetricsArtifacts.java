package dev.kfptribuo.evaluation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.executor.ExecutorOutput;

/**
 * The metadata of an evaluation's KFP v2 metrics artifacts, which the KFP 2 and Vertex AI Pipelines
 * UIs render on the run page: the shapes KFP's Python {@code Metrics.log_metric} and {@code
 * ClassificationMetrics.log_confusion_matrix} write.
 *
 * <ul>
 *   <li>{@code system.Metrics}: one entry per computed {@link Metric}, {@code {"accuracy": 0.7005,
 *       "balanced_accuracy": 0.51, ...}}, plain decimals;
 *   <li>{@code system.ClassificationMetrics}: the confusion matrix, {@code {"confusionMatrix":
 *       {"annotationSpecs": [{"displayName": "0"}, ...], "rows": [{"row": [812, 140, ...]},
 *       ...]}}}, row {@code t} column {@code p} counting the rows of true class {@code t} predicted
 *       as {@code p}, classes in the matrix's order.
 * </ul>
 */
public final class MetricsArtifacts {
    /** The type of the scalar metrics artifact. */
    public static final String METRICS = "system.Metrics";

    /** The type of the confusion-matrix artifact. */
    public static final String CLASSIFICATION_METRICS = "system.ClassificationMetrics";

    private MetricsArtifacts() {}

    /**
     * @param metrics the evaluation
     * @return the {@code system.Metrics} metadata
     */
    public static ObjectNode metrics(ClassificationMetrics metrics) {
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        metrics.values()
                .forEach(
                        (metric, value) ->
                                metadata.set(metric.metricName(), ExecutorOutput.decimal(value)));
        return metadata;
    }

    /**
     * @param metrics the evaluation
     * @return the {@code system.ClassificationMetrics} metadata
     */
    public static ObjectNode confusionMatrix(ClassificationMetrics metrics) {
        ConfusionMatrix matrix = metrics.confusionMatrix();
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        ObjectNode confusion = metadata.putObject("confusionMatrix");
        ArrayNode specs = confusion.putArray("annotationSpecs");
        ArrayNode rows = confusion.putArray("rows");
        int k = matrix.labels().size();
        for (int t = 0; t < k; t++) {
            specs.addObject().put("displayName", matrix.labels().get(t));
            ArrayNode row = rows.addObject().putArray("row");
            for (int p = 0; p < k; p++) {
                row.add(matrix.count(t, p));
            }
        }
        return metadata;
    }
}
