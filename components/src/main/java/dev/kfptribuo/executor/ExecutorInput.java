package dev.kfptribuo.executor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.JsonErrors;
import dev.kfptribuo.io.Location;
import java.util.ArrayList;
import java.util.List;

/**
 * The executor input of a KFP v2 container component: the JSON that KFP's launcher (Vertex AI
 * Pipelines, KFP 2 and {@code kfp.local}) puts in place of the {@code {{$}}} placeholder, of
 * kfp-pipeline-spec's {@code ExecutorInput} message. The programs read only its {@code outputs}:
 * where the executor output goes and which output parameters and artifacts the step has. Their
 * inputs come as flags, from the spec's {@code {{$.inputs.parameters['x']}}} placeholders.
 *
 * <pre>{@code
 * {"inputs": {"parameterValues": {"dataset_path": "gs://b/testing.csv", ...}},
 *  "outputs": {
 *    "parameters": {"metric_value": {"outputFile": "/tmp/kfp/outputs/metric_value"}, ...},
 *    "artifacts": {"metrics": {"artifacts": [{"name": "metrics",
 *        "type": {"schemaTitle": "system.Metrics", "schemaVersion": "0.0.1"},
 *        "uri": "gs://b/root/123/evaluate-model/metrics", "metadata": {}}]}, ...},
 *    "outputFile": "/gcs/b/root/123/evaluate-model/executor_output.json"}}
 * }</pre>
 *
 * <p>Artifact URIs are {@code gs://} on Vertex AI and KFP with a Cloud Storage pipeline root, and
 * local paths under the pipeline root with {@code kfp.local}; {@code minio://} and {@code s3://}
 * (KFP on MinIO or S3) map to the local paths {@code /minio/...} and {@code /s3/...} that KFP's
 * launcher uploads from after the step, as it maps them for {@code .path}.
 */
public final class ExecutorInput {
    /** The flag that carries it, named in every error. */
    public static final String FLAG = "--executor-input";

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .build();

    private final JsonNode outputs;
    private final String outputFile;

    private ExecutorInput(JsonNode outputs, String outputFile) {
        this.outputs = outputs;
        this.outputFile = outputFile;
    }

    /**
     * @param json the executor input's JSON
     * @return it, with an {@code outputs.outputFile}
     * @throws ExecutorInputException if the text is not a JSON object, or names no executor output
     *     file ({@code outputs.outputFile}, a local path or gs:// URI)
     */
    public static ExecutorInput parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw error("is not JSON: " + JsonErrors.describe(e));
        }
        if (root == null || root.isMissingNode()) {
            throw error("is empty, not the JSON of KFP's executor input ({{$}})");
        }
        if (!root.isObject()) {
            throw error(
                    "is a JSON "
                            + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                            + ", not an object: not KFP's executor input ({{$}})");
        }
        JsonNode outputs = root.path("outputs");
        JsonNode file = outputs.path("outputFile");
        if (!file.isTextual() || file.asText().isBlank()) {
            throw error("names no executor output file (outputs.outputFile)");
        }
        try {
            Location.parse(file.asText());
        } catch (IllegalArgumentException e) {
            throw error("outputs.outputFile: " + e.getMessage());
        }
        return new ExecutorInput(outputs, file.asText());
    }

    /**
     * @return where the executor output goes ({@code outputs.outputFile}): a local path or gs://
     *     URI
     */
    public String outputFile() {
        return outputFile;
    }

    /**
     * @param names output parameters the program writes
     * @throws ExecutorInputException naming the first one the executor input does not declare
     *     ({@code outputs.parameters}): the step's spec is not the one of this program
     */
    public void requireParameters(String... names) {
        for (String name : names) {
            if (!outputs.path("parameters").has(name)) {
                throw error(
                        "declares no output parameter "
                                + name
                                + " (outputs.parameters has "
                                + fieldNames(outputs.path("parameters"))
                                + "): is the step's spec this component's v2 spec?");
            }
        }
    }

    /**
     * @param name an output artifact the program writes
     * @param schemaTitle its type, such as {@code system.Metrics}
     * @return a copy of its runtime artifact ({@code name}, {@code type}, {@code uri}, {@code
     *     metadata})
     * @throws ExecutorInputException if the executor input has no such artifact, it has no URI, or
     *     it is of another type
     */
    public ObjectNode artifact(String name, String schemaTitle) {
        JsonNode list = outputs.path("artifacts").path(name).path("artifacts");
        if (!list.isArray() || list.isEmpty() || !list.get(0).isObject()) {
            throw error(
                    "declares no output artifact "
                            + name
                            + " (outputs.artifacts has "
                            + fieldNames(outputs.path("artifacts"))
                            + "): is the step's spec this component's v2 spec?");
        }
        JsonNode artifact = list.get(0);
        if (!artifact.path("uri").isTextual() || artifact.path("uri").asText().isBlank()) {
            throw error("output artifact " + name + " has no uri");
        }
        String type = artifact.path("type").path("schemaTitle").asText("");
        if (!type.isEmpty() && !type.equals(schemaTitle)) {
            throw error("output artifact " + name + " is a " + type + ", not a " + schemaTitle);
        }
        ObjectNode copy = JSON.createObjectNode();
        copy.put("name", artifact.path("name").asText(name));
        if (artifact.has("type")) {
            copy.set("type", artifact.get("type").deepCopy());
        }
        copy.put("uri", artifact.path("uri").asText());
        copy.set(
                "metadata",
                artifact.path("metadata").isObject()
                        ? artifact.get("metadata").deepCopy()
                        : JSON.createObjectNode());
        return copy;
    }

    /**
     * Where the program writes an output artifact's files: its URI as a location the programs write
     * to.
     *
     * @param name an output artifact
     * @param schemaTitle its type
     * @return {@code gs://} as it is, {@code minio://B/K} as {@code /minio/B/K}, {@code s3://B/K}
     *     as {@code /s3/B/K}, a local path as it is
     * @throws ExecutorInputException if there is no such artifact, or its URI has another scheme
     */
    public Location artifactLocation(String name, String schemaTitle) {
        String uri = artifact(name, schemaTitle).get("uri").asText();
        for (String scheme : new String[] {"minio", "s3"}) {
            if (uri.startsWith(scheme + "://")) {
                return Location.parse("/" + scheme + "/" + uri.substring(scheme.length() + 3));
            }
        }
        try {
            return Location.parse(uri);
        } catch (IllegalArgumentException e) {
            throw error("output artifact " + name + ": " + e.getMessage());
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static ExecutorInputException error(String message) {
        return new ExecutorInputException(FLAG + ": " + message);
    }
}
