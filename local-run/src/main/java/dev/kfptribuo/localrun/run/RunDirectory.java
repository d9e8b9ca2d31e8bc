package dev.kfptribuo.localrun.run;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A run's own directory, {@code <runs dir>/<run id>/}, and its {@code run.json} ({@link RunLog}):
 * the steps' directories {@code <n>-<name>/}, {@code report.html}.
 */
public final class RunDirectory {
    /** The run's log file, rewritten after every step. */
    public static final String RUN_JSON = "run.json";

    /** The run's page. */
    public static final String REPORT = "report.html";

    private final Path dir;
    private final RunLog log = new RunLog();

    private RunDirectory(Path dir) {
        this.dir = dir;
        log.runId = dir.getFileName().toString();
    }

    /**
     * Makes a fresh run directory.
     *
     * @param runsDir where run directories go (created if missing)
     * @param runId the directory's name, or null for the start time ({@code yyyyMMdd-HHmmss}, with
     *     {@code -2}, {@code -3}... when taken)
     * @return the run directory, its path absolute
     * @throws IllegalArgumentException if the id is not a plain name or a given id is taken
     * @throws IOException if the directory cannot be made
     */
    public static RunDirectory create(Path runsDir, String runId) throws IOException {
        String base =
                runId != null
                        ? runId
                        : LocalDateTime.now()
                                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        if (!base.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException(
                    "--run-id may hold only letters, digits, '_', '.' and '-'");
        }
        Files.createDirectories(runsDir);
        for (int n = 1; ; n++) {
            Path dir = runsDir.resolve(n == 1 ? base : base + "-" + n);
            try {
                Files.createDirectory(dir);
                return new RunDirectory(dir.toAbsolutePath());
            } catch (FileAlreadyExistsException e) {
                if (runId != null) {
                    throw new IllegalArgumentException(
                            "--run-id " + runId + ": " + dir + " exists");
                }
            }
        }
    }

    /**
     * @return the directory, absolute
     */
    public Path dir() {
        return dir;
    }

    /**
     * @return the run's id, the directory's name
     */
    public String id() {
        return log.runId;
    }

    /**
     * @return what {@code run.json} holds
     */
    public RunLog log() {
        return log;
    }

    /**
     * @return {@code report.html}'s path
     */
    public Path report() {
        return dir.resolve(REPORT);
    }

    /**
     * Rewrites {@code run.json} from {@link #log()}.
     *
     * @throws IOException if it cannot be written
     */
    public synchronized void writeLog() throws IOException {
        log.write(dir.resolve(RUN_JSON));
    }

    /**
     * @param path a path inside the run directory
     * @return it relative to the run directory, as the run's lines name files
     */
    public String relative(Path path) {
        return dir.relativize(path.toAbsolutePath()).toString();
    }
}
