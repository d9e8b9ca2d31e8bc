package dev.kfptribuo.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A program that runs out of memory on purpose, in the ways a real one can: in the command's own
 * thread, in a worker whose future the command waits for, or in a thread nobody waits for. Tests
 * run it in process through {@link Programs#run} (with {@code throw} seams) and as a child JVM with
 * a small heap through {@link Programs#main} (with real allocation).
 */
@Command(name = "oom-test", subcommands = OutOfMemoryProgram.Child.class)
public final class OutOfMemoryProgram implements Callable<Integer> {
    /** Where and how the error comes. */
    enum How {
        /** Allocates until the heap is full, in the command's thread. */
        ALLOCATE,
        /** Throws OutOfMemoryError, in the command's thread (a seam for in-process tests). */
        THROW,
        /** Allocates in a worker thread; the command waits for its future. */
        WORKER_ALLOCATES,
        /** Throws OutOfMemoryError in a worker thread; the command waits for its future. */
        WORKER_THROWS,
        /** Throws an exception caused by an OutOfMemoryError, as some libraries wrap it. */
        WRAPPED,
        /** Allocates in a thread nobody waits for, while the command sleeps a minute. */
        THREAD_ALLOCATES
    }

    @Option(names = "--how", description = "Where and how the error comes (without a subcommand).")
    private How how = How.THROW;

    /**
     * @param args {@code --how HOW}, or {@code child}
     */
    public static void main(String[] args) {
        Programs.main(new OutOfMemoryProgram(), args);
    }

    @Override
    public Integer call() throws Exception {
        switch (how) {
            case ALLOCATE -> allocate();
            case THROW -> throw new OutOfMemoryError("Java heap space");
            case WORKER_ALLOCATES, WORKER_THROWS -> {
                ExecutorService worker = Executors.newSingleThreadExecutor();
                try {
                    worker.submit(
                                    () -> {
                                        if (how == How.WORKER_THROWS) {
                                            throw new OutOfMemoryError("Java heap space");
                                        }
                                        allocate();
                                        return null;
                                    })
                            .get();
                } finally {
                    worker.shutdownNow();
                }
            }
            case WRAPPED ->
                    throw new CompletionException(
                            new OutOfMemoryError("Requested array size exceeds VM limit"));
            case THREAD_ALLOCATES -> {
                Thread thread = new Thread(OutOfMemoryProgram::allocate, "hungry");
                thread.setDaemon(true);
                thread.start();
                Thread.sleep(60_000);
            }
        }
        return 0;
    }

    /** Fills the heap in 1 MiB blocks. */
    static void allocate() {
        List<long[]> blocks = new ArrayList<>();
        while (true) {
            blocks.add(new long[1 << 17]);
        }
    }

    /** A subcommand, to show that the error line names the command that ran. */
    @Command(name = "child")
    static final class Child implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }
}
