package dev.kfptribuo.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The v2 metrics artifacts' metadata: the shapes of KFP's log_metric and log_confusion_matrix. */
class MetricsArtifactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // y_true = [0,0,0,1,1,2,2,2,2,9], y_pred = [0,0,1,1,0,2,2,0,2,2] (ClassificationMetricsTest's
    // example)
    private static final ClassificationMetrics METRICS =
            ClassificationMetrics.compute(
                    ConfusionMatrix.of(
                            new String[] {"0", "0", "0", "1", "1", "2", "2", "2", "2", "9"},
                            new String[] {"0", "0", "1", "1", "0", "2", "2", "0", "2", "2"}),
                    null);

    @Test
    void metricsHoldEveryMetricByItsName() throws Exception {
        JsonNode metadata = MetricsArtifacts.metrics(METRICS);
        List<String> names = new ArrayList<>();
        metadata.fieldNames().forEachRemaining(names::add);
        List<String> expected = new ArrayList<>();
        METRICS.values()
                .forEach(
                        (metric, value) -> {
                            expected.add(metric.metricName());
                            assertEquals(
                                    value,
                                    metadata.get(metric.metricName()).asDouble(),
                                    metric.metricName());
                        });
        assertEquals(expected, names);
        // Plain decimals, the shortest that read back as the value.
        assertEquals("0.6", metadata.get("accuracy").toString());
        assertEquals(
                METRICS.values().get(Metric.PRECISION_MACRO),
                JSON.readTree(metadata.toString()).get("precision_macro").asDouble());
    }

    @Test
    void theConfusionMatrixAsLogConfusionMatrixWritesIt() throws Exception {
        JsonNode expected =
                JSON.readTree(
                        """
                {"confusionMatrix": {
                   "annotationSpecs": [{"displayName": "0"}, {"displayName": "1"}, {"displayName": "2"}, {"displayName": "9"}],
                   "rows": [{"row": [2, 1, 0, 0]}, {"row": [1, 1, 0, 0]}, {"row": [1, 0, 3, 0]}, {"row": [0, 0, 1, 0]}]}}
                """);
        // As text: the counts are longs here, ints when read back.
        assertEquals(expected.toString(), MetricsArtifacts.confusionMatrix(METRICS).toString());
    }
}
