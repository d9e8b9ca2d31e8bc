package dev.kfptribuo.serving;

import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code serve} program: maps flags and Vertex AI's {@code AIP_*} variables to a {@link
 * ServingConfig} (the model of a local registry resolved to its version directory) and runs the
 * {@link ServingJob}. A flag wins over its variable; a variable set to an empty value counts as
 * unset.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Serves online predictions of a model saved by train (its job dir) on Vertex AI's custom "
                    + "serving container contract: it listens on 0.0.0.0:$AIP_HTTP_PORT; GET $AIP_HEALTH_ROUTE "
                    + "answers 200 once the model is loaded (503 before); POST $AIP_PREDICT_ROUTE takes "
                    + "{\"instances\": [...], \"parameters\": {...}} and answers {\"predictions\": [...]}, one "
                    + "{\"label\", \"classes\", \"scores\"} per instance, in order, as batch-predict writes them.",
            "An instance is an object of column values (numbers as JSON numbers or strings; other keys "
                    + "ignored) or an array of the model's input columns in training order. A bad body or "
                    + "instance gets 400 with {\"error\": \"...\"} naming the instance (0-based) and the column; "
                    + "another method 405, another path 404, a body over the limit 413, a body that stops arriving 408.",
            "The log is one JSON line per request (Cloud Logging's httpRequest) on standard output. SIGTERM "
                    + "stops taking connections and lets the requests in flight finish."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped",
            "1:runtime error (the model cannot be loaded, the port cannot be bound)",
            "2:usage error",
            "143:stopped by SIGTERM, after the requests in flight"
        })
final class ServeCommand implements Callable<Integer> {
    /** The longest timeout a flag takes: a day. */
    private static final long MAX_TIMEOUT_SECONDS = 86_400;

    @Spec private CommandSpec spec;

    @Option(
            names = {"--model-dir", "--model_dir"},
            paramLabel = "DIR",
            description =
                    "The model: a job dir of train ("
                            + ModelBundle.MODEL_FILE
                            + ", "
                            + ModelBundle.MANIFEST_FILE
                            + "), a local directory or gs:// prefix (read with Application Default Credentials). "
                            + "Default: $AIP_STORAGE_URI, which Vertex AI sets to a copy of the model's artifactUri.")
    private String modelDir;

    @Option(
            names = "--registry",
            paramLabel = "DIR",
            description =
                    "Instead of --model-dir: a local model registry, as bin/continuous-training deploys to it "
                            + "(its --registry, default runs/model-registry). Serves the version of --model deployed last "
                            + "(current.json), or --model-version.")
    private Path registry;

    @Option(
            names = "--model",
            paramLabel = "ID",
            description =
                    "With --registry: the model's id (continuous-training's --model-id, e.g. covertype_classifier).")
    private String registryModel;

