package dev.kfptribuo.localrun.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kfptribuo.localrun.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code run.json}: what a run was asked to do and how each step went, rewritten after every step
 * so that a crashed run still says how far it got.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RunLog {
    /** One step of the run. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Step {
        /** 1-based position. */
        public int number;

        /** Short name, also the step directory's suffix ({@code split}, {@code tune}...). */
        public String name;

        /** {@code running}, {@code succeeded}, {@code failed}, {@code interrupted}. */
        public String status;

        /** Wall seconds. */
        public double seconds;

        /** One line for people. */
        public String summary;

        /** Why it failed. */
        public String error;

        /** The step's directory, relative to the run directory. */
        public String dir;
    }

    /** The run id (its directory's name). */
    public String runId;

    /** {@code running}, {@code succeeded}, {@code failed}. */
    public String status;

    /**
     * The process id of the run's JVM: a run.json that still says {@code running} while no such
     * process runs is the trace of a run killed with SIGKILL (or a crashed machine).
     */
    public long pid = ProcessHandle.current().pid();

    /** When the run started (ISO-8601). */
    public String startedAt;

    /** When it ended. */
    public String finishedAt;

    /** Wall seconds of the whole run. */
    public double seconds;

    /** The settings: source, lots, spec, threshold, ids. */
    public Map<String, Object> settings = new LinkedHashMap<>();

    /** The steps, in order. */
    public List<Step> steps = new ArrayList<>();

    /**
     * @param file where to write
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        AtomicFiles.writeJson(file, this);
    }

    /**
     * @param file a {@code run.json}
     * @return it, read back
     * @throws IOException if it cannot be read
     */
    public static RunLog read(Path file) throws IOException {
        return AtomicFiles.JSON.readValue(file.toFile(), RunLog.class);
    }
}
