package dev.kfptribuo.localrun.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * One deploy in its own JVM, for the crash and concurrency tests: {@code REGISTRY JOB_DIR MODEL
 * VERSION REPLACE [GRACE_SECONDS]}. Prints the action; exit 0, 3 on a conflict, 1 on an error;
 * {@code -Dkfptribuo.crashAt=POINT} halts it at a crash point (exit 137).
 */
public final class DeployInAChildJvm {
    private DeployInAChildJvm() {}

    public static void main(String[] args) {
        Duration grace =
                args.length > 5
                        ? Duration.ofSeconds(Long.parseLong(args[5]))
                        : ModelRegistry.DEFAULT_GRACE;
        ModelRegistry registry =
                new ModelRegistry(
                        Path.of(args[0]),
                        note -> System.out.println("note: " + note),
                        grace,
                        Clock.systemUTC());
        try {
            ModelRegistry.Outcome outcome =
                    registry.deploy(
                            Path.of(args[1]),
                            args[2],
                            args[3],
                            Boolean.parseBoolean(args[4]),
                            new ObjectMapper().createObjectNode().put("run_id", "child"));
            System.out.println(outcome.action());
            System.out.flush();
            System.exit(0);
        } catch (IllegalStateException e) {
            System.out.println("conflict: " + e.getMessage());
            System.out.flush();
            System.exit(3);
        } catch (Exception e) {
            System.out.println("error: " + e);
            System.out.flush();
            System.exit(1);
        }
    }
}