    @Option(
            names = "--model-version",
            paramLabel = "ID",
            description = "With --registry: serve this version instead of the one deployed last.")
    private String registryVersion;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description =
                    "The port to listen on; 0 picks a free one. Default: $AIP_HTTP_PORT, else 8080.")
    private Integer port;

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            defaultValue = "0.0.0.0",
            description = "The address to listen on. Default: ${DEFAULT-VALUE} (every interface).")
    private String host;

    @Option(
            names = "--health-route",
            paramLabel = "PATH",
            description = "The health check's path. Default: $AIP_HEALTH_ROUTE, else /health.")
    private String healthRoute;

    @Option(
            names = "--predict-route",
            paramLabel = "PATH",
            description = "The predictions' path. Default: $AIP_PREDICT_ROUTE, else /predict.")
    private String predictRoute;

    @Option(
            names = "--max-request-bytes",
            paramLabel = "BYTES",
            defaultValue = "" + ServingConfig.DEFAULT_MAX_REQUEST_BYTES,
            description =
                    "The largest request body accepted; a larger one gets 413. Default: ${DEFAULT-VALUE} "
                            + "(1.5 MiB, Vertex AI's limit for online predictions).")
    private long maxRequestBytes;

    @Option(
            names = "--shutdown-timeout",
            paramLabel = "SECONDS",
            defaultValue = "25",
            description =
                    "On SIGTERM, how long the requests in flight may take to finish. Default: ${DEFAULT-VALUE}.")
    private long shutdownSeconds;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description =
                    "How long a connection may send nothing: a request whose body stops arriving gets 408, "
                            + "an idle connection is closed. Default: ${DEFAULT-VALUE}.")
    private long idleSeconds;

    @Option(
            names = "--access-log",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "One log line per request on standard output (--no-access-log: none). Default: on.")
    private boolean accessLog;

    @Option(
            names = "--parallel-predictions",
            paramLabel = "N",
            description =
                    "How many requests compute their predictions at once; the others wait their turn in "
                            + "the order they came, so that under load no request waits for all the others. "
                            + "Default: the processors the JVM may use (in a container, its CPU limit).")
    private Integer parallelPredictions;

    private final OutputStream logOut;
    private final Map<String, String> env;
    private final boolean shutdownHook;

    /**
     * @param logOut where the server's log lines go
     * @param env environment variables
     * @param shutdownHook whether SIGTERM (a JVM shutdown) stops the server gracefully: the
     *     program's main, not the tests' seam
     */
    ServeCommand(OutputStream logOut, Map<String, String> env, boolean shutdownHook) {
        this.logOut = logOut;
        this.env = env;
        this.shutdownHook = shutdownHook;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        ServerLog log = new ServerLog(logOut);
        ServingConfig config = config(log);
        ServingJob.run(config, log, shutdownHook);
        return 0;
    }

    private ServingConfig config(ServerLog log) throws IOException {
        String model;
        if (registry != null) {
            if (modelDir != null) {
                throw usage("--registry and --model-dir each name a model: give one");
            }
            if (registryModel == null || registryModel.isBlank()) {
                throw usage(
                        "--registry needs --model, the id of the model to serve (e.g. covertype_classifier)");
            }
            model = null;
        } else {
            if (registryModel != null || registryVersion != null) {
                throw usage(
                        (registryModel != null ? "--model" : "--model-version")
                                + " chooses a model of a local registry: give --registry DIR too");
            }
            model = modelDir != null ? modelDir : variable("AIP_STORAGE_URI");
            if (model == null || model.isBlank()) {
                throw usage(
                        "no model: set AIP_STORAGE_URI or --model-dir to a job dir of train (local or gs://), "
                                + "or --registry DIR --model ID");
            }
        }
        int listenPort;
        if (port != null) {
            if (port < 0 || port > 65535) {
                throw usage("--port must be 0..65535, got " + port);
            }
            listenPort = port;
        } else {
            String text = variable("AIP_HTTP_PORT");
            try {
                listenPort = text == null ? 8080 : Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                throw usage("AIP_HTTP_PORT='" + text + "' is not a port number");
            }
            if (listenPort < 0 || listenPort > 65535) {
                throw usage("AIP_HTTP_PORT=" + listenPort + " is not a port number in 0..65535");
            }
        }
        if (maxRequestBytes < 1) {
            throw usage("--max-request-bytes must be at least 1 byte, got " + maxRequestBytes);
        }
        if (shutdownSeconds < 0 || shutdownSeconds > MAX_TIMEOUT_SECONDS) {
            throw usage(
                    "--shutdown-timeout must be 0.."
                            + MAX_TIMEOUT_SECONDS
                            + " seconds, got "
                            + shutdownSeconds);
        }
        if (idleSeconds < 1 || idleSeconds > MAX_TIMEOUT_SECONDS) {
            throw usage(
                    "--idle-timeout must be 1.."
                            + MAX_TIMEOUT_SECONDS
                            + " seconds, got "
                            + idleSeconds);
        }
        if (parallelPredictions != null && parallelPredictions < 1) {
            throw usage("--parallel-predictions must be at least 1, got " + parallelPredictions);
        }
        ServingConfig config;
        try {
            config =
                    new ServingConfig(
                            host,
                            listenPort,
                            orElse(healthRoute, "AIP_HEALTH_ROUTE", "/health"),
                            orElse(predictRoute, "AIP_PREDICT_ROUTE", "/predict"),
                            Location.parse(model != null ? model : registry.toString()),
                            maxRequestBytes,
                            Duration.ofSeconds(shutdownSeconds),
                            Duration.ofSeconds(idleSeconds),
                            accessLog,
                            parallelPredictions != null
                                    ? parallelPredictions
                                    : ServingConfig.defaultParallelPredictions());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (model == null) {
            // The flags are checked first; then the registry is read for the directory to serve.
            config =
                    config.withModel(
                            ServingJob.fromRegistry(registry, registryModel, registryVersion, log));
        }
        return config;
    }

    private String orElse(String flag, String variable, String fallback) {
        if (flag != null) {
            return flag;
        }
        String value = variable(variable);
        return value != null ? value : fallback;
    }

    /**
     * @return the variable's value, or null when it is unset or empty
     */
    private String variable(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
