package dev.kfptribuo.localrun;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The processes a run starts, ended with it: when the run's JVM shuts down (Ctrl-C, a failed
 * step), every process still running is asked to stop, then killed, so that no trial keeps
 * writing into a run that is over.
 */
public final class ChildProcesses {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean stopping;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "stop-child-processes"));
    }

    private ChildProcesses() {}

    /**
     * Starts a process and registers it.
     *
     * @param builder the process to start
     * @return the running process
     * @throws IOException if it cannot be started
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        if (stopping) {
            throw new IOException("the run is stopping: no new process");
        }
        Process process = builder.start();
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        return process;
    }

    /**
     * Waits for a process, stopping it if the waiting thread is interrupted.
     *
     * @param process a process started by {@link #start}
     * @return its exit code
     * @throws InterruptedException if interrupted (the process is then stopped)
     */
    public static int waitFor(Process process) throws InterruptedException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    /** Stops every registered process that is still running, and refuses new ones. */
    public static void stopAll() {
        stopping = true;
        for (Process process : RUNNING) {
            stop(process);
        }
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
