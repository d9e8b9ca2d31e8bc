package dev.kfptribuo.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kfptribuo.io.JsonErrors;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the documents of the two tuning services into a {@link TuningJob}.
 *
 * <p><b>AI Platform Training v1</b>, the {@code Job} of {@code GET
 * https://ml.googleapis.com/v1/projects/{project}/jobs/{job}}: {@code jobId}, {@code state} ({@code
 * QUEUED, PREPARING, RUNNING, SUCCEEDED, FAILED, CANCELLING, CANCELLED}), {@code errorMessage},
 * {@code trainingInput.hyperparameters {goal, hyperparameterMetricTag, params[{parameterName, type,
 * discreteValues, ...}]}} and {@code trainingOutput {completedTrialCount,
 * isHyperparameterTuningJob, hyperparameterMetricTag, trials[{trialId, hyperparameters: {name:
 * "value"}, finalMetric {trainingStep, objectiveValue}, state, isTrialStoppedEarly}]}}. The
 * objective is {@code finalMetric.objectiveValue} under the metric tag of {@code trainingOutput}
 * (else {@code trainingInput}, else the service's default {@code training/hptuning/metric}). A
 * trial succeeded when its {@code state} is {@code SUCCEEDED}; a trial without a {@code state} (the
 * field came later; the API documents the list as "one for each successful trial") counts as
 * succeeded when it has a final metric.
 *
 * <p><b>Vertex AI</b>, the {@code HyperparameterTuningJob} of {@code GET
 * https://{location}-aiplatform.googleapis.com/v1/{name}}: {@code name}, {@code state} ({@code
 * JOB_STATE_SUCCEEDED} etc.), {@code error.message}, {@code studySpec {metrics[{metricId, goal}],
 * parameters[{parameterId, doubleValueSpec | integerValueSpec | discreteValueSpec {values} |
 * categoricalValueSpec}]}} and {@code trials[{id, state, parameters[{parameterId, value}],
 * finalMeasurement {stepCount, metrics[{metricId, value}]}, infeasibleReason}]}. A trial succeeded
 * when its {@code state} is {@code SUCCEEDED} ({@code INFEASIBLE}, {@code ACTIVE}, {@code
 * STOPPING}, {@code REQUESTED} did not).
 *
 * <p>Numbers may come as JSON numbers or as strings (protobuf's JSON mapping writes int64 and the
 * special doubles {@code "NaN"}, {@code "Infinity"} as strings). Unknown fields are ignored. A
 * document that is not JSON, has a field of the wrong shape, or lacks what choosing a trial needs
 * (a goal, a metric, trial ids) is refused with an {@link IllegalArgumentException} naming where it
 * came from and the field.
 */
public final class TuningJobDocuments {
    /** The metric tag AI Platform uses when a job names none. */
    public static final String AI_PLATFORM_DEFAULT_METRIC_TAG = "training/hptuning/metric";

    private static final ObjectMapper JSON =
            JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private TuningJobDocuments() {}

    /**
     * Reads a document of either service, recognised by its fields: {@code jobId}, {@code
     * trainingInput} or {@code trainingOutput} for AI Platform; {@code studySpec}, {@code
     * trialJobSpec} or a {@code .../hyperparameterTuningJobs/...} name for Vertex AI.
     *
     * @param json the document's bytes (UTF-8 JSON)
     * @param origin where it came from, for messages
     * @return the job
     * @throws IllegalArgumentException if it is not JSON, is neither kind, or is malformed
     */
    public static TuningJob parse(byte[] json, String origin) {
        JsonNode root = tree(json, origin);
        boolean aiPlatform =
                root.has("jobId") || root.has("trainingInput") || root.has("trainingOutput");
        boolean vertex =
                root.has("studySpec")
                        || root.has("trialJobSpec")
                        || root.path("name").asText("").contains("/hyperparameterTuningJobs/");
        if (aiPlatform == vertex) {
            String kinds =
                    " an AI Platform Training job (jobId, trainingInput, trainingOutput) %s a Vertex AI"
                            + " HyperparameterTuningJob (name, studySpec, trials)";
            throw new IllegalArgumentException(
                    origin
                            + ": "
                            + (aiPlatform
                                    ? "has fields of both" + String.format(kinds, "and")
                                    : "is neither" + String.format(kinds, "nor")));
        }
        return aiPlatform ? aiPlatform(root, origin) : vertex(root, origin);
    }

