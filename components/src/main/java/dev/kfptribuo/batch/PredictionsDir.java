package dev.kfptribuo.batch;

import dev.kfptribuo.io.Containment;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where batch prediction may write its predictions directory, and what an existing one may hold to
 * be replaced.
 *
 * <p>The files batch prediction makes there, its outputs, are the shards of {@code
 * prediction.results-NNNNN-of-NNNNN} (JSON Lines), {@code prediction.results-NNNNN-of-NNNNN.csv}
 * (CSV) and {@code prediction.errors_stats-NNNNN-of-NNNNN}. An existing local directory is replaced
 * only when it holds nothing but such regular files (an earlier run's output, or nothing at all):
 * anything else (a user's file, a subdirectory, a symbolic link, a hidden file) refuses the run, so
 * that no file batch prediction did not write is ever deleted. The directory may also not be, hold
 * or lie inside the model's job dir, nor hold an input file, local or gs://.
 */
final class PredictionsDir {
    /**
     * An output shard's name, as {@link ShardedWriter} names it ({@code %05d}, more digits past
     * 99999).
     */
    private static final Pattern OUTPUT =
            Pattern.compile(
                    "prediction\\.(results-\\d{5,}-of-\\d{5,}(\\.csv)?|errors_stats-\\d{5,}-of-\\d{5,})");

    /** A shard {@link ShardedWriter} is still writing, in a staging directory. */
    private static final Pattern PART =
            Pattern.compile("\\.prediction\\.(results|errors_stats)-\\d{5,}\\.part");

    /** What the refusals tell the user to do. */
    private static final String ELSEWHERE = "write the predictions to a directory of their own";

    private PredictionsDir() {}

    /**
     * @param name a file name
     * @return true if batch prediction writes files of that name into a predictions directory
     */
    static boolean isOutput(String name) {
        return OUTPUT.matcher(name).matches();
    }

    /**
     * @param name a file name
     * @return true if batch prediction writes files of that name into a staging directory
     */
    static boolean isStaged(String name) {
        return isOutput(name) || PART.matcher(name).matches();
    }

    /**
     * The first entry of a directory, by name, that fails a test: for what a run would delete.
     *
     * @param dir an existing directory
     * @param staging true to allow the shards in progress of a staging directory too
     * @return the entry's name, or null if every entry is a regular file of an allowed name
     * @throws IOException if the directory cannot be listed
     */
    static String firstForeign(Path dir, boolean staging) throws IOException {
        String[] names;
        try (Stream<Path> entries = Files.list(dir)) {
            names = entries.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
        for (String name : names) {
            boolean allowed = staging ? isStaged(name) : isOutput(name);
            if (!allowed || !Files.isRegularFile(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                return name;
            }
        }
        return null;
    }

    /**
     * Refuses an existing local directory that holds anything but an earlier run's outputs.
     *
     * @param dir the predictions directory, which exists
     * @throws BatchPrediction.PredictionsDirException if it is not a directory or holds another
     *     entry
     * @throws IOException if it cannot be listed
     */
    static void checkReplaceable(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BatchPrediction.PredictionsDirException(
                    dir + ": exists and is not a directory; " + ELSEWHERE);
        }
        String foreign = firstForeign(dir, false);
        if (foreign != null) {
            throw new BatchPrediction.PredictionsDirException(
                    dir
                            + ": holds "
                            + foreign
                            + ", which batch-predict did not"
                            + " write; an existing predictions dir is replaced only when it holds nothing but an earlier run's"
                            + " prediction.results-* and prediction.errors_stats-* files: "
                            + ELSEWHERE);
        }
    }

    /**
     * Refuses a predictions directory that is, contains or lies inside the model's job dir, or that
     * holds one of the input files, before anything is read or written.
     *
     * @param predictions the predictions directory, local or gs://
     * @param model the model's job dir
     * @param inputs the instances' files
     * @throws BatchPrediction.PredictionsDirException naming both places
     * @throws IOException if a local path cannot be resolved
     */
    static void checkPlace(Location predictions, Location model, List<InputFile> inputs)
            throws IOException {
        boolean insideModel = Containment.within(predictions, model);
        boolean holdsModel = Containment.within(model, predictions);
        if (insideModel && holdsModel) {
            throw new BatchPrediction.PredictionsDirException(
                    predictions + ": is the --model-path " + model + "; " + ELSEWHERE);
        }
        if (insideModel) {
            throw new BatchPrediction.PredictionsDirException(
                    predictions + ": lies inside the --model-path " + model + "; " + ELSEWHERE);
        }
        if (holdsModel) {
            throw new BatchPrediction.PredictionsDirException(
                    predictions
                            + ": holds the --model-path "
                            + model
                            + ", which replacing it would delete; "
                            + ELSEWHERE);
        }
        for (InputFile input : inputs) {
            if (Containment.within(input.location(), predictions)) {
                throw new BatchPrediction.PredictionsDirException(
                        predictions
                                + (Containment.within(predictions, input.location())
                                        ? ": is the input "
                                        : ": holds the input ")
                                + input
                                + " (--dataset-path), which replacing it would delete; "
                                + ELSEWHERE);
            }
        }
    }
}
