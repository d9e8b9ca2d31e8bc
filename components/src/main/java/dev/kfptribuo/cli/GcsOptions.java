package dev.kfptribuo.cli;

import dev.kfptribuo.io.GcsClient;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The Cloud Storage options every program that reads or writes gs:// shares (a picocli mixin). */
public final class GcsOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    /**
     * @param seconds the deadline of a Cloud Storage request, its retries included, and of a whole
     *     object read
     */
    @Option(names = "--gcs-deadline", paramLabel = "SECONDS",
            description = "Deadline of each Cloud Storage request, retries included, and of each whole object read; "
                    + "a server that stalls or trickles fails the run with one line naming the object. Default: "
                    + GcsClient.DEFAULT_DEADLINE_SECONDS + ".")
    void setDeadline(long seconds) {
        if (seconds < 1) {
            throw new ParameterException(spec.commandLine(), "--gcs-deadline must be at least 1 second, got " + seconds);
        }
        GcsClient.setDeadline(Duration.ofSeconds(seconds));
    }
}
