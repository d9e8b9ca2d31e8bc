package dev.kfptribuo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import dev.kfptribuo.io.CrashPoints;
import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.GcsClient;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A final-mode save stopped at each of its steps, as {@code kill -9} stops it (a child JVM halted
 * at a {@link CrashPoints} point): a reader then sees the bundle that was there before, whole, or
 * the new one, whole; never a mix, never nothing where a model was; and the next run saves cleanly.
 */
@ExtendWith(FakeGcsServer.class)
class JobDirCrashIT {
    private static final Path DATA = Path.of("..", "data", "covertype", "covertype_small.csv");
    private static final List<String> LOCAL_POINTS =
            List.of(
                    "save:bundle",
                    "write:model.tribuo:temp",
                    "write:model.tribuo:renamed",
                    "save:model",
                    "write:model.onnx:temp",
                    "write:model.onnx:renamed",
                    "save:onnx",
                    "write:manifest.json:temp",
                    "write:manifest.json:renamed",
                    "save:manifest",
                    "save:cleaned");
    private static final List<String> GCS_POINTS =
            List.of(
                    "save:bundle",
                    "write:model.tribuo:renamed",
                    "save:model",
                    "write:model.onnx:renamed",
                    "save:onnx",
                    "write:manifest.json:renamed",
                    "save:manifest",
                    "save:cleaned");

    /** The points after which the new manifest is the commit. */
    private static final List<String> COMMITTED =
            List.of("write:manifest.json:renamed", "save:manifest", "save:cleaned");

    @TempDir Path tmp;

