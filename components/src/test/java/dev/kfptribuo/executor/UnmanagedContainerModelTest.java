package dev.kfptribuo.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The model artifact's metadata: Vertex AI's ModelContainerSpec of the serving image. */
class UnmanagedContainerModelTest {
    @Test
    void containerSpecWithImageRoutesAndPort() throws Exception {
        String image = "us-docker.pkg.dev/p/r/serving_image@sha256:" + "a".repeat(64);
        assertEquals(
                new ObjectMapper()
                        .readTree(
                                """
                {"containerSpec": {"imageUri": "%s", "predictRoute": "/predict", "healthRoute": "/health",
                                   "ports": [{"containerPort": 8080}]}}
                """
                                        .formatted(image)),
                new UnmanagedContainerModel(" " + image + " ", "/predict", "/health", 8080)
                        .metadata());
    }

    @Test
    void refusesWhatVertexAiWouldRefuse() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new UnmanagedContainerModel(" ", "/predict", "/health", 8080));
        assertThrows(
                IllegalArgumentException.class,
                () -> new UnmanagedContainerModel("a b", "/predict", "/health", 8080));
        assertThrows(
                IllegalArgumentException.class,
                () -> new UnmanagedContainerModel("img", "predict", "/health", 8080));
        assertThrows(
                IllegalArgumentException.class,
                () -> new UnmanagedContainerModel("img", "/predict", null, 8080));
        assertThrows(
                IllegalArgumentException.class,
                () -> new UnmanagedContainerModel("img", "/predict", "/health", 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new UnmanagedContainerModel("img", "/predict", "/health", 65536));
    }
}
