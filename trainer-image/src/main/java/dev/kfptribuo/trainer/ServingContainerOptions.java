package dev.kfptribuo.trainer;

import dev.kfptribuo.executor.UnmanagedContainerModel;
import picocli.CommandLine.Option;

/**
 * The serving container that {@code train}'s KFP v2 model artifact names (a picocli mixin): the
 * image that serves the saved model on Vertex AI (serving-image's {@code serve}), with the routes
 * and port it serves on. The defaults are {@code serve}'s own, so only the image is passed.
 */
final class ServingContainerOptions {
    /** {@code serve}'s default prediction route ({@code $AIP_PREDICT_ROUTE} unset). */
    static final String DEFAULT_PREDICT_ROUTE = "/predict";

    /** {@code serve}'s default health route ({@code $AIP_HEALTH_ROUTE} unset). */
    static final String DEFAULT_HEALTH_ROUTE = "/health";

    /** {@code serve}'s default port ({@code $AIP_HTTP_PORT} unset). */
    static final int DEFAULT_PORT = 8080;

    @Option(
            names = {"--serving-image", "--serving_image"},
            paramLabel = "IMAGE",
            description =
                    "KFP v2: the image that serves the model (serving_image, by digest), named in the model "
                            + "artifact's containerSpec for Google Cloud Pipeline Components' ModelUploadOp. Only with "
                            + "--executor-input, which needs it.")
    String image;

    @Option(
            names = {"--serving-predict-route", "--serving_predict_route"},
            paramLabel = "ROUTE",
            defaultValue = DEFAULT_PREDICT_ROUTE,
            description =
                    "KFP v2: the serving container's prediction route. Default: ${DEFAULT-VALUE} (serve's).")
    String predictRoute;

    @Option(
            names = {"--serving-health-route", "--serving_health_route"},
            paramLabel = "ROUTE",
            defaultValue = DEFAULT_HEALTH_ROUTE,
            description =
                    "KFP v2: the serving container's health route. Default: ${DEFAULT-VALUE} (serve's).")
    String healthRoute;

    @Option(
            names = {"--serving-port", "--serving_port"},
            paramLabel = "PORT",
            defaultValue = "" + DEFAULT_PORT,
            description =
                    "KFP v2: the serving container's port, 1-65535. Default: ${DEFAULT-VALUE} (serve's).")
    int port;

    /**
     * @return the model artifact's serving container
     * @throws IllegalArgumentException if no image is given, or a route or the port is invalid
     */
    UnmanagedContainerModel container() {
        if (image == null) {
            throw new IllegalArgumentException(
                    "--executor-input needs --serving-image: the model artifact names the "
                            + "image that serves it");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--serving-port must be 1-65535, got " + port);
        }
        return new UnmanagedContainerModel(image, predictRoute, healthRoute, port);
    }
}
