package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import dev.kfptribuo.io.CrashPoints;
import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.GcsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * batch-predict stopped at each step of writing its predictions dir, as {@code kill -9} stops it (a
 * child JVM halted at a {@link CrashPoints} point): the earlier output stays whole until the new
 * one is in place, and the next run, even one that fails, restores the earlier output if the kill
 * came between the two renames and removes the staging directories of dead runs, never a live
 * run's.
 */
@ExtendWith(FakeGcsServer.class)
class BatchPredictCrashIT {
    private static final Path SAMPLE = TrainRuns.SAMPLE;
    private static final Path TESTING =
            Path.of("..", "data", "covertype", "covertype_validation.csv");

    /** Where the earlier output is still the one in place after the kill. */
    private static final List<String> BEFORE_PUBLISH =
            List.of("batch:staging-created", "batch:written");

    @TempDir static Path shared;
    private static Path jobDir;
    private static Path rows;
    private static Path badRows;

    @TempDir Path dir;

    @BeforeAll
    static void train() throws IOException {
        jobDir = shared.resolve("job");
        TrainRuns.train(jobDir, 5);
        List<String> lines = Files.readAllLines(TESTING).subList(0, 3001);
        rows = Files.write(shared.resolve("rows.csv"), lines);
        List<String> bad = new ArrayList<>(lines);
        bad.set(5, bad.get(5).replaceFirst("^\\d+,", "high,"));
        badRows = Files.write(shared.resolve("bad.csv"), bad);
    }

    private record Run(int code, String output) {}

