package dev.kfptribuo.evaluation;

import dev.kfptribuo.io.KfpOutputs;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The metrics {@code evaluate_model} computes, named as scikit-learn's scorers name them.
 *
 * <p>Averages: {@code macro} is the unweighted mean over classes, {@code weighted} the mean
 * weighted by each class's true count (support), {@code micro} pools every decision (for
 * single-label data micro precision, recall and F1 all equal accuracy). The classes are those that
 * occur as a true or a predicted label, as scikit-learn's default {@code labels}. A ratio whose
 * denominator is 0 (precision of a class never predicted, recall of a class never true, F1 when
 * both are 0) is 0, scikit-learn's {@code zero_division=0}; no metric is ever NaN or infinite.
 *
 * <p>The lab's names keep working: {@code accuracy}, and {@code recall}, which the lab computed
 * with scikit-learn's binary default (an error for seven classes) and which here means {@code
 * recall_macro}; {@code precision} and {@code f1} likewise mean their macro averages.
 */
public enum Metric {
    /** Fraction of rows predicted right. */
    ACCURACY("accuracy"),
    /** Mean recall over classes: scikit-learn's {@code balanced_accuracy_score}. */
    BALANCED_ACCURACY("balanced_accuracy"),
    /** Precision, macro average. */
    PRECISION_MACRO("precision_macro"),
    /** Precision, micro average. */
    PRECISION_MICRO("precision_micro"),
    /** Precision, support-weighted average. */
    PRECISION_WEIGHTED("precision_weighted"),
    /** Recall, macro average. */
    RECALL_MACRO("recall_macro"),
    /** Recall, micro average. */
    RECALL_MICRO("recall_micro"),
    /** Recall, support-weighted average. */
    RECALL_WEIGHTED("recall_weighted"),
    /** F1, macro average. */
    F1_MACRO("f1_macro"),
    /** F1, micro average. */
    F1_MICRO("f1_micro"),
    /** F1, support-weighted average. */
    F1_WEIGHTED("f1_weighted"),
    /**
     * Mean negative log-likelihood of the true label under the model's probabilities, clipped to
     * [eps, 1 - eps] with eps the double machine epsilon, as scikit-learn's {@code log_loss}; lower
     * is better. Only for probabilistic models (the trainer's {@code --loss log}).
     */
    LOG_LOSS("log_loss");

    private static final Map<String, Metric> ALIASES =
            Map.of("recall", RECALL_MACRO, "precision", PRECISION_MACRO, "f1", F1_MACRO);

    private final String metricName;

    Metric(String metricName) {
        this.metricName = metricName;
    }

    /**
     * @return the documented name, e.g. {@code f1_weighted}; a valid KFP metric name
     */
    public String metricName() {
        return metricName;
    }

    /**
     * @return true for every metric but {@link #LOG_LOSS}, where lower is better
     */
    public boolean higherIsBetter() {
        return this != LOG_LOSS;
    }

    /**
     * The value of the worst possible model, which {@code evaluate_model} compares with when it has
     * no baseline: 0 for the scores in [0, 1]; for {@link #LOG_LOSS}, whose probabilities are
     * clipped at eps, {@code -ln(eps)} (about 36.04), the loss of a model that gives every true
     * label probability 0.
     *
     * @return the metric's worst value, finite
     */
    public double worstValue() {
        return this == LOG_LOSS ? -Math.log(ClassificationMetrics.LOG_LOSS_EPSILON) : 0.0;
    }

    /**
     * How much better a value is than a baseline's, in the metric's own units: {@code value -
     * baseline} when higher is better, {@code baseline - value} for {@link #LOG_LOSS}; positive
     * exactly when {@code value} is better. Computed on the shortest decimals of both (the text of
     * the Float outputs), so that {@code 0.7} against {@code 0.69} gives {@code 0.01}.
     *
     * @param value the new model's value, finite
     * @param baseline the baseline's value, finite
     * @return the improvement
     */
    public double improvement(double value, double baseline) {
        BigDecimal a = new BigDecimal(KfpOutputs.formatFloat(value));
        BigDecimal b = new BigDecimal(KfpOutputs.formatFloat(baseline));
        return (higherIsBetter() ? a.subtract(b) : b.subtract(a)).doubleValue();
    }

    /**
     * @param name a documented name or one of the lab's ({@code accuracy}, {@code recall}, {@code
     *     precision}, {@code f1}), any case
     * @return the metric
     * @throws IllegalArgumentException listing the supported names
     */
    public static Metric parse(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        if (ALIASES.containsKey(key)) {
            return ALIASES.get(key);
        }
        for (Metric metric : values()) {
            if (metric.metricName.equals(key)) {
                return metric;
            }
        }
        throw new IllegalArgumentException(
                "unknown metric '" + name + "'; supported: " + supportedNames());
    }

    /**
     * @return every accepted name, comma-separated
     */
    public static String supportedNames() {
        return Arrays.stream(values()).map(Metric::metricName).collect(Collectors.joining(", "))
                + " (and recall, precision, f1 for the macro averages)";
    }
}
