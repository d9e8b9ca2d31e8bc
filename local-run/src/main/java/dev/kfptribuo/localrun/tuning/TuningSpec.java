package dev.kfptribuo.localrun.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kfptribuo.tuning.Goal;
import dev.kfptribuo.tuning.ParameterSpec;
import dev.kfptribuo.tuning.TuningJobDocuments;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An AI Platform Training {@code HyperparameterSpec} ({@code trainingInput.hyperparameters}): what
 * the local tuning service searches and how.
 *
 * <p>Read from the lab's {@code hypertune_settings}: a {@code trainingInput} object holding {@code
 * hyperparameters}, written as a Python literal ({@link PythonLiteral}); a bare {@code
 * HyperparameterSpec} object is accepted too. Fields and defaults are the API's: {@code goal}
 * (required), {@code params} (required), {@code maxTrials} (1), {@code maxParallelTrials} (1),
 * {@code maxFailedTrials} (0: the service decides; here, failed trials never stop the study),
 * {@code hyperparameterMetricTag} ({@code training/hptuning/metric}), {@code
 * enableTrialEarlyStopping} (false), {@code algorithm} ({@code ALGORITHM_UNSPECIFIED}). {@code
 * resumePreviousJobId} is refused. Other {@code trainingInput} fields (scale tier, region, machine
 * types) mean nothing on one machine and are ignored.
 *
 * @param goal MAXIMIZE or MINIMIZE
 * @param metricTag the metric the trials report
 * @param maxTrials trials to run, &gt;= 1
 * @param maxParallelTrials trials run at once, &gt;= 1
 * @param maxFailedTrials failed trials that fail the job, 0 for no limit
 * @param earlyStopping {@code enableTrialEarlyStopping}: recorded; trials report one final
 *     measurement, so there is nothing to stop a trial early on
 * @param algorithm the search algorithm
 * @param params the searched parameters, in the spec's order (the type job documents use too)
 * @param document the spec as JSON (Python's True written as true), for the job document
 */
public record TuningSpec(
        Goal goal,
        String metricTag,
        int maxTrials,
        int maxParallelTrials,
        int maxFailedTrials,
        boolean earlyStopping,
        Algorithm algorithm,
        List<ParameterSpec> params,
        JsonNode document) {

    /**
     * The metric tag AI Platform uses when the spec names none: the one its job documents fall back
     * to.
     */
    public static final String DEFAULT_METRIC_TAG =
            TuningJobDocuments.AI_PLATFORM_DEFAULT_METRIC_TAG;

    /** {@code HyperparameterSpec.algorithm}. */
    public enum Algorithm {
        /**
         * The service's default: Bayesian optimisation in the cloud; here a Halton sequence (see
         * {@link SearchStrategy}).
         */
        ALGORITHM_UNSPECIFIED,
        /** Every combination of the (discrete) values, in order. */
        GRID_SEARCH,
        /** Independent uniform draws in the scaled space. */
        RANDOM_SEARCH
    }

    /** Copies the list. */
    public TuningSpec {
        params = List.copyOf(params);
    }

    /**
     * Reads a tuning spec.
     *
     * @param text the {@code hypertune_settings} text: a Python literal or JSON
     * @param origin what the text is, for messages
     * @return the spec
     * @throws IllegalArgumentException naming the field, if the text is not a valid spec
     */
    public static TuningSpec parse(String text, String origin) {
        JsonNode root = PythonLiteral.parse(text, origin);
        if (!root.isObject()) {
            throw new IllegalArgumentException(
                    origin + ": expected a dict, found " + root.getNodeType());
        }
        JsonNode spec = root;
        String where = origin;
        if (root.has("hyperparameters")) {
            spec = root.get("hyperparameters");
            where = origin + ": hyperparameters";
            if (!spec.isObject()) {
                throw new IllegalArgumentException(where + " must be a dict");
            }
        } else if (!root.has("params") && !root.has("goal")) {
            throw new IllegalArgumentException(
                    origin
                            + ": has no 'hyperparameters' (a trainingInput) nor "
                            + "'goal' and 'params' (a HyperparameterSpec)");
        }
        if (spec.has("resumePreviousJobId")) {
            throw new IllegalArgumentException(
                    where
                            + ".resumePreviousJobId: resuming a previous study is not supported locally");
        }
        Goal goal;
        String goalText = text(spec, "goal", where, null);
        try {
            goal = Goal.parse(goalText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + e.getMessage(), e);
        }
        String tag = text(spec, "hyperparameterMetricTag", where, DEFAULT_METRIC_TAG);
        if (tag.isBlank()) {
            throw new IllegalArgumentException(where + ".hyperparameterMetricTag is blank");
        }
        int maxTrials = count(spec, "maxTrials", where, 1, 1);
        int maxParallel = count(spec, "maxParallelTrials", where, 1, 1);
        int maxFailed = count(spec, "maxFailedTrials", where, 0, 0);
        JsonNode early = spec.get("enableTrialEarlyStopping");
        if (early != null && !early.isBoolean() && !early.isNull()) {
            throw new IllegalArgumentException(
                    where + ".enableTrialEarlyStopping must be True or False, found " + early);
        }
        Algorithm algorithm;
        String algorithmText =
                text(spec, "algorithm", where, Algorithm.ALGORITHM_UNSPECIFIED.name());
        try {
            algorithm = Algorithm.valueOf(algorithmText.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where
                            + ".algorithm '"
                            + algorithmText
                            + "' is not ALGORITHM_UNSPECIFIED, GRID_SEARCH or RANDOM_SEARCH",
                    e);
        }
        JsonNode paramsNode = spec.get("params");
        if (paramsNode == null || !paramsNode.isArray() || paramsNode.isEmpty()) {
            throw new IllegalArgumentException(where + ".params must be a non-empty list");
        }
        List<ParameterSpec> params = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < paramsNode.size(); i++) {
            ParameterSpec param = param(paramsNode.get(i), where + ".params[" + i + "]");
            if (!names.add(param.name())) {
                throw new IllegalArgumentException(
                        where + ".params[" + i + "]: parameter " + param.name() + " appears twice");
            }
            if (algorithm == Algorithm.GRID_SEARCH && param.type() == ParameterSpec.Type.DOUBLE) {
                throw new IllegalArgumentException(
                        where
                                + ".params["
                                + i
                                + "] ("
                                + param.name()
                                + "): GRID_SEARCH needs INTEGER, DISCRETE or CATEGORICAL parameters, not DOUBLE");
            }
            params.add(param);
        }
        return new TuningSpec(
                goal,
                tag,
                maxTrials,
                maxParallel,
                maxFailed,
                early != null && early.asBoolean(),
                algorithm,
                params,
                spec);
    }

    private static ParameterSpec param(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be a dict");
        }
        String name = text(node, "parameterName", where, null);
        if (name.isBlank()) {
            throw new IllegalArgumentException(where + ".parameterName is blank");
        }
        where = where + " (" + name + ")";
        ParameterSpec.Type type;
        String typeText = text(node, "type", where, null);
        try {
            type = ParameterSpec.Type.valueOf(typeText.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            type = ParameterSpec.Type.UNSPECIFIED;
        }
        if (type == ParameterSpec.Type.UNSPECIFIED) {
            throw new IllegalArgumentException(
                    where
                            + ".type '"
                            + typeText
                            + "' is not DOUBLE, INTEGER, DISCRETE or CATEGORICAL");
        }
        ParameterSpec.Scale scale;
        String scaleText = text(node, "scaleType", where, ParameterSpec.Scale.NONE.name());
        try {
            scale = ParameterSpec.Scale.valueOf(scaleText.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where
                            + ".scaleType '"
                            + scaleText
                            + "' is not NONE, UNIT_LINEAR_SCALE, "
                            + "UNIT_LOG_SCALE or UNIT_REVERSE_LOG_SCALE",
                    e);
        }
        boolean logScale =
                scale == ParameterSpec.Scale.UNIT_LOG_SCALE
                        || scale == ParameterSpec.Scale.UNIT_REVERSE_LOG_SCALE;
        Double min = null;
        Double max = null;
        List<Double> discrete = List.of();
        List<String> categorical = List.of();
        switch (type) {
            case DOUBLE:
            case INTEGER:
                {
                    min = number(node, "minValue", where);
                    max = number(node, "maxValue", where);
                    if (type == ParameterSpec.Type.INTEGER
                            && (min != Math.rint(min) || max != Math.rint(max))) {
                        throw new IllegalArgumentException(
                                where + ": an INTEGER parameter needs whole minValue and maxValue");
                    }
                    if (type == ParameterSpec.Type.DOUBLE ? !(min < max) : !(min <= max)) {
                        throw new IllegalArgumentException(
                                where
                                        + ": minValue "
                                        + min
                                        + " must be "
                                        + (type == ParameterSpec.Type.DOUBLE ? "below" : "at most")
                                        + " maxValue "
                                        + max);
                    }
                    if (logScale && !(min > 0)) {
                        throw new IllegalArgumentException(
                                where + ": " + scale + " needs minValue > 0");
                    }
                    break;
                }
            case DISCRETE:
                {
                    JsonNode values = node.get("discreteValues");
                    if (values == null || !values.isArray() || values.isEmpty()) {
                        throw new IllegalArgumentException(
                                where + ".discreteValues must be a non-empty list of numbers");
                    }
                    List<Double> list = new ArrayList<>();
                    for (JsonNode v : values) {
                        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                            throw new IllegalArgumentException(
                                    where + ".discreteValues holds " + v + ", not a number");
                        }
                        if (!list.isEmpty() && !(v.doubleValue() > list.get(list.size() - 1))) {
                            throw new IllegalArgumentException(
                                    where + ".discreteValues must be in increasing order");
                        }
                        list.add(v.doubleValue());
                    }
                    if (logScale && !(list.get(0) > 0)) {
                        throw new IllegalArgumentException(
                                where + ": " + scale + " needs positive discreteValues");
                    }
                    discrete = list;
                    break;
                }
            default:
                {
                    JsonNode values = node.get("categoricalValues");
                    if (values == null || !values.isArray() || values.isEmpty()) {
                        throw new IllegalArgumentException(
                                where + ".categoricalValues must be a non-empty list of strings");
                    }
                    List<String> list = new ArrayList<>();
                    for (JsonNode v : values) {
                        if (!v.isTextual()) {
                            throw new IllegalArgumentException(
                                    where + ".categoricalValues holds " + v + ", not a string");
                        }
                        if (list.contains(v.textValue())) {
                            throw new IllegalArgumentException(
                                    where
                                            + ".categoricalValues holds '"
                                            + v.textValue()
                                            + "' twice");
                        }
                        list.add(v.textValue());
                    }
                    categorical = list;
                    scale = ParameterSpec.Scale.NONE;
                }
        }
        return new ParameterSpec(name, type, min, max, discrete, categorical, scale);
    }

    private static String text(JsonNode node, String field, String where, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(where + "." + field + " is missing");
            }
            return fallback;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(
                    where + "." + field + " must be a string, found " + value);
        }
        return value.textValue();
    }

    private static int count(JsonNode node, String field, String where, int fallback, int min) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
            throw new IllegalArgumentException(
                    where + "." + field + " must be a whole number >= " + min + ", found " + value);
        }
        return value.intValue();
    }

    private static double number(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw new IllegalArgumentException(
                    where
                            + "."
                            + field
                            + (value == null
                                    ? " is missing"
                                    : " must be a number, found " + value));
        }
        return value.doubleValue();
    }

    /**
     * @return the trials run at once: maxParallelTrials, at most maxTrials
     */
    public int parallelism() {
        return Math.min(maxParallelTrials, maxTrials);
    }
}