    /**
     * batch-predict in its own JVM, halted at a crash point (or none), with its own temporary
     * directory.
     */
    private Run predict(Path dataset, String predictions, int rowsPerShard, String crashAt)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:TieredStopAtLevel=1",
                                "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
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
                        HelperComponents.class.getName(),
                        "batch-predict",
                        "--dataset-path",
                        dataset.toString(),
                        "--model-path",
                        jobDir.toString(),
                        "--predictions-dir",
                        predictions,
                        "--rows-per-shard",
                        "" + rowsPerShard));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
        return new Run(process.exitValue(), output);
    }

    private Run predict(Path out, int rowsPerShard, String crashAt)
            throws IOException, InterruptedException {
        return predict(rows, out.toString(), rowsPerShard, crashAt);
    }

    /** The files of a predictions dir, by name, with their bytes as text; null if it is missing. */
    private static Map<String, String> snapshot(Path out) throws IOException {
        if (!Files.exists(out)) {
            return null;
        }
        Map<String, String> files = new TreeMap<>();
        for (String name : names(out)) {
            files.put(name, Files.readString(out.resolve(name)));
        }
        return files;
    }

    private static List<String> names(Path dir) throws IOException {
        return BatchPredictRuns.names(dir);
    }

    /** The hidden entries a run makes beside the predictions dir. */
    private static List<String> leftovers(Path out) throws IOException {
        String prefix = "." + out.getFileName() + ".";
        return names(out.getParent()).stream().filter(n -> n.startsWith(prefix)).toList();
    }

    private static List<String> shards(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(String.format("prediction.results-%05d-of-%05d", i, count));
        }
        return names;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "batch:staging-created",
                "batch:written",
                "batch:moved-aside",
                "batch:renamed",
                "batch:cleaned"
            })
    void aRunKilledAtAnyStepLeavesTheEarlierOutputOrTheNewWholeAndTheNextRunRepairs(String point)
            throws IOException, InterruptedException {
        Path out = dir.resolve("predictions");
        assertEquals(0, predict(out, 1000, null).code);
        Map<String, String> earlier = snapshot(out);
        assertEquals(shards(3), List.copyOf(earlier.keySet()));

        assertEquals(CrashPoints.EXIT_CODE, predict(out, 1500, point).code, point);
        Map<String, String> killed = snapshot(out);
        if (BEFORE_PUBLISH.contains(point)) {
            assertEquals(earlier, killed, point + ": the earlier output, untouched");
        } else if (point.equals("batch:moved-aside")) {
            assertEquals(null, killed, point + ": between the renames");
        } else {
            assertEquals(
                    shards(2), List.copyOf(killed.keySet()), point + ": the new output, whole");
        }
        assertEquals(
                point.equals("batch:cleaned"),
                leftovers(out).isEmpty(),
                point + ": " + leftovers(out));

        // The next run repairs first, even one that then fails (a bad row, none allowed).
        Run failing = predict(badRows, out.toString(), 1000, null);
        assertEquals(1, failing.code, failing.output);
        assertEquals(
                BEFORE_PUBLISH.contains(point) || point.equals("batch:moved-aside")
                        ? earlier
                        : killed,
                snapshot(out),
                point + ": " + failing.output);
        assertEquals(List.of(), leftovers(out), point + ": " + failing.output);
        assertEquals(
                point.equals("batch:moved-aside"),
                failing.output.contains("restored " + out.toAbsolutePath()),
                failing.output);
        if (point.equals("batch:written")) {
            assertTrue(failing.output.contains("MB), which a killed run left"), failing.output);
        }

        Run next = predict(out, 3000, null);
        assertEquals(0, next.code, next.output);
        assertEquals(shards(1), names(out));
        assertEquals(List.of(), leftovers(out));
    }

    @Test
    void aRunKilledRightAfterItRestoredTheEarlierOutputLeavesItRestored()
            throws IOException, InterruptedException {
        Path out = dir.resolve("predictions");
        assertEquals(0, predict(out, 1000, null).code);
        Map<String, String> earlier = snapshot(out);
        assertEquals(CrashPoints.EXIT_CODE, predict(out, 1500, "batch:moved-aside").code);
        assertEquals(CrashPoints.EXIT_CODE, predict(out, 1500, "batch:restored").code);
        assertEquals(earlier, snapshot(out));
        assertEquals(1, leftovers(out).size(), "the first killed run's staging: " + leftovers(out));
        Run next = predict(out, 1000, null);
        assertEquals(0, next.code, next.output);
        assertEquals(earlier, snapshot(out), "the same rows, the same shards");
        assertEquals(List.of(), leftovers(out));
    }

    @Test
    void onlyTheLeftoversOfDeadRunsAreRemovedNeverALiveRunsNorAnotherDirectorysNorUnknownFiles()
            throws IOException, InterruptedException {
        Path out = dir.resolve("predictions");
        assertEquals(0, predict(out, 1000, null).code);
        long pid = ProcessHandle.current().pid();
        long start = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        String live = ".predictions.staging-" + pid + "-" + start + "-0a1b2c3d";
        String liveReplaced = ".predictions.replaced-" + pid + "-" + start + "-0a1b2c3d";
        String reusedPid =
                ".predictions.staging-"
                        + pid
                        + "-"
                        + (start - 1)
                        + "-0a1b2c3d"; // this pid, another start
        String oldVersion = ".predictions.staging-123e4567-e89b-12d3-a456-426614174000";
        String oldReplaced = ".predictions.replaced-123e4567-e89b-12d3-a456-426614174000";
        String deadWithNotes = ".predictions.staging-" + pid + "-" + (start - 2) + "-0a1b2c3d";
        String otherDir = ".predictions2.staging-" + pid + "-" + (start - 1) + "-0a1b2c3d";
        String unknown = ".predictions.staging-notes";
        for (String name :
                List.of(
                        live,
                        liveReplaced,
                        reusedPid,
                        oldVersion,
                        oldReplaced,
                        deadWithNotes,
                        otherDir,
                        unknown)) {
            Path leftover = Files.createDirectories(dir.resolve(name));
            Files.writeString(
                    leftover.resolve(
                            name.contains("staging-")
                                    ? ".prediction.results-00000.part"
                                    : "prediction.results-00000-of-00001"),
                    "{}\n");
        }
        Files.writeString(dir.resolve(deadWithNotes).resolve("notes.txt"), "the user's");

        Run run = predict(out, 3000, null);
        assertEquals(0, run.code, run.output);
        assertEquals(
                List.of(
                        ".predictions.replaced-" + pid + "-" + start + "-0a1b2c3d",
                        deadWithNotes,
                        live,
                        unknown),
                leftovers(out).stream().sorted().toList(),
                run.output);
        assertTrue(Files.exists(dir.resolve(otherDir)));
        assertTrue(
                run.output.contains(
                        "left "
                                + dir.toAbsolutePath().resolve(deadWithNotes)
                                + ", which a killed run left: it holds notes.txt, which batch-predict does not write"),
                run.output);
        assertEquals(shards(1), names(out));
    }

    @Test
    void aGcsRunKilledBeforeItsUploadsLeavesNoObjectAndTheNextRunRemovesItsLocalStaging()
            throws IOException, InterruptedException {
        String prefix = "crash/predictions";
        Run killed = predict(rows, FakeGcsServer.uri(prefix), 1000, "batch:written");
        assertEquals(CrashPoints.EXIT_CODE, killed.code, killed.output);
        List<String> staged = names(dir.resolve("tmp"));
        assertEquals(1, staged.size(), staged.toString());
        assertTrue(staged.get(0).startsWith("kfp-tribuo-predictions-"), staged.toString());
        assertEquals(List.of(), objects(prefix + "/"));
        Path live =
                Files.createDirectories(
                        dir.resolve("tmp")
                                .resolve(
                                        "kfp-tribuo-predictions-"
                                                + ProcessHandle.current().pid()
                                                + "-"
                                                + ProcessHandle.current()
                                                        .info()
                                                        .startInstant()
                                                        .orElseThrow()
                                                        .toEpochMilli()
                                                + "-42"));

        Run next = predict(rows, FakeGcsServer.uri(prefix), 1000, null);
        assertEquals(0, next.code, next.output);
        assertEquals(shards(3), objects(prefix + "/"));
        assertEquals(
                List.of(live.getFileName().toString()), names(dir.resolve("tmp")), next.output);
        assertTrue(
                next.output.contains("removed " + dir.resolve("tmp").resolve(staged.get(0))),
                next.output);
    }

    private static List<String> objects(String prefix) {
        List<String> names = new ArrayList<>();
        for (Blob blob :
                GcsClient.get()
                        .list(FakeGcsServer.BUCKET, Storage.BlobListOption.prefix(prefix))
                        .iterateAll()) {
            names.add(blob.getName().substring(prefix.length()));
        }
        return names.stream().sorted().toList();
    }

    @Test
    void killedRunsOfAnotherPredictionsDirAreNotThisRunsToRestore()
            throws IOException, InterruptedException {
        Path out = dir.resolve("predictions");
        Path other = dir.resolve("predictions2");
        assertEquals(0, predict(other, 1000, null).code);
        assertEquals(CrashPoints.EXIT_CODE, predict(other, 1500, "batch:moved-aside").code);
        assertFalse(Files.exists(other));
        assertEquals(0, predict(out, 3000, null).code);
        assertFalse(
                Files.exists(other),
                "predictions2's earlier output is its own next run's to restore");
        Run otherNext = predict(other, 3000, null);
        assertEquals(0, otherNext.code, otherNext.output);
        assertTrue(otherNext.output.contains("restored"), otherNext.output);
        assertEquals(List.of(), leftovers(other));
    }
}
