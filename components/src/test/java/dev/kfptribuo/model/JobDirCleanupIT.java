package dev.kfptribuo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import dev.kfptribuo.TestData;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.GcsClient;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clean-up after a save removes an old bundle directory only when it holds nothing but the
 * files a save writes; a directory of that name holding anything else (a user's file, a
 * subdirectory, a link) is left, whole, and named once in the log. Locally and on gs://.
 */
@ExtendWith(FakeGcsServer.class)
class JobDirCleanupIT {
    private static final String OLD = "model-20260101T000000000Z-0000000";

    @TempDir static Path shared;
    private static ModelBundle bundle;

    @BeforeAll
    static void train() {
        Table rows = TestData.read(TestData.slice(shared, "train.csv", 0, 1500));
        Hyperparameters hyperparameters = new Hyperparameters(BinaryLoss.LOG, 1e-4, 3, 1e-3, 5, 0);
        TrainingResult result = ModelTraining.train(rows, hyperparameters, (e, l, a, t) -> {});
        bundle =
                new ModelBundle(
                        result.model(),
                        ModelTraining.manifest(result, hyperparameters, rows, 0.1, Instant.EPOCH));
    }

    private static List<String> save(Location dir) throws IOException {
        List<String> log = new ArrayList<>();
        try (JobDirWriter writer = JobDirWriter.open(List.of(dir), log::add)) {
            writer.save(bundle);
        }
        return log;
    }

    private static long mentions(List<String> log, Object dir) {
        return log.stream()
                .filter(line -> line.contains(dir + ":") || line.endsWith(dir.toString()))
                .count();
    }

    @Test
    void aLocalBundleDirectoryHoldingAnythingElseIsLeftAndNamedOnce(@TempDir Path tmp)
            throws IOException {
        Path job = tmp.resolve("job");
        Path withNotes = Files.createDirectories(job.resolve(OLD + "1"));
        Files.writeString(withNotes.resolve(ModelBundle.MODEL_FILE), "old model");
        Files.writeString(withNotes.resolve("notes.txt"), "my notes");
        Path crashed = Files.createDirectories(job.resolve(OLD + "2"));
        Files.writeString(crashed.resolve(ModelBundle.MODEL_FILE), "old model");
        Files.writeString(
                crashed.resolve(
                        "." + ModelBundle.ONNX_FILE + ".0b6f1e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.tmp"),
                "half");
        Path withDir = Files.createDirectories(job.resolve(OLD + "3").resolve("plots"));
        Path outside = Files.writeString(tmp.resolve("precious.bin"), "not a model");
        Path withLink = Files.createDirectories(job.resolve(OLD + "4"));
        Files.createSymbolicLink(withLink.resolve(ModelBundle.MODEL_FILE), outside);

        List<String> log = save(Location.parse(job.toString()));

        assertEquals("my notes", Files.readString(withNotes.resolve("notes.txt")));
        assertTrue(Files.exists(withNotes.resolve(ModelBundle.MODEL_FILE)), "left whole");
        assertEquals(1, mentions(log, withNotes), log.toString());
        assertTrue(
                log.contains(
                        "kept "
                                + withNotes
                                + ": named like an old bundle directory, but it holds notes.txt,"
                                + " which a save does not write"),
                log.toString());
        assertFalse(Files.exists(crashed), "a crashed save's bundle goes: " + log);
        assertTrue(log.contains("removed an old bundle directory " + crashed), log.toString());
        assertTrue(Files.isDirectory(withDir.getParent().resolve("plots")));
        assertTrue(
                log.contains(
                        "kept "
                                + withDir.getParent()
                                + ": named like an old bundle directory, but it holds"
                                + " the directory plots, which a save does not write"),
                log.toString());
        assertEquals("not a model", Files.readString(outside));
        assertTrue(Files.isSymbolicLink(withLink.resolve(ModelBundle.MODEL_FILE)));
        assertTrue(
                log.contains(
                        "kept "
                                + withLink
                                + ": named like an old bundle directory, but it holds the link "
                                + ModelBundle.MODEL_FILE
                                + ", which a save does not write"),
                log.toString());
    }

    @Test
    void aGcsBundlePrefixHoldingAnythingElseIsLeftAndNamedOnce() throws IOException {
        Location job = Location.parse(FakeGcsServer.uri("cleanup/job"));
        Location withNotes = job.resolve(OLD + "1");
        OutputFiles.write(
                withNotes.resolve(ModelBundle.MODEL_FILE), "old".getBytes(StandardCharsets.UTF_8));
        OutputFiles.write(
                withNotes.resolve("notes.txt"), "my notes".getBytes(StandardCharsets.UTF_8));
        Location oldBundle = job.resolve(OLD + "2");
        OutputFiles.write(
                oldBundle.resolve(ModelBundle.MODEL_FILE), "old".getBytes(StandardCharsets.UTF_8));
        OutputFiles.write(
                oldBundle.resolve(ModelBundle.ONNX_FILE), "old".getBytes(StandardCharsets.UTF_8));
        Location nested = job.resolve(OLD + "3");
        OutputFiles.write(
                nested.resolve(ModelBundle.MODEL_FILE), "old".getBytes(StandardCharsets.UTF_8));
        OutputFiles.write(
                nested.resolve("plots").resolve("a.png"), "png".getBytes(StandardCharsets.UTF_8));

        List<String> log = save(job);

        TreeSet<String> left = new TreeSet<>();
        for (Blob blob :
                GcsClient.get()
                        .list(job.bucket(), Storage.BlobListOption.prefix(job.path() + "/" + OLD))
                        .iterateAll()) {
            left.add(blob.getName().substring(job.path().length() + 1));
        }
        assertEquals(
                new TreeSet<>(
                        List.of(
                                OLD + "1/" + ModelBundle.MODEL_FILE,
                                OLD + "1/notes.txt",
                                OLD + "3/" + ModelBundle.MODEL_FILE,
                                OLD + "3/plots/a.png")),
                left);
        assertEquals(1, mentions(log, withNotes), log.toString());
        assertTrue(
                log.contains(
                        "kept "
                                + withNotes
                                + ": named like an old bundle directory, but it holds notes.txt,"
                                + " which a save does not write"),
                log.toString());
        assertTrue(
                log.contains(
                        "kept "
                                + nested
                                + ": named like an old bundle directory, but it holds the directory"
                                + " plots, which a save does not write"),
                log.toString());
        assertTrue(log.contains("removed an old bundle directory " + oldBundle), log.toString());
    }
}
