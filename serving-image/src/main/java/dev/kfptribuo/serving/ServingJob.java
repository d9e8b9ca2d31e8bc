package dev.kfptribuo.serving;

import dev.kfptribuo.io.Location;
import dev.kfptribuo.online.OnlinePredictor;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The serving job, as {@code train} and {@code evaluate-model} have theirs: serve the config's
 * model until stopped. {@link ServeCommand} maps flags to the config and runs this.
 *
 * <p>The model loads while the server is built and starts (on two cores both at once); health
 * answers 503 from the moment the port is bound until the model is in, then 200. A model that
 * cannot be loaded stops the server and ends the job with the load's error, so the container fails
 * as Vertex AI expects of one that will never be healthy.
 *
 * <p>Lives in serving-image, not in {@code components} with the other jobs: it needs Jetty, which
 * the trainer and base images must not carry.
 */
final class ServingJob {
    private ServingJob() {}

    /**
     * Serves until the server stops ({@link PredictionServer#stop}, by the shutdown hook on
     * SIGTERM).
     *
     * @param config what to serve and how
     * @param log where the lifecycle and access lines go
     * @param stopOnShutdown whether a JVM shutdown (SIGTERM) stops the server gracefully: the
     *     program's main, not the tests' seam
     * @throws IOException if the port cannot be bound or the model cannot be read
     * @throws IllegalArgumentException if the model is not one serve can answer with
     * @throws InterruptedException if interrupted while waiting
     */
    static void run(ServingConfig config, ServerLog log, boolean stopOnShutdown)
            throws IOException, InterruptedException {
        FutureTask<OnlinePredictor> loading =
                new FutureTask<>(() -> PredictionServer.loadModel(config.model(), log));
        Thread loader = new Thread(loading, "serve-model-loader");
        loader.setDaemon(true);
        loader.start();
        PredictionServer server = new PredictionServer(config, log);
        server.start();
        if (stopOnShutdown) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "serve-shutdown"));
        }
        try {
            server.ready(loading.get());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            log.error(
                    "the model could not be loaded from "
                            + config.model()
                            + ": "
                            + cause.getMessage());
            server.stop();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
        server.join();
    }

    /**
     * The version directory of the registry to serve, resolved once, before the server starts: the
     * model is then read whole into memory, and a version directory never changes while published
     * (a later deploy writes a new one), so a restart is what serves a newer deploy.
     *
     * @param registry the local registry's directory
     * @param registryModel the model's id
     * @param registryVersion the version to serve, or null for the one deployed last
     * @param log where the line naming the version goes
     * @return the version's directory
     * @throws IOException if the registry cannot be read
     * @throws IllegalStateException if the registry holds no such version (none deployed yet)
     */
    static Location fromRegistry(
            Path registry, String registryModel, String registryVersion, ServerLog log)
            throws IOException {
        ModelRegistryReader reader = new ModelRegistryReader(registry);
        ModelRegistryReader.Version version;
        try {
            version =
                    registryVersion == null
                            ? reader.current(registryModel)
                            : reader.version(registryModel, registryVersion);
        } catch (IOException e) {
            log.error("no model to serve in registry " + reader.root() + ": " + e.getMessage());
            if (e instanceof ModelRegistryReader.NotDeployedException) {
                // Not an I/O failure: the registry was read and holds no such version.
                throw new IllegalStateException(
                        e.getMessage() + " (bin/continuous-training deploys there)", e);
            }
            throw e;
        }
        log.info(
                "registry "
                        + reader.root()
                        + ": serving "
                        + version.modelId()
                        + "/"
                        + version.versionId()
                        + (registryVersion == null ? ", the version deployed last," : "")
                        + " from "
                        + version.directory());
        return Location.parse(version.directory().toString());
    }
}
