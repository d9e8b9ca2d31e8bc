package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kfptribuo.trainer.Train;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the helpers' tests share to get a model: the bundled sample, rows cut from it, and
 * in-process runs of {@code train} that fail the test when train fails.
 */
final class TrainRuns {
    /** The 10,000-row covertype sample, with its header. */
    static final Path SAMPLE = Path.of("..", "data", "covertype", "covertype_small.csv");

    private TrainRuns() {}

    /**
     * Writes the sample's header and its data lines {@code from} (inclusive) to {@code to}
     * (exclusive), counted as lines of the file: the header is line 0, the first row line 1.
     *
     * @return {@code file}
     */
    static Path sampleRows(Path file, int from, int to) throws IOException {
        List<String> lines = Files.readAllLines(SAMPLE);
        List<String> rows = new ArrayList<>(lines.subList(from, to));
        rows.add(0, lines.get(0));
        return Files.write(file, rows);
    }

    /** A model trained on the sample's first rows, and a file of the rows after them to test it. */
    record Split(Path jobDir, Path test) {}

    /**
     * Trains on the sample's rows before line {@code trainEnd}, written to {@code dir/train.csv},
     * into the job dir {@code dir/job}, and writes the rows from there to line {@code testEnd}
     * (exclusive) to {@code dir/test.csv}; both files have the header.
     *
     * @param flags train's flags after --training_dataset_path and --job-dir
     */
    static Split split(Path dir, int trainEnd, int testEnd, String... flags) throws IOException {
        Path train = sampleRows(dir.resolve("train.csv"), 1, trainEnd);
        Path test = sampleRows(dir.resolve("test.csv"), trainEnd, testEnd);
        Path jobDir = dir.resolve("job");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--training_dataset_path",
                                train.toString(),
                                "--job-dir",
                                jobDir.toString()));
        args.addAll(List.of(flags));
        train(args.toArray(String[]::new));
        return new Split(jobDir, test);
    }

    /**
     * Trains {@code train} on the whole sample into a job dir, failing the test if it fails.
     *
     * @param jobDir where the model goes
     * @param maxIter epochs
     * @return the job dir
     */
    static Path train(Path jobDir, int maxIter) {
        train(
                "--training_dataset_path", SAMPLE.toString(),
                "--job-dir", jobDir.toString(),
                "--max_iter", Integer.toString(maxIter));
        return jobDir;
    }

    /** Runs {@code train ARGS} in-process, failing the test (with train's stderr) unless exit 0. */
    static void train(String... args) {
        StringWriter err = new StringWriter();
        assertEquals(
                0,
                Train.run(
                        args, new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of()),
                err.toString());
    }
}
