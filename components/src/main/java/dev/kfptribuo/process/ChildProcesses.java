package dev.kfptribuo.process;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Processes that end with the JVM that started them: when it shuts down (Ctrl-C, a failed step of a
 * local run), every process still running is asked to stop, then killed, so that no trial keeps
 * writing into a run that is over and no test server outlives its tests.
 *
 * <p>A JVM killed with SIGKILL runs no shutdown hook, and Java has no {@code PR_SET_PDEATHSIG}
 * (whose signal would anyway follow the death of the spawning <em>thread</em>, not of the JVM). So
 * each process is started through a tiny {@code /bin/sh} wrapper ({@link #WATCH_SCRIPT}) that makes
 * it die with the JVM: the wrapper starts a watcher subshell, then {@code exec}s the program, which
 * keeps the wrapper's pid (the {@link Process}'s pid, exit code and signals are the program's own).
 * The watcher blocks reading the process's standard input, a pipe whose only writing end the JVM
 * holds (Java closes every other descriptor in the processes it starts). The kernel closes that end
 * when the JVM dies, however it dies, and the JVM closes it once it has reaped the process; at end
 * of file the watcher kills the program with SIGKILL if the program is still its parent (on Linux,
 * read from {@code /proc/self/stat}: once the program has ended the watcher is re-parented, so a
 * recycled pid is never killed). No polling, no pid of the JVM to recycle, and a trial dies within
 * milliseconds of its parent. The program itself reads {@code /dev/null} as its standard input, as
 * a container started without {@code -i} does. A builder whose input is not a pipe, or a command
 * whose executable is missing, is started as it is (the latter so that Java reports the missing
 * program itself).
 */
public final class ChildProcesses {
    /**
     * The wrapper: {@code sh -c WATCH_SCRIPT kfp-tribuo-child PROGRAM ARGS...}. The watcher ignores
     * the terminal's SIGINT, SIGHUP and SIGQUIT (the JVM's shutdown hook stops the program then),
     * and ends at end of file in every case: the JVM's end or the program's.
     */
    static final String WATCH_SCRIPT =
            String.join(
                    "\n",
                    "child=$$",
                    "exec 3<&0 </dev/null",
                    "(",
                    "  trap '' INT HUP QUIT",
                    "  while read -r line <&3; do :; done",
                    "  if [ -r /proc/self/stat ]; then",
                    "    read -r stat </proc/self/stat",
                    "    set -- ${stat##*) }",
                    "    [ \"$2\" = \"$child\" ] || exit 0",
                    "  fi",
                    "  kill -KILL \"$child\" 2>/dev/null",
                    ") >/dev/null 2>&1 &",
                    "exec \"$@\" 3<&-");

    private static final String SHELL = "/bin/sh";
    private static final boolean WATCHED =
            !System.getProperty("os.name", "").startsWith("Windows")
                    && new File(SHELL).canExecute();
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean stopping;

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(ChildProcesses::stopAll, "stop-child-processes"));
    }

    private ChildProcesses() {}

    /**
     * Starts a process that dies with this JVM, and registers it.
     *
     * @param builder the process to start (its command is restored after the start)
     * @return the running process
     * @throws IOException if it cannot be started
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        if (stopping) {
            throw new IOException("this JVM is stopping: no new process");
        }
        Process process = startWatched(builder);
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        return process;
    }

    private static Process startWatched(ProcessBuilder builder) throws IOException {
        List<String> command = builder.command();
        if (!WATCHED
                || command.isEmpty()
                || builder.redirectInput() != ProcessBuilder.Redirect.PIPE
                || (command.get(0).contains(File.separator)
                        && !new File(command.get(0)).canExecute())) {
            return builder.start();
        }
        List<String> wrapped =
                new ArrayList<>(List.of(SHELL, "-c", WATCH_SCRIPT, "kfp-tribuo-child"));
        wrapped.addAll(command);
        builder.command(wrapped);
        try {
            return builder.start();
        } finally {
            builder.command(command);
        }
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

    /**
     * @return whether {@link #stopAll} has begun (the JVM is shutting down): no new process starts
     */
    public static boolean stopping() {
        return stopping;
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
