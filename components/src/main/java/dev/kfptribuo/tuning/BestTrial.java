package dev.kfptribuo.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kfptribuo.io.PythonFloats;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The best trial of a finished tuning job, chosen by the job's own goal and metric.
 *
 * <p>The rules of {@link #choose(TuningJob)}:
 *
 * <ul>
 *   <li>The job must have finished ({@link TuningJob#finished()}): a queued, running, cancelling or
 *       paused job is refused, since its best trial may still change. A job that FAILED, was
 *       CANCELLED or EXPIRED is used: its succeeded trials are complete and valid results; the
 *       caller should say that the job did not succeed ({@link TuningJob#succeeded()}).
 *   <li>The job must optimise exactly one metric (a multi-objective Vertex AI study has no single
 *       best trial).
 *   <li>Trials that did not succeed, have no final value of that metric, or whose value is NaN or
 *       infinite are skipped, each with a reason in {@link #skipped()}.
 *   <li>Of the rest, the one with the largest (MAXIMIZE) or smallest (MINIMIZE) value wins,
 *       wherever it is in the list (neither API promises an order); on a tie, the lowest trial id
 *       (the earliest trial) wins.
 *   <li>No usable trial is an error that lists why each trial was skipped.
 * </ul>
 *
 * <p>Hyperparameters are looked up by name, never by position.
 *
 * @param job the job
 * @param objective the metric and goal the trial was chosen by
 * @param trial the best trial
 * @param metricValue its final value of the objective's metric, finite
 * @param skipped why each unusable trial was skipped, e.g. {@code trial 4: state FAILED}
 */
public record BestTrial(
        TuningJob job, Objective objective, Trial trial, double metricValue, List<String> skipped) {
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    /** Copies the list. */
    public BestTrial {
        skipped = List.copyOf(skipped);
    }

    /**
     * Chooses the best trial of a job.
     *
     * @param job a tuning job
     * @return its best trial
     * @throws TuningJobException if the job has not finished, has several metrics, or has no usable
     *     trial
     */
    public static BestTrial choose(TuningJob job) {
        if (!job.finished()) {
            throw new TuningJobException(
                    job.describe()
                            + " is "
                            + (job.state() == null ? "in no state" : job.state())
                            + ", not finished: its best trial may still change; run this step after the job ends");
        }
        if (job.objectives().size() != 1) {
            throw new TuningJobException(
                    job.describe()
                            + " optimises "
                            + job.objectives().size()
                            + " metrics ("
                            + job.objectives().stream()
                                    .map(Objective::metric)
                                    .collect(Collectors.joining(", "))
                            + "): a multi-objective job has no single best trial");
        }
        Objective objective = job.objectives().get(0);
        List<String> skipped = new ArrayList<>();
        Trial best = null;
        double bestValue = Double.NaN;
        for (Trial trial : job.trials()) {
            String prefix = "trial " + trial.id() + ": ";
            if (!trial.succeeded()) {
                skipped.add(
                        prefix
                                + (trial.state() == null
                                        ? "no state and no final metric"
                                        : "state " + trial.state())
                                + (trial.note() == null ? "" : " (" + trial.note() + ")"));
                continue;
            }
            Double value = trial.finalMetrics().get(objective.metric());
            if (value == null) {
                skipped.add(
                        prefix
                                + "no final "
                                + objective.metric()
                                + (trial.finalMetrics().isEmpty()
                                        ? ""
                                        : " (has "
                                                + String.join(", ", trial.finalMetrics().keySet())
                                                + ")"));
                continue;
            }
            if (!Double.isFinite(value)) {
                skipped.add(prefix + objective.metric() + " is " + value);
                continue;
            }
            if (best == null
                    || objective.goal().better(value, bestValue)
                    || (value == bestValue && earlier(trial.id(), best.id()))) {
                best = trial;
                bestValue = value;
            }
        }
        if (best == null) {
            String why = job.trials().isEmpty() ? "it has no trials" : String.join("; ", skipped);
            throw new TuningJobException(
                    job.describe()
                            + " ("
                            + job.state()
                            + ") has no usable trial: "
                            + why
                            + (job.error() == null ? "" : "; job error: " + job.error()));
        }
        return new BestTrial(job, objective, best, bestValue, skipped);
    }

    /**
     * Trial ids are decimal counters ("1", "2", ... "10"); compare them as numbers when they are.
     */
    private static boolean earlier(String id, String other) {
        try {
            return new BigInteger(id.strip()).compareTo(new BigInteger(other.strip())) < 0;
        } catch (NumberFormatException e) {
            return id.compareTo(other) < 0;
        }
    }

    /**
     * @param name a hyperparameter name
     * @return the best trial's value of it, if the trial has one
     */
    public Optional<HyperparameterValue> hyperparameter(String name) {
        return Optional.ofNullable(trial.hyperparameters().get(name));
    }

    /**
     * @param name a hyperparameter name, e.g. {@code alpha}
     * @return its value as a finite double
     * @throws TuningJobException if the trial has no such hyperparameter or its value is not a
     *     number
     */
    public double doubleHyperparameter(String name) {
        HyperparameterValue value = require(name);
        try {
            return value.asDouble();
        } catch (IllegalArgumentException e) {
            throw new TuningJobException(
                    describeTrial() + ": hyperparameter " + name + ": " + e.getMessage());
        }
    }

    /**
     * @param name a hyperparameter name, e.g. {@code max_iter}
     * @return its value as a whole number, from any numeric spelling ({@code 1000}, {@code
     *     "1000.0"}, {@code 1e3})
     * @throws TuningJobException if the trial has no such hyperparameter or its value is not a
     *     whole number
     */
    public long wholeHyperparameter(String name) {
        HyperparameterValue value = require(name);
        try {
            return value.asWholeNumber();
        } catch (IllegalArgumentException e) {
            throw new TuningJobException(
                    describeTrial() + ": hyperparameter " + name + ": " + e.getMessage());
        }
    }

    private HyperparameterValue require(String name) {
        HyperparameterValue value = trial.hyperparameters().get(name);
        if (value == null) {
            throw new TuningJobException(
                    describeTrial()
                            + " has no hyperparameter '"
                            + name
                            + "' (it has: "
                            + (trial.hyperparameters().isEmpty()
                                    ? "none"
                                    : String.join(", ", trial.hyperparameters().keySet()))
                            + ")");
        }
        return value;
    }

    /**
     * All of the trial's hyperparameters as one JSON object, keyed by name in the document's order.
     *
     * <p>Values are typed by the job's declaration of each parameter: CATEGORICAL as strings;
     * INTEGER, and DISCRETE over whole numbers, as JSON integers ({@code 1000}, whatever the
     * service's spelling); DOUBLE and other DISCRETE as decimals in their shortest plain form
     * ({@code 0.00042}, {@code 1000.0}). A parameter the job does not declare keeps the JSON type
     * the service sent it with.
     *
     * @return the object
     * @throws TuningJobException if a numeric parameter's value is not a number of its type
     */
    public ObjectNode hyperparametersJson() {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        trial.hyperparameters().forEach((name, value) -> object.set(name, jsonValue(name, value)));
        return object;
    }

    /**
     * @return {@link #hyperparametersJson()} as compact JSON text, e.g. {@code
     *     {"alpha":0.00042,"max_iter":1000}}
     */
    public String hyperparametersJsonText() {
        try {
            return JSON.writeValueAsString(hyperparametersJson());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode jsonValue(String name, HyperparameterValue value) {
        Optional<ParameterSpec> spec = job.parameter(name);
        try {
            if (spec.isPresent() && spec.get().type() == ParameterSpec.Type.CATEGORICAL) {
                return TextNode.valueOf(value.text());
            }
            if (spec.isPresent() && spec.get().wholeValued()) {
                return LongNode.valueOf(value.asWholeNumber());
            }
            if (spec.isPresent() && spec.get().numeric()) {
                return decimal(value.asDouble());
            }
        } catch (IllegalArgumentException e) {
            throw new TuningJobException(
                    describeTrial()
                            + ": hyperparameter "
                            + name
                            + " ("
                            + spec.get().type()
                            + "): "
                            + e.getMessage());
        }
        if (!value.number()) {
            return TextNode.valueOf(value.text());
        }
        try {
            return BigIntegerNode.valueOf(new BigInteger(value.text()));
        } catch (NumberFormatException notAnInteger) {
            return decimal(value.asDouble());
        }
    }

    private static JsonNode decimal(double value) {
        // DecimalNode.valueOf keeps the scale ("1000.0" stays a float); the JSON factory would
        // strip it.
        return DecimalNode.valueOf(new BigDecimal(PythonFloats.repr(value)));
    }

    /**
     * @return e.g. {@code AI Platform Training job lab_tuning_01: best trial 4}
     */
    public String describeTrial() {
        return job.describe() + ": best trial " + trial.id();
    }
}
