package dev.kfptribuo.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.io.JsonErrors;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code gcp_resources} output of Google Cloud Pipeline Components' Vertex AI job ops: {@code
 * {"resources": [{"resourceType": "HyperparameterTuningJob", "resourceUri":
 * "https://LOCATION-aiplatform.googleapis.com/v1/projects/P/locations/L/hyperparameterTuningJobs/ID"}]}}.
 */
public final class GcpResources {
    /** The resource type of a hyperparameter tuning job. */
    public static final String HYPERPARAMETER_TUNING_JOB = "HyperparameterTuningJob";

    private static final ObjectMapper JSON = new ObjectMapper();

    private GcpResources() {}

    /**
     * @param json a gcp_resources document
     * @return the resource name of its one tuning job, from {@code projects/} on
     * @throws IllegalArgumentException if it is not JSON, names no tuning job or more than one, or
     *     names one that is not a Vertex AI tuning job name
     */
    public static String tuningJobName(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + JsonErrors.describe(e), e);
        }
        List<String> uris = new ArrayList<>();
        for (JsonNode resource : root == null ? JSON.createArrayNode() : root.path("resources")) {
            if (HYPERPARAMETER_TUNING_JOB.equals(resource.path("resourceType").asText())) {
                uris.add(resource.path("resourceUri").asText());
            }
        }
        if (uris.size() != 1) {
            throw new IllegalArgumentException(
                    "names "
                            + uris.size()
                            + " "
                            + HYPERPARAMETER_TUNING_JOB
                            + " resources, not exactly one: "
                            + json.strip());
        }
        String uri = uris.get(0);
        int start = uri.indexOf("projects/");
        String name = start < 0 ? uri : uri.substring(start);
        try {
            TuningJobClient.checkVertexName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("resourceUri " + e.getMessage(), e);
        }
        return name;
    }
}
