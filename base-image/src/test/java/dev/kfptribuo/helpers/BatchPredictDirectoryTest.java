package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.helpers.BatchPredictRuns.Run;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * batch-predict never deletes what it did not write: an existing predictions dir is replaced only
 * when it holds nothing but an earlier run's output files, and a predictions dir may not be, hold
 * or lie inside the model, nor hold an input. Each refusal names the directory and what is in the
 * way, before anything is read or written: a directory holding other files is a runtime error (one
 * line, exit 1), a directory the flags place on the model or an input a usage error (exit 2).
 */
class BatchPredictDirectoryTest {
    private static final Path SAMPLE = TrainRuns.SAMPLE;
    private static final Path TESTING =
            Path.of("..", "data", "covertype", "covertype_validation.csv");

    @TempDir static Path shared;
    private static Path trained;

    /**
     * A fresh copy of the trained model per test, so that a test that deletes it harms no other.
     */
    private Path jobDir;

    @TempDir Path dir;

    @BeforeAll
    static void train() {
        trained = shared.resolve("job");
        TrainRuns.train(trained, 5);
    }

    private static Run run(String... args) {
        return BatchPredictRuns.batchPredict(args);
    }

    private Run predict(Path dataset, Path predictions) throws IOException {
        if (jobDir == null) {
            jobDir = dir.resolve("model");
            copyTree(trained, jobDir);
        }
        return run(
                "--dataset-path",
                dataset.toString(),
                "--model-path",
                jobDir.toString(),
                "--predictions-dir",
                predictions.toString());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : all.toList()) {
                Files.copy(source, to.resolve(from.relativize(source).toString()));
            }
        }
    }

    /** Every file under a directory, by relative path, with its bytes as text. */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.filter(p -> !Files.isDirectory(p)).toList()) {
                files.put(
                        root.relativize(path).toString(),
                        Files.isSymbolicLink(path)
                                ? "-> " + Files.readSymbolicLink(path)
                                : Files.readString(
                                        path, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    private static List<String> names(Path dir) throws IOException {
        return BatchPredictRuns.names(dir);
    }

    private static void assertRefused(Run run, String... parts) {
        assertEquals(1, run.code, run.out + run.err);
        assertEquals(1, run.err.strip().lines().count(), run.err);
        assertContains(run, parts);
    }

    /** A usage error: the refusal, then the --help hint. */
    private static void assertUsageError(Run run, String... parts) {
        assertEquals(2, run.code, run.out + run.err);
        List<String> lines = run.err.strip().lines().toList();
        assertEquals(2, lines.size(), run.err);
        assertTrue(lines.get(0).startsWith("batch-predict: error: "), run.err);
        assertTrue(lines.get(1).endsWith("batch-predict --help' for more information."), run.err);
        assertContains(run, parts);
        assertEquals("", run.out, "refused before any work");
    }

    private static void assertContains(Run run, String... parts) {
        for (String part : parts) {
            assertTrue(run.err.contains(part), "missing '" + part + "' in: " + run.err);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "notes.txt",
                "sub/kept.txt",
                ".hidden",
                "prediction.results-00000-of-00002/inside.txt",
                "link"
            })
    void anExistingDirectoryHoldingAnythingButAnEarlierRunsOutputIsRefusedAndKept(String entry)
            throws IOException {
        Path out = dir.resolve("predictions");
        Files.createDirectories(out);
        Files.writeString(
                out.resolve("prediction.results-00000-of-00001"), "an earlier run's output\n");
        if (entry.equals("link")) {
            Path user = Files.writeString(dir.resolve("user.txt"), "the user's");
            // A link with an output's name: it is not a file batch-predict wrote.
            Files.delete(out.resolve("prediction.results-00000-of-00001"));
            Files.createSymbolicLink(out.resolve("prediction.results-00000-of-00001"), user);
        } else {
            Files.createDirectories(out.resolve(entry).getParent());
            Files.writeString(out.resolve(entry), "the user's");
        }
        Map<String, String> before = contents(out);
        String first =
                entry.equals("link") ? "prediction.results-00000-of-00001" : entry.split("/")[0];

        Run run = predict(TESTING, out);

        assertRefused(
                run, out.toString(), "holds " + first + ", which batch-predict did not write");
        assertEquals(before, contents(out), "nothing in it touched");
        assertEquals(
                List.of("model", "predictions"),
                names(dir).stream().filter(n -> !n.equals("user.txt")).toList(),
                "no staging directory made");
        assertEquals("", run.out, "refused before any work");
    }

    @Test
    void theModelsJobDirAndTheDirectoriesAroundItAreRefused() throws IOException {
        Run first = predict(TESTING, dir.resolve("unused"));
        assertEquals(0, first.code, first.err);
        Map<String, String> model = contents(jobDir);

        assertUsageError(predict(TESTING, jobDir), jobDir.toString(), "is the --model-path");
        assertUsageError(
                predict(TESTING, jobDir.resolve("predictions")), "lies inside the --model-path");
        assertUsageError(predict(TESTING, dir), dir.toString(), "holds the --model-path");
        // Another spelling of the same directory is the same directory.
        assertUsageError(
                predict(TESTING, jobDir.resolve("..").resolve("model")), "is the --model-path");

        assertEquals(model, contents(jobDir), "the model untouched");
        assertFalse(Files.exists(jobDir.resolve("predictions")));
        ModelBundle.load(Location.parse(jobDir.toString()));
    }

    @Test
    void aDirectoryUnderAFileIsNamedWithWhatIsInTheWay() throws IOException {
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file where a directory goes");
        Path out = blocker.resolve("predictions");

        assertRefused(
                predict(TESTING, out),
                "batch-predict: error: I/O: "
                        + out
                        + ": cannot be written ("
                        + blocker
                        + ": exists and is not a directory)");
        assertEquals(List.of("blocker", "model"), names(dir));
    }

    @Test
    void aDirectoryHoldingAnInputIsRefused() throws IOException {
        // Instances under a name an output could have: only the input rule keeps them.
        Path out = dir.resolve("predictions");
        Files.createDirectories(out);
        Path input = out.resolve("prediction.results-00000-of-00001.csv");
        Files.copy(TESTING, input);

        assertUsageError(predict(input, out), out.toString(), "holds the input " + input);
        assertEquals(Files.readString(TESTING), Files.readString(input));
        Path wildcard = out.resolve("prediction.results-*.csv");
        assertUsageError(predict(wildcard, out), "holds the input " + input);
    }

    @Test
    void anEarlierRunsOutputOrAnEmptyDirectoryIsReplacedWhole() throws IOException {
        Path out = dir.resolve("predictions");
        Files.createDirectories(out);
        Run empty = predict(TESTING, out);
        assertEquals(0, empty.code, empty.err);
        assertEquals(List.of("prediction.results-00000-of-00001"), names(out));

        Files.writeString(out.resolve("prediction.errors_stats-00000-of-00001"), "{}\n");
        Files.writeString(out.resolve("prediction.results-00003-of-00007.csv"), "a,b\n");
        Run again = predict(TESTING, out);
        assertEquals(0, again.code, again.err);
        assertEquals(List.of("prediction.results-00000-of-00001"), names(out));
        assertEquals(
                10000, Files.readAllLines(out.resolve("prediction.results-00000-of-00001")).size());
        assertEquals(List.of("model", "predictions"), names(dir), "nothing left beside it");
    }
}
