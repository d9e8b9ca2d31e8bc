package dev.kfptribuo.io;

import com.google.api.gax.retrying.ResultRetryAlgorithm;
import com.google.api.gax.retrying.TimedAttemptSettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.logging.Logger;

/**
 * The process-wide Cloud Storage client, created on first use so that local-only runs never load
 * the client library.
 *
 * <p>Credentials come from Application Default Credentials. When an emulator endpoint is named
 * (e.g. {@code http://127.0.0.1:4443}; a bare {@code host:port} means plain HTTP), the client talks
 * to that host without credentials instead. The endpoint comes from the Java system property {@code
 * kfptribuo.storage.emulatorHost} if it is set and not blank (so that tests can point the client at
 * an emulator they start), else from the environment variable {@code STORAGE_EMULATOR_HOST} (the
 * convention of the Cloud Storage emulators and of the Go and Python clients). Both are read once,
 * when the client is first created; later changes have no effect.
 *
 * <p>Requests end: every request, its retries included, must finish within the {@link #deadline()}
 * (default {@value #DEFAULT_DEADLINE_SECONDS} s; {@link #setDeadline} or the system property
 * {@value #DEADLINE_PROPERTY}, in seconds, before first use), and one read waits at most {@value
 * #READ_TIMEOUT_SECONDS} s (or the deadline, if shorter) for bytes. A whole object read must finish
 * within the deadline too ({@link InputFile}). The client's own retry rules stay (transient
 * statuses and network errors, retried when the request is idempotent, with exponential backoff);
 * each retry is logged at WARNING on the logger {@code dev.kfptribuo.io.gcs}, so a user watching
 * sees why a step waits. Those rules never read a {@code Retry-After}; the transport waits for the
 * one of a 429 or 503 before the client retries, or fails the request when it asks for more than
 * the deadline leaves ({@link RetryAfterWait}).
 */
public final class GcsClient {
    /** Environment variable naming a Cloud Storage emulator endpoint. */
    public static final String EMULATOR_HOST_ENV = "STORAGE_EMULATOR_HOST";

    /** Java system property naming a Cloud Storage emulator endpoint; wins over the variable. */
    public static final String EMULATOR_HOST_PROPERTY = "kfptribuo.storage.emulatorHost";

    /** Java system property setting the deadline, in seconds. */
    public static final String DEADLINE_PROPERTY = "kfptribuo.storage.deadlineSeconds";

    /** The deadline of a request or an object read by default: generous for gigabytes of CSV. */
    public static final long DEFAULT_DEADLINE_SECONDS = 1800;

    /** The longest one read waits for bytes. */
    public static final long READ_TIMEOUT_SECONDS = 20;

    private static final Logger LOG = Logger.getLogger("dev.kfptribuo.io.gcs");
    private static volatile Duration deadline;

    private GcsClient() {}

    private static final class Holder {
        static final Storage STORAGE = create(emulatorHost(), deadline());
    }

