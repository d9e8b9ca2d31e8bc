package dev.kfptribuo.executor;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The serving container of a model, as the metadata of a {@code google.UnmanagedContainerModel}
 * artifact (Google Cloud Pipeline Components' type): what {@code ModelUploadOp} uploads to Vertex
 * AI, the artifact's URI becoming the model's {@code artifactUri} and its {@code containerSpec} the
 * model's {@code ModelContainerSpec}. Vertex AI then runs the image with {@code AIP_PREDICT_ROUTE},
 * {@code AIP_HEALTH_ROUTE} and {@code AIP_HTTP_PORT} set to the routes and port, and {@code
 * AIP_STORAGE_URI} to a copy of the artifact's URI.
 *
 * <pre>{@code
 * {"containerSpec": {"imageUri": "REGISTRY/serving_image@sha256:...", "predictRoute": "/predict",
 *                    "healthRoute": "/health", "ports": [{"containerPort": 8080}]}}
 * }</pre>
 *
 * @param imageUri the serving image, by digest as the specs name it
 * @param predictRoute the route of predictions, starting with {@code /}
 * @param healthRoute the route of health checks, starting with {@code /}
 * @param port the port the server listens on, 1-65535
 */
public record UnmanagedContainerModel(
        String imageUri, String predictRoute, String healthRoute, int port) {
    /** The artifact type's schema title. */
    public static final String SCHEMA_TITLE = "google.UnmanagedContainerModel";

    /**
     * @throws IllegalArgumentException if the image is blank, a route does not start with {@code
     *     /}, or the port is out of range
     */
    public UnmanagedContainerModel {
        if (imageUri == null || imageUri.isBlank() || imageUri.strip().contains(" ")) {
            throw new IllegalArgumentException(
                    "the serving image must be an image reference, got '" + imageUri + "'");
        }
        for (String route : new String[] {predictRoute, healthRoute}) {
            if (route == null || !route.startsWith("/")) {
                throw new IllegalArgumentException(
                        "a serving route starts with '/', got '" + route + "'");
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the serving port must be 1-65535, got " + port);
        }
        imageUri = imageUri.strip();
    }

    /**
     * @return the artifact's metadata: {@code {"containerSpec": {...}}}
     */
    public ObjectNode metadata() {
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        ObjectNode spec = metadata.putObject("containerSpec");
        spec.put("imageUri", imageUri);
        spec.put("predictRoute", predictRoute);
        spec.put("healthRoute", healthRoute);
        spec.putArray("ports").addObject().put("containerPort", port);
        return metadata;
    }
}
