package dev.kfptribuo.batch;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * The process a batch prediction's hidden directories belong to: its pid and its start time, in
 * their names ({@code <pid>-<start in epoch milliseconds>}), so that a later run can tell whether
 * the run that made them still runs, even once the pid has been given to another process.
 *
 * <p>Processes are told apart on this machine only (in this pid namespace): a run on another
 * machine or in another container writing to the same shared directory at the same time is not
 * seen, and looks dead.
 *
 * @param pid the process id
 * @param startMillis the process's start, in epoch milliseconds, or 0 when the system does not say
 */
record RunId(long pid, long startMillis) {
    /** The regular expression of {@link #text()}: the pid, then the start, as groups 1 and 2. */
    static final String PATTERN = "(\\d{1,19})-(\\d{1,19})";

    /** This process. */
    static final RunId CURRENT = of(ProcessHandle.current());

    private static RunId of(ProcessHandle process) {
        return new RunId(process.pid(), start(process).map(Instant::toEpochMilli).orElse(0L));
    }

    private static Optional<Instant> start(ProcessHandle process) {
        return process.info().startInstant();
    }

    /**
     * @param matcher a match of a pattern holding {@link #PATTERN} as its groups {@code first} and
     *     {@code first + 1}
     * @param first the pid's group
     * @return the run named there, or null if the numbers do not fit a long
     */
    static RunId parse(Matcher matcher, int first) {
        try {
            return new RunId(
                    Long.parseLong(matcher.group(first)), Long.parseLong(matcher.group(first + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * @return {@code <pid>-<start>}, as names hold it
     */
    String text() {
        return pid + "-" + startMillis;
    }

    /**
     * @return true if the process still runs: its pid is alive and, when both starts are known,
     *     started when this one did (a pid reused by a later process is not it)
     */
    boolean alive() {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = start(process.get());
        return startMillis == 0 || started.isEmpty() || started.get().toEpochMilli() == startMillis;
    }
}