    /**
     * Sets the deadline of every request and object read; only before the client is first used (a
     * command sets it from its flag before it reads anything).
     *
     * @param value at least one second
     * @throws IllegalArgumentException if shorter than a second
     */
    public static void setDeadline(Duration value) {
        if (value.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "the Cloud Storage deadline must be at least 1 s, got " + value);
        }
        deadline = value;
    }

    /**
     * @return the deadline of a request, its retries included, and of a whole object read
     */
    public static Duration deadline() {
        Duration set = deadline;
        if (set != null) {
            return set;
        }
        String property = System.getProperty(DEADLINE_PROPERTY);
        return Duration.ofSeconds(
                property == null || property.isBlank()
                        ? DEFAULT_DEADLINE_SECONDS
                        : Long.parseLong(property));
    }

    /**
     * @return the emulator endpoint from the system property or else the variable; may be null
     */
    static String emulatorHost() {
        String property = System.getProperty(EMULATOR_HOST_PROPERTY);
        return property != null && !property.isBlank()
                ? property
                : System.getenv(EMULATOR_HOST_ENV);
    }

    /**
     * @return the shared client
     */
    public static Storage get() {
        return Holder.STORAGE;
    }

    static Storage create(String emulatorHost, Duration deadline) {
        int readTimeout = (int) Math.min(deadline.toMillis(), READ_TIMEOUT_SECONDS * 1000);
        StorageOptions.Builder builder =
                StorageOptions.newBuilder()
                        .setTransportOptions(
                                HttpTransportOptions.newBuilder()
                                        .setHttpTransportFactory(
                                                () -> DeadlineTransport.create(deadline))
                                        .setConnectTimeout(readTimeout)
                                        .setReadTimeout(readTimeout)
                                        .build())
                        .setRetrySettings(
                                StorageOptions.getDefaultRetrySettings().toBuilder()
                                        .setTotalTimeout(
                                                org.threeten.bp.Duration.ofMillis(
                                                        deadline.toMillis()))
                                        .build())
                        .setStorageRetryStrategy(
                                logged(StorageRetryStrategy.getDefaultStorageRetryStrategy()));
        if (emulatorHost == null || emulatorHost.isBlank()) {
            return builder.build().getService();
        }
        String host = emulatorHost.contains("://") ? emulatorHost : "http://" + emulatorHost;
        return builder.setHost(host)
                .setProjectId("emulator")
                .setCredentials(NoCredentials.getInstance())
                .build()
                .getService();
    }

    /** The client's retry rules, each retry logged. */
    private static StorageRetryStrategy logged(StorageRetryStrategy strategy) {
        return new StorageRetryStrategy() {
            private static final long serialVersionUID = 1L;

            @Override
            public ResultRetryAlgorithm<?> getIdempotentHandler() {
                return new Logged<>(strategy.getIdempotentHandler(), true);
            }

            @Override
            public ResultRetryAlgorithm<?> getNonidempotentHandler() {
                return new Logged<>(strategy.getNonidempotentHandler(), false);
            }
        };
    }

    /**
     * A retry algorithm that logs the failures it retries, and that retries an idempotent request
     * whose response was cut off (Apache HttpClient's "premature end of message body", which the
     * client's rules, written for its other transport's exceptions, do not list); a read resumes
     * where it stopped.
     */
    private static final class Logged<T> implements ResultRetryAlgorithm<T> {
        private final ResultRetryAlgorithm<T> algorithm;
        private final boolean idempotent;

        Logged(ResultRetryAlgorithm<T> algorithm, boolean idempotent) {
            this.algorithm = algorithm;
            this.idempotent = idempotent;
        }

        @Override
        public TimedAttemptSettings createNextAttempt(
                Throwable previousThrowable,
                T previousResponse,
                TimedAttemptSettings previousSettings) {
            return algorithm.createNextAttempt(
                    previousThrowable, previousResponse, previousSettings);
        }

        @Override
        public boolean shouldRetry(Throwable previousThrowable, T previousResponse)
                throws CancellationException {
            boolean retry =
                    !DeadlineInputStream.causedByDeadline(previousThrowable)
                            && !RetryAfterWait.causedByRetryAfter(previousThrowable)
                            && (algorithm.shouldRetry(previousThrowable, previousResponse)
                                    || idempotent && cutOff(previousThrowable));
            if (retry) {
                LOG.warning(
                        "Cloud Storage request failed, retrying within the "
                                + deadline().toSeconds()
                                + " s deadline: "
                                + (previousThrowable == null
                                        ? "unexpected response"
                                        : oneLine(previousThrowable)));
            }
            return retry;
        }

        private static boolean cutOff(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof org.apache.http.ConnectionClosedException
                        || t instanceof org.apache.http.NoHttpResponseException
                        || t instanceof org.apache.http.TruncatedChunkException) {
                    return true;
                }
            }
            return false;
        }

        private static String oneLine(Throwable failure) {
            String message = failure.getMessage();
            return failure.getClass().getSimpleName()
                    + (message == null ? "" : ": " + message.strip().replaceAll("\\s+", " "));
        }
    }
}
