package dev.kfptribuo.batch;

import dev.kfptribuo.io.CrashPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hidden directories batch prediction makes while it writes, named by their run ({@link
 * RunId}), and the repair of those a run that was killed left behind.
 *
 * <p>Beside a local predictions directory {@code NAME}:
 *
 * <pre>
 * .NAME.staging-PID-START-RANDOM    the run's files while it writes them; renamed to NAME once all are made
 * .NAME.replaced-PID-START-RANDOM   the earlier NAME, moved aside for that rename, deleted right after it
 * </pre>
 *
 * A run of an earlier version named them {@code .NAME.staging-UUID} and {@code
 * .NAME.replaced-UUID}, without their run: those count as left by a dead one. For a gs:// target a
 * run stages its files in {@code TMPDIR/kfp-tribuo-predictions-PID-START-DIGITS}.
 *
 * <p>Each run repairs, before it checks or writes anything, what dead runs left; a live run's
 * directories are never touched. If {@code NAME} is missing and a dead run's {@code .replaced-}
 * directory is there (it was killed between its two renames), that directory, the earlier output,
 * is moved back to {@code NAME}: a killed run published nothing, so the output it was replacing is
 * the current one. Every other such directory is deleted if it holds only files batch prediction
 * writes (outputs, shards in progress), else left and named in the log. Failing to delete one is
 * logged and does not stop the run; failing to restore the earlier output does.
 *
 * <p>The restore is the {@link CrashPoints} point {@code batch:restored}.
 */
final class Leftovers {
    /** The start of the temporary staging directories of gs:// targets. */
    static final String TEMP_PREFIX = "kfp-tribuo-predictions-";

    private static final String UUID =
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final Pattern TEMP =
            Pattern.compile(Pattern.quote(TEMP_PREFIX) + RunId.PATTERN + "-\\d+");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Leftovers() {}

    /**
     * @param dir a local predictions directory, absolute
     * @return a fresh name beside it for this run's staging directory
     */
    static Path stagingFor(Path dir) {
        return beside(dir, "staging");
    }

    /**
     * @param dir a local predictions directory, absolute
     * @return a fresh name beside it for the earlier output this run moves aside
     */
    static Path replacedFor(Path dir) {
        return beside(dir, "replaced");
    }

    private static Path beside(Path dir, String kind) {
        return dir.resolveSibling(
                "."
                        + dir.getFileName()
                        + "."
                        + kind
                        + "-"
                        + RunId.CURRENT.text()
                        + "-"
                        + HexFormat.of().toHexDigits(RANDOM.nextInt()));
    }

    /**
     * Repairs what dead runs left beside a local predictions directory.
     *
     * @param dir the predictions directory, absolute; its parent exists
     * @param log receives a line per directory restored, removed or left
     * @throws IOException if the directory cannot be listed or the earlier output cannot be moved
     *     back
     */
    static void repair(Path dir, Consumer<String> log) throws IOException {
        Pattern own =
                Pattern.compile(
                        "\\."
                                + Pattern.quote(dir.getFileName().toString())
                                + "\\.(staging|replaced)-(?:"
                                + RunId.PATTERN
                                + "-[0-9a-f]{8}|"
                                + UUID
                                + ")");
        List<Path> staging = new ArrayList<>();
        List<Path> replaced = new ArrayList<>();
        for (Path entry : list(dir.getParent())) {
            Matcher m = own.matcher(entry.getFileName().toString());
            if (m.matches() && dead(m, 2) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                (m.group(1).equals("staging") ? staging : replaced).add(entry);
            }
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !replaced.isEmpty()) {
            Path newest =
                    replaced.stream().max(Comparator.comparing(Leftovers::modified)).orElseThrow();
            Files.move(newest, dir, StandardCopyOption.ATOMIC_MOVE);
            replaced.remove(newest);
            log.accept(
                    "restored "
                            + dir
                            + ", the output of an earlier run, from "
                            + newest.getFileName()
                            + ", where a run killed while it replaced it had moved it");
            CrashPoints.reached("batch:restored");
        }
        for (Path entry : staging) {
            remove(entry, true, log);
        }
        for (Path entry : replaced) {
            remove(entry, false, log);
        }
    }

    /**
     * Makes this run's temporary staging directory for a gs:// target, after removing those of dead
     * runs.
     *
     * @param log receives a line per directory removed or left
     * @return the new, empty directory
     * @throws IOException if it cannot be made
     */
    static Path tempStaging(Consumer<String> log) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            for (Path entry : list(tmp)) {
                Matcher m = TEMP.matcher(entry.getFileName().toString());
                if (m.matches()
                        && dead(m, 1)
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    remove(entry, true, log);
                }
            }
        } catch (IOException e) {
            log.accept(
                    "could not look for staging directories of killed runs in "
                            + tmp
                            + ": "
                            + e.getMessage());
        }
        return Files.createTempDirectory(TEMP_PREFIX + RunId.CURRENT.text() + "-");
    }

    /**
     * True if the run named at the groups is gone; a name without a run (an earlier version's) is.
     */
    private static boolean dead(Matcher m, int first) {
        if (m.group(first) == null) {
            return true;
        }
        RunId run = RunId.parse(m, first);
        return run != null && !run.alive();
    }

    private static void remove(Path entry, boolean staging, Consumer<String> log) {
        try {
            String foreign = PredictionsDir.firstForeign(entry, staging);
            if (foreign != null) {
                log.accept(
                        "left "
                                + entry
                                + ", which a killed run left: it holds "
                                + foreign
                                + ", which batch-predict does not write");
                return;
            }
            long bytes = size(entry);
            deleteTree(entry);
            log.accept(
                    String.format(
                            Locale.ROOT,
                            "removed %s (%.1f MB), which a killed run left",
                            entry,
                            bytes / 1e6));
        } catch (IOException | UncheckedIOException e) {
            log.accept(
                    "could not remove " + entry + ", which a killed run left: " + e.getMessage());
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path file : files.toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    /**
     * Deletes a directory and everything in it, not following symbolic links.
     *
     * @param root the directory; nothing happens if it is missing
     * @throws IOException if an entry cannot be deleted
     */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