    /**
     * Runs train in final mode in its own JVM, halted at a crash point (or none); returns its exit
     * code.
     */
    private static int train(String jobDir, String crashAt, String seed)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                System.getProperty("java.class.path")));
        String emulator = System.getProperty(GcsClient.EMULATOR_HOST_PROPERTY);
        if (emulator != null) {
            command.add("-D" + GcsClient.EMULATOR_HOST_PROPERTY + "=" + emulator);
        }
        if (crashAt != null) {
            command.add("-D" + CrashPoints.PROPERTY + "=" + crashAt);
        }
        command.addAll(
                List.of(
                        Train.class.getName(),
                        "--training_dataset_path",
                        DATA.toString(),
                        "--job-dir",
                        jobDir,
                        "--max_iter",
                        "3",
                        "--seed",
                        seed));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
        if (crashAt == null) {
            assertEquals(0, process.exitValue(), output);
        }
        return process.exitValue();
    }

    /**
     * The manifest a reader sees, the bundle checked whole by loading it; null if there is no
     * model.
     */
    private static Manifest read(String jobDir) throws IOException {
        try {
            return ModelBundle.load(Location.parse(jobDir)).manifest();
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    private static void crashEveryStep(
            String jobDirBase,
            List<String> points,
            java.util.function.Function<String, List<String>> bundles)
            throws IOException, InterruptedException {
        for (String point : points) {
            // Fresh: no model, or the new one whole.
            String fresh = jobDirBase + "/fresh-" + point.replace(':', '-');
            assertEquals(CrashPoints.EXIT_CODE, train(fresh, point, "1"), point);
            Manifest seen = read(fresh);
            assertEquals(COMMITTED.contains(point), seen != null, point + ": " + seen);

            // Reused: the old model whole until the commit, the new one whole after it.
            String reused = jobDirBase + "/reused-" + point.replace(':', '-');
            train(reused, null, "1");
            Manifest old = read(reused);
            assertEquals(CrashPoints.EXIT_CODE, train(reused, point, "2"), point);
            Manifest after = read(reused);
            if (COMMITTED.contains(point)) {
                assertFalse(
                        old.model().sha256().equals(after.model().sha256()),
                        point + ": the new model");
                assertEquals("2", String.valueOf(after.hyperparameters().seed()), point);
            } else {
                assertEquals(old, after, point + ": the old model, untouched");
            }
            // The next run saves cleanly: its bundle, and at most the previous one besides.
            train(reused, null, "3");
            Manifest next = read(reused);
            List<String> left = bundles.apply(reused);
            assertTrue(
                    left.size() <= 2 && left.contains(next.model().file().split("/")[0]),
                    point + ": " + left);
        }
    }

    @Test
    void aLocalSaveStoppedAtAnyStepLeavesTheOldModelOrTheNewWhole()
            throws IOException, InterruptedException {
        crashEveryStep(
                tmp.toString(),
                LOCAL_POINTS,
                dir -> {
                    try (Stream<Path> entries = Files.list(Path.of(dir))) {
                        return entries.map(p -> p.getFileName().toString())
                                .filter(n -> n.startsWith("model-"))
                                .sorted()
                                .toList();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
    }

    @Test
    void aGcsSaveStoppedAtAnyStepLeavesTheOldModelOrTheNewWhole()
            throws IOException, InterruptedException {
        crashEveryStep(
                FakeGcsServer.uri("crash"),
                GCS_POINTS,
                dir -> {
                    Location location = Location.parse(dir);
                    TreeSet<String> names = new TreeSet<>();
                    for (Blob blob :
                            GcsClient.get()
                                    .list(
                                            location.bucket(),
                                            Storage.BlobListOption.prefix(
                                                    location.path() + "/model-"))
                                    .iterateAll()) {
                        names.add(
                                blob.getName()
                                        .substring(location.path().length() + 1)
                                        .split("/")[0]);
                    }
                    return List.copyOf(names);
                });
    }

    @Test
    void aSecondTrainRunIntoALockedLocalJobDirFailsClearly()
            throws IOException, InterruptedException {
        Path jobDir = tmp.resolve("locked");
        // A long run holds the job dir (its lock file gets its pid once taken).
        Process first =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                Train.class.getName(),
                                "--training_dataset_path",
                                DATA.toString(),
                                "--job-dir",
                                jobDir.toString(),
                                "--max_iter",
                                "100000",
                                "--tol",
                                "none")
                        .redirectErrorStream(true)
                        .start();
        try {
            Path lock = jobDir.resolve(JobDirWriter.LOCK_FILE);
            for (int i = 0; i < 200 && !(Files.exists(lock) && Files.size(lock) > 0); i++) {
                Thread.sleep(50);
            }
            StringWriter err = new StringWriter();
            int code =
                    Train.run(
                            new String[] {
                                "--training_dataset_path",
                                DATA.toString(),
                                "--job-dir",
                                jobDir.toString(),
                                "--max_iter",
                                "3"
                            },
                            new PrintWriter(new StringWriter()),
                            new PrintWriter(err),
                            Map.of());
            assertEquals(1, code, err.toString());
            assertTrue(
                    err.toString()
                            .contains("in use by another train run (pid " + first.pid() + ")"),
                    err.toString());
            assertFalse(
                    Files.exists(jobDir.resolve(ModelBundle.MANIFEST_FILE)),
                    "the second run wrote nothing");
        } finally {
            first.destroyForcibly().waitFor();
        }
        // Killed, the first run's lock goes with it: the next run takes the job dir.
        train(jobDir.toString(), null, "1");
        assertTrue(read(jobDir.toString()) != null);
    }

    @Test
    void ofTwoRunsIntoOneGcsJobDirTheLaterCommitFailsAndLeavesNoFiles()
            throws IOException, InterruptedException {
        String jobDir = FakeGcsServer.uri("race");
        train(jobDir, null, "1");
        Manifest first = read(jobDir);
        Location location = Location.parse(jobDir);
        ModelBundle bundle = ModelBundle.load(location);
        try (JobDirWriter a = JobDirWriter.open(List.of(location), line -> {});
                JobDirWriter b = JobDirWriter.open(List.of(location), line -> {})) {
            Manifest saved = a.save(bundle);
            IOException e = assertThrows(IOException.class, () -> b.save(bundle));
            assertTrue(
                    e.getMessage()
                            .contains("another train run saved a model here while this one ran"),
                    e.getMessage());
            assertEquals(saved, read(jobDir));
            assertFalse(saved.equals(first));
        }
        List<String> dirs = new ArrayList<>();
        for (Blob blob :
                GcsClient.get()
                        .list(
                                location.bucket(),
                                Storage.BlobListOption.prefix(location.path() + "/model-"))
                        .iterateAll()) {
            dirs.add(blob.getName());
        }
        assertEquals(
                4,
                dirs.size(),
                "two bundles of two files: the first run's and a's; b's were removed: " + dirs);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "model-20260101T000000000Z-00000000, model.tribuo, true",
        "model-20260101T000000000Z-00000000, x, false",
        "model-not-a-bundle, model.tribuo, false",
        ".hidden, x, false"
    })
    void strayEntriesInAJobDirAreLeftAloneOrCleanedNeverFatal(
            String name, String file, boolean removed) throws IOException, InterruptedException {
        Path jobDir = tmp.resolve("stray");
        Files.createDirectories(jobDir.resolve(name));
        Files.writeString(jobDir.resolve(name).resolve(file), "stray");
        train(jobDir.toString(), null, "1");
        assertTrue(read(jobDir.toString()) != null);
        assertEquals(
                !removed,
                Files.exists(jobDir.resolve(name).resolve(file)),
                "an old bundle directory holding a save's files alone goes; anything else stays");
    }
}
