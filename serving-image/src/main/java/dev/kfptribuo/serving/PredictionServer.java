package dev.kfptribuo.serving;

import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.online.OnlinePredictor;
import dev.kfptribuo.prediction.Predictor;
import java.io.IOException;
import java.net.BindException;
import java.util.Locale;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty server of {@code serve}: one HTTP/1.1 connector on the configured address, {@link
 * VertexRoutes} behind a {@link GracefulHandler}, {@link JsonErrorHandler} for every error body and
 * {@link AccessLog} for the log.
 *
 * <p>The life of a server: {@link #start} listens (health answers 503), {@link #load} loads the
 * model (health answers 200; it may run before or while the server starts, in another thread),
 * {@link #stop} stops taking connections, lets the requests in flight finish (for at most the
 * shutdown timeout) and returns; {@link #join} waits for that.
 */
final class PredictionServer {
    private final ServingConfig config;
    private final ServerLog log;
    private final Server server;
    private final ServerConnector connector;
    private final VertexRoutes routes;

    /**
     * @param config what to serve and how
     * @param log where the lifecycle and access lines go
     */
    PredictionServer(ServingConfig config, ServerLog log) {
        this.config = config;
        this.log = log;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("serve");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(connector);
        routes = new VertexRoutes(config);
        server.setHandler(new GracefulHandler(routes));
        server.setErrorHandler(new JsonErrorHandler());
        if (config.accessLog()) {
            server.setRequestLog(new AccessLog(log));
        }
        server.setStopTimeout(config.shutdownTimeout().toMillis());
        server.setStopAtShutdown(false); // serve's own shutdown hook stops it, and logs it
    }

    /**
     * Starts listening; until {@link #load}, health answers 503.
     *
     * @throws IOException if the address cannot be bound (in use, not this machine's)
     */
    void start() throws IOException {
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly();
            String reason =
                    e instanceof BindException || e.getCause() instanceof BindException
                            ? "address in use or not available"
                            : e.getMessage();
            throw new IOException(
                    "cannot listen on " + config.host() + ":" + config.port() + ": " + reason, e);
        } catch (Exception e) {
            stopQuietly();
            throw new IllegalStateException("the HTTP server did not start: " + e.getMessage(), e);
        }
        log.info(
                "listening on "
                        + config.host()
                        + ":"
                        + port()
                        + " (health: GET "
                        + config.healthRoute()
                        + ", predictions: POST "
                        + config.predictRoute()
                        + ")");
    }

    /**
     * Loads the model from the config's location and starts answering with it.
     *
     * @throws IOException if the model cannot be read (missing, incomplete, no access)
     */
    void load() throws IOException {
        ready(loadModel(config.model(), log));
    }

    /**
     * Loads a model for a server; needs no server, so that it can run while one starts.
     *
     * @param model the model's job dir
     * @param log where its line goes
     * @return the model, ready to answer requests
     * @throws IOException if the model cannot be read (missing, incomplete, no access)
     */
    static OnlinePredictor loadModel(Location model, ServerLog log) throws IOException {
        long started = System.nanoTime();
        Predictor predictor = Predictor.of(ModelBundle.load(model));
        OnlinePredictor online = new OnlinePredictor(predictor);
        log.info(
                String.format(
                        Locale.ROOT,
                        "model loaded from %s in %.2f s: %d classes %s, %d input columns",
                        model,
                        (System.nanoTime() - started) / 1e9,
                        predictor.classes().size(),
                        predictor.classes(),
                        predictor.inputColumns().size()));
        return online;
    }

    /**
     * @param predictor the model to answer with; health answers 200 from now on
     */
    void ready(OnlinePredictor predictor) {
        routes.ready(predictor);
        log.info("ready: " + config.host() + ":" + port() + " answers with the model");
    }

    /**
     * @return the port listened on (the one chosen when the config's port is 0)
     */
    int port() {
        return connector.getLocalPort();
    }

    /**
     * Stops gracefully: no new connections, the requests in flight finish (up to the shutdown
     * timeout), then the server stops. Returns when it has.
     */
    void stop() {
        if (!server.isStarted()) {
            return;
        }
        log.info(
                "stopping: finishing the requests in flight (at most "
                        + config.shutdownTimeout().toSeconds()
                        + " s)");
        routes.stopping();
        try {
            server.stop();
        } catch (Exception e) {
            log.error("stopped with an error: " + e);
            return;
        }
        log.info("stopped");
    }

    /** Waits until the server has stopped. */
    void join() throws InterruptedException {
        server.join();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            // it had not started
        }
    }
}
