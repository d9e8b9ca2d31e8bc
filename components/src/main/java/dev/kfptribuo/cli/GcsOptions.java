package dev.kfptribuo.cli;

import dev.kfptribuo.io.GcsClient;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The Cloud Storage options every program that reads or writes gs:// shares (a picocli mixin). */
public final class GcsOptions {
    /** The longest deadline taken, a week: longer ones would overflow the clients' arithmetic. */
    static final long MAX_DEADLINE_SECONDS = 7L * 24 * 3600;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    /**
     * @param seconds the deadline of a Cloud Storage request, its retries included, and of a whole
     *     object read
     */
    @Option(
            names = "--gcs-deadline",
            paramLabel = "SECONDS",
            description =
                    "Deadline of each Cloud Storage request, retries included, and of each whole object read; "
                            + "a server that stalls or trickles fails the run with one line naming the object. Default: "
                            + GcsClient.DEFAULT_DEADLINE_SECONDS
                            + ".")
    void setDeadline(long seconds) {
        if (seconds < 1 || seconds > MAX_DEADLINE_SECONDS) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--gcs-deadline must be 1.."
                            + MAX_DEADLINE_SECONDS
                            + " seconds (a week), got "
                            + seconds);
        }
        GcsClient.setDeadline(Duration.ofSeconds(seconds));
    }
}
