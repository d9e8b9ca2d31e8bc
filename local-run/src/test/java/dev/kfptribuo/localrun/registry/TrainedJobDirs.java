package dev.kfptribuo.localrun.registry;

import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.trainer.Train;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Two real final-mode job dirs, trained once per test JVM (the train program in-process, a few
 * epochs on the bundled 10,000-row sample) and shared by the registry's tests: model A and model B.
 */
final class TrainedJobDirs {
    private static final Path SOURCE = Path.of("../data/covertype/covertype_small.csv");
    private static Path dir;
    private static Path a;
    private static Path b;

    private TrainedJobDirs() {}

    static synchronized Path a() {
        train();
        return a;
    }

    static synchronized Path b() {
        train();
        return b;
    }

    /**
     * @return the SHA-256 of a job dir's model file, from its manifest
     */
    static String sha(Path jobDir) {
        try {
            return ModelBundle.readManifest(Location.parse(jobDir.toString())).model().sha256();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void train() {
        if (dir != null) {
            return;
        }
        try {
            dir = Files.createTempDirectory("trained-job-dirs");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            a = train("a", "0.0001");
            b = train("b", "0.0005");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path train(String name, String alpha) {
        Path jobDir = dir.resolve(name);
        StringWriter err = new StringWriter();
        int code =
                Train.run(
                        new String[] {
                            "--training_dataset_path",
                            SOURCE.toString(),
                            "--job-dir",
                            jobDir.toString(),
                            "--alpha",
                            alpha,
                            "--max_iter",
                            "3",
                            "--hptune",
                            "False"
                        },
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        Map.of());
        if (code != 0) {
            throw new IllegalStateException("train " + name + " failed: " + err);
        }
        return jobDir;
    }

    private static void delete(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
