package dev.kfptribuo.evaluation;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Computes every {@link Metric} from a confusion matrix and, for log loss, the probability each
 * row's model gave its true label. See {@link Metric} for the definitions and the 0/0 rule.
 */
public final class ClassificationMetrics {
    /** scikit-learn's clip for log loss: the float64 machine epsilon. */
    static final double LOG_LOSS_EPSILON = Math.ulp(1.0);

    private final ConfusionMatrix matrix;
    private final List<PerClass> perClass;
    private final Map<Metric, Double> values;

    /**
     * Precision, recall, F1 and support of one class.
     *
     * @param label the class
     * @param precision its precision, 0 if never predicted
     * @param recall its recall, 0 if never true
     * @param f1 harmonic mean of the two, 0 if both are 0
     * @param support rows whose true class it is
     */
    public record PerClass(
            String label, double precision, double recall, double f1, long support) {}

    private ClassificationMetrics(
            ConfusionMatrix matrix, List<PerClass> perClass, Map<Metric, Double> values) {
        this.matrix = matrix;
        this.perClass = perClass;
        this.values = values;
    }

    /**
     * @param matrix the confusion matrix
     * @param trueLabelProbabilities per row, the probability the model gave the true label, or null
     *     when the model is not probabilistic (then {@link Metric#LOG_LOSS} is absent)
     * @return the metrics
     * @throws IllegalArgumentException if the matrix is empty
     */
    public static ClassificationMetrics compute(
            ConfusionMatrix matrix, double[] trueLabelProbabilities) {
        long total = matrix.total();
        if (total == 0) {
            throw new IllegalArgumentException("no rows to evaluate");
        }
        int k = matrix.labels().size();
        PerClass[] classes = new PerClass[k];
        long correct = 0;
        double[] sums = new double[3];
        double[] weighted = new double[3];
        for (int c = 0; c < k; c++) {
            long tp = matrix.count(c, c);
            correct += tp;
            long support = matrix.trueCount(c);
            double precision = ratio(tp, matrix.predictedCount(c));
            double recall = ratio(tp, support);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new PerClass(matrix.labels().get(c), precision, recall, f1, support);
            double[] values = {precision, recall, f1};
            for (int m = 0; m < 3; m++) {
                sums[m] += values[m];
                weighted[m] += values[m] * support;
            }
        }
        double accuracy = ratio(correct, total);
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        values.put(Metric.ACCURACY, accuracy);
        values.put(Metric.BALANCED_ACCURACY, sums[1] / k);
        values.put(Metric.PRECISION_MACRO, sums[0] / k);
        values.put(Metric.RECALL_MACRO, sums[1] / k);
        values.put(Metric.F1_MACRO, sums[2] / k);
        values.put(Metric.PRECISION_WEIGHTED, weighted[0] / total);
        values.put(Metric.RECALL_WEIGHTED, weighted[1] / total);
        values.put(Metric.F1_WEIGHTED, weighted[2] / total);
        // Single-label: every miss is one false positive and one false negative, so micro P = R =
        // F1 = accuracy.
        values.put(Metric.PRECISION_MICRO, accuracy);
        values.put(Metric.RECALL_MICRO, accuracy);
        values.put(Metric.F1_MICRO, accuracy);
        if (trueLabelProbabilities != null) {
            double sum = 0;
            for (double p : trueLabelProbabilities) {
                double clipped = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p));
                sum -= Math.log(clipped);
            }
            values.put(Metric.LOG_LOSS, sum / trueLabelProbabilities.length);
        }
        return new ClassificationMetrics(matrix, List.of(classes), values);
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : numerator / (double) denominator;
    }

    /**
     * @return the confusion matrix the metrics came from
     */
    public ConfusionMatrix confusionMatrix() {
        return matrix;
    }

    /**
     * @return precision, recall, F1 and support per class, in the matrix's label order
     */
    public List<PerClass> perClass() {
        return perClass;
    }

    /**
     * @return every computed metric, in {@link Metric} order; finite
     */
    public Map<Metric, Double> values() {
        return values;
    }

    /**
     * @param metric a metric
     * @return its value
     * @throws IllegalArgumentException if it was not computed (log loss of a non-probabilistic
     *     model)
     */
    public double value(Metric metric) {
        Double value = values.get(metric);
        if (value == null) {
            throw new IllegalArgumentException(
                    metric.metricName()
                            + " needs class probabilities, and this model gives none (train it with --loss log)");
        }
        return value;
    }
}
