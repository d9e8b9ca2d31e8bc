package dev.kfptribuo.localrun.run;

import dev.kfptribuo.process.ChildProcesses;

/**
 * The run was interrupted, not failed: its JVM is stopping (Ctrl-C, SIGTERM: a shutdown has begun)
 * or a program it started died of SIGINT or SIGTERM (a terminal's Ctrl-C reaches the whole process
 * group, the trials first, sometimes). No step or trial starts after it; the run ends {@code
 * interrupted} with one line and exit code 130 (143 for SIGTERM).
 */
public final class RunInterrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exit code of a JVM (or any process) ended by SIGINT: 128 + 2. */
    public static final int SIGINT_EXIT = 130;

    /** By SIGTERM: 128 + 15. */
    public static final int SIGTERM_EXIT = 143;

    private static volatile boolean jvmStopping;

    private final int exitCode;

    /**
     * @param message why, in one line
     * @param exitCode the run's exit code, 130 or 143
     */
    public RunInterrupted(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * @return the run's exit code
     */
    public int exitCode() {
        return exitCode;
    }

    /** Called by a shutdown hook as it starts: the JVM is stopping. */
    public static void markJvmStopping() {
        jvmStopping = true;
    }

    /**
     * @return whether the JVM is shutting down (a shutdown hook has started)
     */
    public static boolean jvmStopping() {
        return jvmStopping || ChildProcesses.stopping();
    }

    /**
     * @param exit a process's exit code
     * @return whether it died of SIGINT or SIGTERM (Java reports a signal's death as 128 + the
     *     signal, and a JVM stopped by one exits so)
     */
    public static boolean bySignal(int exit) {
        return exit == SIGINT_EXIT || exit == SIGTERM_EXIT;
    }

    /**
     * The interruption a program's end means, if any.
     *
     * @param program what it is called in the line ({@code train}, {@code trial 2})
     * @param exit its exit code
     * @return the interruption, or null if the exit is the program's own failure
     */
    public static RunInterrupted ofExit(String program, int exit) {
        if (jvmStopping()) {
            // The JVM's own signal, which stops its programs with SIGTERM.
            return stopping();
        }
        if (bySignal(exit)) {
            return new RunInterrupted(
                    program
                            + " ended by "
                            + (exit == SIGINT_EXIT ? "SIGINT" : "SIGTERM")
                            + " (exit code "
                            + exit
                            + ")",
                    exit);
        }
        return null;
    }

    /**
     * @return the interruption of a JVM that is stopping
     */
    public static RunInterrupted stopping() {
        return new RunInterrupted("the run's JVM is stopping (Ctrl-C or kill)", SIGINT_EXIT);
    }
}
