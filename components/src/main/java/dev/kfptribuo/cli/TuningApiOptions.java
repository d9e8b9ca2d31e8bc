package dev.kfptribuo.cli;

import dev.kfptribuo.tuning.TuningJobClient;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a program calls the tuning job API (a picocli mixin): endpoint, credentials, retries and
 * deadline. The limits are {@link TuningJobClient}'s own; they are checked here, in the flags'
 * units, so that a bad value is a usage error naming its flag before anything is fetched.
 */
public final class TuningApiOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(
            names = {"--api-endpoint", "--api_endpoint"},
            paramLabel = "URL",
            description =
                    "API base URL with its version, instead of "
                            + "https://LOCATION-aiplatform.googleapis.com/v1/ (Vertex AI, from --job-name) or "
                            + TuningJobClient.AI_PLATFORM_ENDPOINT
                            + " (AI Platform, retired); e.g. "
                            + "https://us-central1-aiplatform.googleapis.com/v1/ or http://127.0.0.1:8080/v1/.")
    private String apiEndpoint;

    @Option(
            names = {"--no-auth", "--no_auth"},
            description = "Send no credentials and look none up (a local or emulated API).")
    private boolean noAuth;

    @Option(
            names = {"--max-retries", "--max_retries"},
            paramLabel = "N",
            defaultValue = "" + TuningJobClient.DEFAULT_MAX_RETRIES,
            description =
                    "Retries of a transient HTTP or network error, 0-"
                            + TuningJobClient.MAX_RETRIES
                            + ". Default: ${DEFAULT-VALUE}.")
    private int maxRetries;

    @Option(
            names = {"--initial-backoff-ms", "--initial_backoff_ms"},
            paramLabel = "MS",
            defaultValue = "1000",
            description =
                    "First retry delay in milliseconds (then doubling, with jitter), 1-60000. "
                            + "Default: ${DEFAULT-VALUE}.")
    private long initialBackoffMs;

    @Option(
            names = {"--deadline-seconds", "--deadline_seconds"},
            paramLabel = "S",
            defaultValue = "" + TuningJobClient.DEFAULT_DEADLINE_SECONDS,
            description =
                    "Overall deadline of the API call in seconds, every attempt, retry wait and body read "
                            + "included (the per-read timeout is 20 s), 1-3600. Default: ${DEFAULT-VALUE}.")
    private int deadlineSeconds;

    /**
     * @return true if the endpoint or --no-auth was given: options that only an API call uses
     */
    public boolean endpointGiven() {
        return apiEndpoint != null || noAuth;
    }

    /**
     * Checks the retry and deadline flags against the client's limits.
     *
     * @throws ParameterException naming the flag
     */
    public void check() {
        if (maxRetries < 0 || maxRetries > TuningJobClient.MAX_RETRIES) {
            throw usage(
                    "--max-retries must be 0-"
                            + TuningJobClient.MAX_RETRIES
                            + ", got "
                            + maxRetries);
        }
        long maxBackoffMs = TuningJobClient.MAX_INITIAL_BACKOFF.toMillis();
        if (initialBackoffMs < 1 || initialBackoffMs > maxBackoffMs) {
            throw usage(
                    "--initial-backoff-ms must be 1-" + maxBackoffMs + ", got " + initialBackoffMs);
        }
        long maxDeadline = TuningJobClient.MAX_DEADLINE.toSeconds();
        if (deadlineSeconds < 1 || deadlineSeconds > maxDeadline) {
            throw usage("--deadline-seconds must be 1-" + maxDeadline + ", got " + deadlineSeconds);
        }
    }

    /**
     * @param log receives a line per retry and wait
     * @return a client with these settings (checked first)
     * @throws ParameterException naming the flag of a bad value
     */
    public TuningJobClient client(Consumer<String> log) {
        check();
        try {
            return TuningJobClient.builder()
                    .endpoint(apiEndpoint)
                    .noAuth(noAuth)
                    .maxRetries(maxRetries)
                    .initialBackoff(Duration.ofMillis(initialBackoffMs))
                    .deadline(Duration.ofSeconds(deadlineSeconds))
                    .log(log)
                    .build();
        } catch (IllegalArgumentException e) {
            throw usage("--api-endpoint: " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
