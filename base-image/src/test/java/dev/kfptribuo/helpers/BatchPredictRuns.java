package dev.kfptribuo.helpers;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the batch-predict tests share: runs in-process (their model is {@link TrainRuns#train(Path,
 * int)}'s).
 */
final class BatchPredictRuns {
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
