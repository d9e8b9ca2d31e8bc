package dev.kfptribuo.batch;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which names are batch prediction's outputs, and where a predictions directory may not be. */
class PredictionsDirTest {
    private static String refusal(String predictions, String model, String... inputs) {
        List<InputFile> files =
                Arrays.stream(inputs).map(i -> new InputFile(Location.parse(i))).toList();
        return assertThrows(
                        BatchPrediction.PredictionsDirException.class,
                        () ->
                                PredictionsDir.checkPlace(
                                        Location.parse(predictions), Location.parse(model), files))
                .getMessage();
    }

    private static void allowed(String predictions, String model, String... inputs) {
        List<InputFile> files =
                Arrays.stream(inputs).map(i -> new InputFile(Location.parse(i))).toList();
        assertDoesNotThrow(
                () ->
                        PredictionsDir.checkPlace(
                                Location.parse(predictions), Location.parse(model), files));
    }

    @Test
    void outputsAreTheShardNamesTheWriterMakes() {
        for (String name :
                List.of(
                        "prediction.results-00000-of-00001",
                        "prediction.results-00002-of-00003.csv",
                        "prediction.errors_stats-00000-of-00001",
                        "prediction.results-123456-of-123457")) {
            assertTrue(PredictionsDir.isOutput(name), name);
        }
        for (String name :
                List.of(
                        "prediction.results",
                        "prediction.results-0-of-1",
                        "prediction.errors_stats-00000-of-00001.csv",
                        "prediction.results-00000-of-00001.json",
                        "notes.txt",
                        ".prediction.results-00000.part",
                        "manifest.json")) {
            assertFalse(PredictionsDir.isOutput(name), name);
        }
        assertTrue(PredictionsDir.isStaged(".prediction.results-00000.part"));
        assertTrue(PredictionsDir.isStaged(".prediction.errors_stats-00000.part"));
    }

    @Test
    void gsPrefixesAreComparedBySegments() {
        allowed("gs://b/predictions", "gs://b/job", "gs://b/in/rows-000.csv");
        allowed("gs://b/jo", "gs://b/job"); // a string prefix, not a parent
        allowed("gs://b/job2/predictions", "gs://b/job");
        allowed("gs://c/job", "gs://b/job"); // another bucket
        allowed("gs://b/job", "b/job"); // local and gs:// never overlap
        assertEquals(
                "gs://b/job/: is the --model-path gs://b/job; write the predictions to a directory of their own",
                refusal("gs://b/job/", "gs://b/job"));
        assertTrue(
                refusal("gs://b/job/predictions", "gs://b/job")
                        .contains("lies inside the --model-path gs://b/job"));
        assertTrue(refusal("gs://b/", "gs://b/job").contains("holds the --model-path gs://b/job"));
        assertTrue(refusal("gs://b", "gs://b/job").contains("holds the --model-path gs://b/job"));
        assertTrue(
                refusal("gs://b/p", "gs://b/job", "gs://b/in/a.csv", "gs://b/p/x.csv")
                        .startsWith("gs://b/p: holds the input gs://b/p/x.csv (--dataset-path)"));
    }

    @Test
    void localPathsAreComparedWithTheirLinksResolved(@TempDir Path dir) throws IOException {
        Path job = Files.createDirectories(dir.resolve("job"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), job);
        assertTrue(refusal(link.toString(), job.toString()).contains("is the --model-path"));
        assertTrue(
                refusal(link.resolve("p").toString(), job.toString())
                        .contains("lies inside the --model-path"));
        assertTrue(
                refusal(dir.resolve("a/../job").toString(), job.toString())
                        .contains("is the --model-path"));
        assertTrue(
                refusal(
                                dir.resolve("p").toString(),
                                job.toString(),
                                dir.resolve("p/in.csv").toString())
                        .contains("holds the input"));
        allowed(
                dir.resolve("job-predictions").toString(),
                job.toString(),
                dir.resolve("in.csv").toString());
    }

    @Test
    void anExistingDirectoryIsReplaceableOnlyWithNothingButOutputsInIt(@TempDir Path dir)
            throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        assertDoesNotThrow(() -> PredictionsDir.checkReplaceable(out));
        Files.writeString(out.resolve("prediction.results-00000-of-00001"), "");
        assertDoesNotThrow(() -> PredictionsDir.checkReplaceable(out));
        Files.writeString(out.resolve("zz.txt"), "");
        Files.writeString(out.resolve("a.txt"), "");
        String message =
                assertThrows(
                                BatchPrediction.PredictionsDirException.class,
                                () -> PredictionsDir.checkReplaceable(out))
                        .getMessage();
        assertTrue(
                message.startsWith(out + ": holds a.txt, which batch-predict did not write"),
                message);
        Path file = Files.writeString(dir.resolve("file"), "");
        assertTrue(
                assertThrows(
                                BatchPrediction.PredictionsDirException.class,
                                () -> PredictionsDir.checkReplaceable(file))
                        .getMessage()
                        .contains("exists and is not a directory"));
    }
}
