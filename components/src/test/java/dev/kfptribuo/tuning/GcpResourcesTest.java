package dev.kfptribuo.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GcpResourcesTest {
    private static final String NAME =
            "projects/123/locations/us-central1/hyperparameterTuningJobs/456";

    @Test
    void theTuningJobOfHyperparameterTuningJobRunOpsOutput() {
        // As Google Cloud Pipeline Components writes it, beside another resource of the same step.
        String json =
                "{\"resources\": [{\"resourceType\": \"CustomJob\", \"resourceUri\": \"https://x/v1/projects/1/"
                        + "locations/l/customJobs/2\"}, {\"resourceType\": \"HyperparameterTuningJob\", \"resourceUri\": "
                        + "\"https://us-central1-aiplatform.googleapis.com/v1/"
                        + NAME
                        + "\"}]}";
        assertEquals(NAME, GcpResources.tuningJobName(json));
    }

    @Test
    void anythingElseIsRefusedWithItsReason() {
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GcpResources.tuningJobName("{not json"))
                        .getMessage()
                        .startsWith("not JSON: "));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GcpResources.tuningJobName("{\"resources\": []}"))
                        .getMessage()
                        .startsWith("names 0 HyperparameterTuningJob resources, not exactly one"));
        String twice = "{\"resources\": [" + resource(NAME) + ", " + resource(NAME) + "]}";
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GcpResources.tuningJobName(twice))
                        .getMessage()
                        .startsWith("names 2 HyperparameterTuningJob resources"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        GcpResources.tuningJobName(
                                                "{\"resources\": ["
                                                        + resource("projects/p/jobs/j")
                                                        + "]}"))
                        .getMessage()
                        .startsWith(
                                "resourceUri 'projects/p/jobs/j' is not a Vertex AI hyperparameter tuning job"));
    }

    private static String resource(String name) {
        return "{\"resourceType\": \"HyperparameterTuningJob\", \"resourceUri\": \"https://x/v1/"
                + name
                + "\"}";
    }
}