    /**
     * @param json an AI Platform Training v1 {@code Job} (UTF-8 JSON)
     * @param origin where it came from, for messages
     * @return the job
     * @throws IllegalArgumentException if it is not JSON, not a tuning job, or malformed
     */
    public static TuningJob parseAiPlatform(byte[] json, String origin) {
        return aiPlatform(tree(json, origin), origin);
    }

    /**
     * @param json a Vertex AI {@code HyperparameterTuningJob} (UTF-8 JSON)
     * @param origin where it came from, for messages
     * @return the job
     * @throws IllegalArgumentException if it is not JSON or malformed
     */
    public static TuningJob parseVertex(byte[] json, String origin) {
        return vertex(tree(json, origin), origin);
    }

    private static JsonNode tree(byte[] json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    origin + ": not valid JSON: " + JsonErrors.describe(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": cannot read JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    origin
                            + ": expected a JSON object, got "
                            + (root == null || root.isMissingNode()
                                    ? "nothing"
                                    : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        return root;
    }

    private static <T> T bind(JsonNode root, Class<T> type, String origin) {
        try {
            return JSON.treeToValue(root, type);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(
                    origin
                            + ": field "
                            + JsonErrors.path(e)
                            + " has the wrong shape: "
                            + JsonErrors.describe(e).replaceFirst("^field [^:]*: ", ""),
                    e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(origin + ": " + JsonErrors.describe(e), e);
        }
    }

    // ---- AI Platform Training v1 -------------------------------------------------------------

    record AiPlatformJob(
            String jobId,
            String state,
            String errorMessage,
            TrainingInput trainingInput,
            TrainingOutput trainingOutput) {}

    record TrainingInput(HyperparameterSpec hyperparameters) {}

    record HyperparameterSpec(
            String goal, String hyperparameterMetricTag, List<AiPlatformParameter> params) {}

    record AiPlatformParameter(String parameterName, String type, List<Double> discreteValues) {}

    record TrainingOutput(
            String completedTrialCount,
            Boolean isHyperparameterTuningJob,
            String hyperparameterMetricTag,
            List<HyperparameterOutput> trials) {}

    record HyperparameterOutput(
            String trialId,
            String state,
            Map<String, JsonNode> hyperparameters,
            HyperparameterMetric finalMetric,
            Boolean isTrialStoppedEarly) {}

    record HyperparameterMetric(JsonNode trainingStep, JsonNode objectiveValue) {}

    private static TuningJob aiPlatform(JsonNode root, String origin) {
        AiPlatformJob doc = bind(root, AiPlatformJob.class, origin);
        String name = blank(doc.jobId()) ? "(no jobId)" : doc.jobId();
        String where = origin + ": AI Platform Training job " + name;
        HyperparameterSpec spec =
                doc.trainingInput() == null ? null : doc.trainingInput().hyperparameters();
        TrainingOutput output = doc.trainingOutput();
        if (spec == null) {
            boolean saysTuning =
                    output != null
                            && (Boolean.TRUE.equals(output.isHyperparameterTuningJob())
                                    || output.trials() != null);
            throw new IllegalArgumentException(
                    where
                            + (saysTuning
                                    ? ": has no trainingInput.hyperparameters, so its goal is unknown"
                                    : " is not a hyperparameter tuning job (no trainingInput.hyperparameters)"));
        }
        Goal goal;
        try {
            goal = Goal.parse(spec.goal());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": trainingInput.hyperparameters." + e.getMessage(), e);
        }
        String tag =
                !blank(output == null ? null : output.hyperparameterMetricTag())
                        ? output.hyperparameterMetricTag()
                        : !blank(spec.hyperparameterMetricTag())
                                ? spec.hyperparameterMetricTag()
                                : AI_PLATFORM_DEFAULT_METRIC_TAG;

        List<ParameterSpec> parameters = new ArrayList<>();
        for (AiPlatformParameter p : nonNull(spec.params())) {
            if (p != null && !blank(p.parameterName())) {
                parameters.add(
                        new ParameterSpec(
                                p.parameterName(),
                                type(p.type()),
                                withoutNulls(p.discreteValues())));
            }
        }

        List<Trial> trials = new ArrayList<>();
        List<HyperparameterOutput> outputs = output == null ? List.of() : nonNull(output.trials());
        for (int i = 0; i < outputs.size(); i++) {
            HyperparameterOutput t = outputs.get(i);
            String field = "trainingOutput.trials[" + i + "]";
            if (t == null) {
                continue;
            }
            if (blank(t.trialId())) {
                throw new IllegalArgumentException(where + ": " + field + " has no trialId");
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (t.finalMetric() != null && present(t.finalMetric().objectiveValue())) {
                metrics.put(
                        tag,
                        metricNumber(
                                t.finalMetric().objectiveValue(),
                                where + ": " + field + ".finalMetric.objectiveValue"));
            }
            boolean succeeded =
                    "SUCCEEDED".equals(upper(t.state()))
                            || (t.state() == null && !metrics.isEmpty());
            Map<String, HyperparameterValue> values = new LinkedHashMap<>();
            if (t.hyperparameters() != null) {
                for (Map.Entry<String, JsonNode> e : t.hyperparameters().entrySet()) {
                    values.put(
                            e.getKey(),
                            value(
                                    e.getValue(),
                                    where + ": " + field + ".hyperparameters." + e.getKey()));
                }
            }
            String note = Boolean.TRUE.equals(t.isTrialStoppedEarly()) ? "stopped early" : null;
            trials.add(new Trial(t.trialId(), t.state(), succeeded, metrics, values, note));
        }
        return new TuningJob(
                TuningJob.Service.AI_PLATFORM,
                name,
                origin,
                doc.state(),
                doc.errorMessage(),
                List.of(new Objective(tag, goal)),
                parameters,
                trials);
    }

    // ---- Vertex AI ------------------------------------------------------------------------------

    record VertexJob(
            String name,
            String displayName,
            String state,
            Status error,
            StudySpec studySpec,
            List<VertexTrial> trials) {}

    record Status(JsonNode code, String message) {}

    record StudySpec(List<MetricSpec> metrics, List<VertexParameter> parameters) {}

    record MetricSpec(String metricId, String goal) {}

    record VertexParameter(
            String parameterId,
            JsonNode doubleValueSpec,
            JsonNode integerValueSpec,
            DiscreteValueSpec discreteValueSpec,
            JsonNode categoricalValueSpec) {}

    record DiscreteValueSpec(List<Double> values) {}

    record VertexTrial(
            String id,
            String state,
            List<TrialParameter> parameters,
            Measurement finalMeasurement,
            String infeasibleReason) {}

    record TrialParameter(String parameterId, JsonNode value) {}

    record Measurement(JsonNode stepCount, List<MetricValue> metrics) {}

    record MetricValue(String metricId, JsonNode value) {}

    private static TuningJob vertex(JsonNode root, String origin) {
        VertexJob doc = bind(root, VertexJob.class, origin);
        String name = blank(doc.name()) ? "(no name)" : doc.name();
        String where = origin + ": Vertex AI hyperparameter tuning job " + name;
        StudySpec spec = doc.studySpec();
        if (spec == null || nonNull(spec.metrics()).isEmpty()) {
            throw new IllegalArgumentException(
                    where + ": has no studySpec.metrics, so its goal is unknown");
        }
        List<Objective> objectives = new ArrayList<>();
        for (int i = 0; i < spec.metrics().size(); i++) {
            MetricSpec m = spec.metrics().get(i);
            String field = "studySpec.metrics[" + i + "]";
            if (m == null || blank(m.metricId())) {
                throw new IllegalArgumentException(where + ": " + field + " has no metricId");
            }
            try {
                objectives.add(new Objective(m.metricId(), Goal.parse(m.goal())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + field + "." + e.getMessage(), e);
            }
        }

        List<ParameterSpec> parameters = new ArrayList<>();
        for (VertexParameter p : nonNull(spec.parameters())) {
            if (p == null || blank(p.parameterId())) {
                continue;
            }
            ParameterSpec.Type type =
                    p.doubleValueSpec() != null
                            ? ParameterSpec.Type.DOUBLE
                            : p.integerValueSpec() != null
                                    ? ParameterSpec.Type.INTEGER
                                    : p.discreteValueSpec() != null
                                            ? ParameterSpec.Type.DISCRETE
                                            : p.categoricalValueSpec() != null
                                                    ? ParameterSpec.Type.CATEGORICAL
                                                    : ParameterSpec.Type.UNSPECIFIED;
            List<Double> discrete =
                    p.discreteValueSpec() == null
                            ? List.of()
                            : withoutNulls(p.discreteValueSpec().values());
            parameters.add(new ParameterSpec(p.parameterId(), type, discrete));
        }

        List<Trial> trials = new ArrayList<>();
        List<VertexTrial> docTrials = nonNull(doc.trials());
        for (int i = 0; i < docTrials.size(); i++) {
            VertexTrial t = docTrials.get(i);
            String field = "trials[" + i + "]";
            if (t == null) {
                continue;
            }
            if (blank(t.id())) {
                throw new IllegalArgumentException(where + ": " + field + " has no id");
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (t.finalMeasurement() != null) {
                List<MetricValue> values = nonNull(t.finalMeasurement().metrics());
                for (int j = 0; j < values.size(); j++) {
                    MetricValue m = values.get(j);
                    if (m != null && !blank(m.metricId()) && present(m.value())) {
                        metrics.put(
                                m.metricId(),
                                metricNumber(
                                        m.value(),
                                        where
                                                + ": "
                                                + field
                                                + ".finalMeasurement.metrics["
                                                + j
                                                + "].value"));
                    }
                }
            }
            Map<String, HyperparameterValue> values = new LinkedHashMap<>();
            List<TrialParameter> docParameters = nonNull(t.parameters());
            for (int j = 0; j < docParameters.size(); j++) {
                TrialParameter p = docParameters.get(j);
                if (p == null || blank(p.parameterId())) {
                    throw new IllegalArgumentException(
                            where + ": " + field + ".parameters[" + j + "] has no parameterId");
                }
                values.put(
                        p.parameterId(),
                        value(p.value(), where + ": " + field + ".parameters[" + j + "].value"));
            }
            boolean succeeded = "SUCCEEDED".equals(upper(t.state()));
            String note = blank(t.infeasibleReason()) ? null : t.infeasibleReason();
            trials.add(new Trial(t.id(), t.state(), succeeded, metrics, values, note));
        }
        String error =
                doc.error() == null || blank(doc.error().message()) ? null : doc.error().message();
        return new TuningJob(
                TuningJob.Service.VERTEX_AI,
                name,
                origin,
                doc.state(),
                error,
                objectives,
                parameters,
                trials);
    }

    // ---- helpers
    // ----------------------------------------------------------------------------------

    private static ParameterSpec.Type type(String text) {
        try {
            return text == null
                    ? ParameterSpec.Type.UNSPECIFIED
                    : ParameterSpec.Type.valueOf(upper(text));
        } catch (IllegalArgumentException e) {
            return ParameterSpec.Type.UNSPECIFIED;
        }
    }

    private static HyperparameterValue value(JsonNode node, String where) {
        try {
            return HyperparameterValue.of(node);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * A metric: a JSON number, or a string holding a decimal number or protobuf's
     * NaN/Infinity/-Infinity.
     */
    private static double metricNumber(JsonNode node, String where) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            String text = node.textValue().strip();
            switch (text) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return new BigDecimal(text).doubleValue();
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                where + ": '" + text + "' is not a number", e);
                    }
            }
        }
        throw new IllegalArgumentException(where + ": expected a number, got " + node);
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static String upper(String text) {
        return text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <T> List<T> withoutNulls(List<T> list) {
        return nonNull(list).stream().filter(Objects::nonNull).toList();
    }
}
