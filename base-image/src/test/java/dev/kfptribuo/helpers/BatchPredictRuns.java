package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kfptribuo.trainer.Train;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the batch-predict tests share: a model trained on the bundled sample, and runs in-process.
 */
final class BatchPredictRuns {
    /** The 10,000-row covertype sample the model is trained on. */
    static final Path SAMPLE = Path.of("..", "data", "covertype", "covertype_small.csv");

    /** One in-process run of {@code helpers batch-predict}: exit code, stdout, stderr. */
    static final class Run {
        final int code;
        final String out;
        final String err;

        Run(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        int code() {
            return code;
        }

        String out() {
            return out;
        }

        String err() {
            return err;
        }
    }

    private BatchPredictRuns() {}

    /**
     * Trains {@code train} on the sample into a job dir, failing the test if it fails.
     *
     * @param jobDir where the model goes
     * @param maxIter epochs
     * @return the job dir
     */
    static Path train(Path jobDir, int maxIter) {
        StringWriter err = new StringWriter();
        String[] args = {
            "--training_dataset_path", SAMPLE.toString(),
            "--job-dir", jobDir.toString(),
            "--max_iter", Integer.toString(maxIter)
        };
        assertEquals(
                0,
                Train.run(
                        args, new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of()),
                err.toString());
        return jobDir;
    }

    /**
     * @return the run of {@code helpers batch-predict ARGS}
     */
    static Run batchPredict(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "batch-predict";
        System.arraycopy(args, 0, full, 1, args.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HelperComponents.run(full, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * @return the names in a directory, sorted
     */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
