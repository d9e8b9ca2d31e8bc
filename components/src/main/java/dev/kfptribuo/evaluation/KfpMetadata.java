package dev.kfptribuo.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The Kubeflow Pipelines v1 visualisation files of an evaluation.
 *
 * <p>{@code MLPipeline Metrics}: {@code {"metrics": [{"name", "numberValue", "format": "RAW"}]}},
 * one entry per computed {@link Metric} (at most 50 are allowed; names match KFP's pattern). {@code
 * MLPipeline UI metadata}: {@code {"version": 1, "outputs": [...]}} with a {@code confusion_matrix}
 * viewer (inline CSV of target, predicted, count) and a {@code table} of per-class precision,
 * recall, F1 and support. Formats of the KFP v1 "output viewer" documentation.
 */
public final class KfpMetadata {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();

    private KfpMetadata() {}

    /**
     * @param metrics the evaluation
     * @return the {@code MLPipeline Metrics} JSON
     */
    public static String metricsJson(ClassificationMetrics metrics) {
        List<Map<String, Object>> entries = new ArrayList<>();
        metrics.values()
                .forEach(
                        (metric, value) -> {
                            Map<String, Object> entry = new LinkedHashMap<>();
                            entry.put("name", metric.metricName());
                            entry.put("numberValue", value);
                            entry.put("format", "RAW");
                            entries.add(entry);
                        });
        return write(Map.of("metrics", entries));
    }

    /**
     * @param metrics the evaluation
     * @return the {@code MLPipeline UI metadata} JSON
     */
    public static String uiMetadataJson(ClassificationMetrics metrics) {
        ConfusionMatrix matrix = metrics.confusionMatrix();
        List<List<Object>> cells = new ArrayList<>();
        for (int t = 0; t < matrix.labels().size(); t++) {
            for (int p = 0; p < matrix.labels().size(); p++) {
                cells.add(
                        List.of(
                                matrix.labels().get(t),
                                matrix.labels().get(p),
                                matrix.count(t, p)));
            }
        }
        Map<String, Object> confusion = new LinkedHashMap<>();
        confusion.put("type", "confusion_matrix");
        confusion.put("format", "csv");
        confusion.put(
                "schema",
                List.of(
                        Map.of("name", "target", "type", "CATEGORY"),
                        Map.of("name", "predicted", "type", "CATEGORY"),
                        Map.of("name", "count", "type", "NUMBER")));
        confusion.put("labels", matrix.labels());
        confusion.put("storage", "inline");
        confusion.put("source", csv(cells));

        List<List<Object>> rows = new ArrayList<>();
        for (ClassificationMetrics.PerClass c : metrics.perClass()) {
            rows.add(
                    List.of(
                            c.label(),
                            fixed(c.precision()),
                            fixed(c.recall()),
                            fixed(c.f1()),
                            c.support()));
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("type", "table");
        table.put("format", "csv");
        table.put("header", List.of("class", "precision", "recall", "f1", "support"));
        table.put("storage", "inline");
        table.put("source", csv(rows));

        Map<String, Object> document = new LinkedHashMap<>();
        document.put("version", 1);
        document.put("outputs", List.of(confusion, table));
        return write(document);
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String csv(List<List<Object>> rows) {
        StringBuilder out = new StringBuilder();
        try (CSVPrinter printer = new CSVPrinter(out, CSV)) {
            for (List<Object> row : rows) {
                printer.printRecord(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
