package dev.kfptribuo.serving;

import dev.kfptribuo.io.Location;
import java.time.Duration;

/**
 * What the server serves and how: Vertex AI's custom container contract
 * (vertex-ai/docs/predictions/custom-container-requirements) made concrete.
 *
 * @param host the address to listen on ({@code 0.0.0.0}: every interface, as Vertex AI requires)
 * @param port the port ({@code $AIP_HTTP_PORT}); 0 picks a free one
 * @param healthRoute the path of the health check ({@code $AIP_HEALTH_ROUTE}), answered on GET
 * @param predictRoute the path of predictions ({@code $AIP_PREDICT_ROUTE}), answered on POST
 * @param model the model's job dir ({@code $AIP_STORAGE_URI}): a local directory or {@code gs://}
 * @param maxRequestBytes the largest request body accepted; a larger one gets 413
 * @param shutdownTimeout how long a stop waits for the requests in flight to finish
 * @param idleTimeout how long a connection may send nothing (mid-request: the request gets 408;
 *     between requests: the connection is closed)
 * @param accessLog whether each request gets a line on standard output
 * @param parallelPredictions how many requests compute their predictions at once; the others wait
 *     their turn, in the order they arrived
 */
public record ServingConfig(
        String host,
        int port,
        String healthRoute,
        String predictRoute,
        Location model,
        long maxRequestBytes,
        Duration shutdownTimeout,
        Duration idleTimeout,
        boolean accessLog,
        int parallelPredictions) {
    /** Jetty's default idle timeout, 30 s. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The default of {@code parallelPredictions}: the processors the JVM may use (in a container,
     * its CPU limit), so that predictions never time-slice one core.
     *
     * @return {@link Runtime#availableProcessors()}, at least 1
     */
    public static int defaultParallelPredictions() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Vertex AI's request size limit for online predictions, 1.5 MB (here 1.5 MiB). */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 1536L * 1024;

    /**
     * @throws IllegalArgumentException if a value is out of range: a port outside 0..65535, a route
     *     that does not start with {@code /}, a limit below 1 byte, a negative shutdown timeout, an
     *     idle timeout under 1 ms, fewer than 1 parallel prediction
     */
    public ServingConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 0..65535");
        }
        requireRoute("health route", healthRoute);
        requireRoute("predict route", predictRoute);
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException(
                    "the request size limit must be at least 1 byte, got " + maxRequestBytes);
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "the shutdown timeout must not be negative, got " + shutdownTimeout);
        }
        if (idleTimeout.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "the idle timeout must be at least 1 ms, got " + idleTimeout);
        }
        if (parallelPredictions < 1) {
            throw new IllegalArgumentException(
                    "at least 1 prediction must run at a time, got " + parallelPredictions);
        }
    }

    /**
     * @param other the model to serve instead
     * @return this configuration with another model
     */
    public ServingConfig withModel(Location other) {
        return new ServingConfig(
                host,
                port,
                healthRoute,
                predictRoute,
                other,
                maxRequestBytes,
                shutdownTimeout,
                idleTimeout,
                accessLog,
                parallelPredictions);
    }

    private static void requireRoute(String what, String route) {
        if (route == null || !route.startsWith("/")) {
            throw new IllegalArgumentException(
                    "the " + what + " must be a path starting with /, got '" + route + "'");
        }
    }
}
