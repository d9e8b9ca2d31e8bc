package dev.kfptribuo.executor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.KfpOutputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/**
 * The executor output of a KFP v2 container component: its output parameters and the artifacts
 * whose URI or metadata it sets, written as one JSON file, of kfp-pipeline-spec's {@code
 * ExecutorOutput} message, to the path the executor input names. KFP's launcher reads it after the
 * step: the parameters feed downstream steps and conditions, the artifacts' metadata is what the
 * KFP 2 and Vertex AI Pipelines UIs render.
 *
 * <pre>{@code
 * {"parameterValues": {"metric_name": "accuracy", "metric_value": 0.7005, "predicted_rows": 10000,
 *                      "hyperparameters": {"alpha": 0.00042, "max_iter": 1000}},
 *  "artifacts": {"metrics": {"artifacts": [{"name": "metrics", "type": {...}, "uri": "gs://...",
 *                                           "metadata": {"accuracy": 0.7005, ...}}]}}}
 * }</pre>
 *
 * <p>An artifact is the executor input's runtime artifact with its metadata (and, where the files
 * live elsewhere, its URI) set, as Google Cloud Pipeline Components write theirs. Numbers are plain
 * decimals, the shortest that read back as the same double ({@link KfpOutputs#formatFloat}), so a
 * parameter holds the same decimal a KFP v1 output file of the same value does. The file is written
 * whole or not at all ({@link KfpOutputs#commit}): a step that fails before {@link #commit} leaves
 * no executor output, and KFP sees no outputs.
 */
public final class ExecutorOutput {
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private final ExecutorInput input;
    private final ObjectNode parameterValues = JSON.createObjectNode();
    private final ObjectNode artifacts = JSON.createObjectNode();

    /**
     * @param input the executor input naming the outputs
     */
    public ExecutorOutput(ExecutorInput input) {
        this.input = input;
    }

    /**
     * @param name a {@code STRING} output parameter the executor input declares
     * @param value its value
     * @return this
     * @throws ExecutorInputException if the executor input does not declare it
     */
    public ExecutorOutput string(String name, String value) {
        return parameter(name, parameterValues.textNode(value));
    }

    /**
     * @param name a {@code NUMBER_DOUBLE} output parameter
     * @param value a finite number
     * @return this
     * @throws IllegalArgumentException if the value is NaN or infinite
     */
    public ExecutorOutput number(String name, double value) {
        return parameter(name, decimal(value));
    }

    /**
     * @param name a {@code NUMBER_INTEGER} output parameter
     * @param value its value
     * @return this
     */
    public ExecutorOutput integer(String name, long value) {
        return parameter(name, parameterValues.numberNode(value));
    }

    /**
     * @param name a {@code STRUCT} output parameter
     * @param value a JSON object
     * @return this
     * @throws IllegalArgumentException if the value is not an object
     */
    public ExecutorOutput struct(String name, JsonNode value) {
        if (!value.isObject()) {
            throw new IllegalArgumentException(
                    name + ": a STRUCT output is a JSON object, got " + value.getNodeType());
        }
        return parameter(name, value.deepCopy());
    }

    private ExecutorOutput parameter(String name, JsonNode value) {
        input.requireParameters(name);
        parameterValues.set(name, value);
        return this;
    }

    /**
     * @param name an output artifact the executor input declares
     * @param schemaTitle its type, such as {@code system.Metrics}
     * @param uri where its files are, or null to keep the URI the executor input gave it
     * @param metadata its metadata (a protobuf {@code Struct}: numbers are doubles)
     * @return this
     * @throws ExecutorInputException if the executor input has no such artifact of that type
     */
    public ExecutorOutput artifact(
            String name, String schemaTitle, String uri, ObjectNode metadata) {
        ObjectNode artifact = input.artifact(name, schemaTitle);
        if (uri != null) {
            artifact.put("uri", uri);
        }
        artifact.set("metadata", metadata.deepCopy());
        artifacts.putObject(name).putArray("artifacts").add(artifact);
        return this;
    }

    /**
     * @return the executor output's JSON
     */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        if (!parameterValues.isEmpty()) {
            root.set("parameterValues", parameterValues);
        }
        if (!artifacts.isEmpty()) {
            root.set("artifacts", artifacts);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the executor output to the executor input's {@code outputs.outputFile}, whole or not
     * at all, creating its parent directories.
     *
     * @throws IOException if it cannot be written
     */
    public void commit() throws IOException {
        KfpOutputs.writeString(input.outputFile(), json());
    }

    /**
     * @param value a finite number
     * @return it as a JSON number in plain decimal notation, the shortest that reads back as the
     *     value
     * @throws IllegalArgumentException if the value is NaN or infinite
     */
    public static JsonNode decimal(double value) {
        return DecimalNode.valueOf(new BigDecimal(KfpOutputs.formatFloat(value)));
    }
}
