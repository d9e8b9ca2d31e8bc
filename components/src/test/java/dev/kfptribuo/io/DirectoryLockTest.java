package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DirectoryLock}: the lock file is a regular file of the directory or the lock is refused (a
 * link planted there would have the holder's pid written wherever it points), and a second lock by
 * the same process says so instead of blaming another process.
 */
class DirectoryLockTest {
    private static final String NAME = ".train.lock";

    @TempDir Path dir;

    @Test
    void writesItsPidAndTakesAnEarlierHoldersLeftoverFile() throws IOException {
        Files.writeString(dir.resolve(NAME), "999999");
        try (DirectoryLock lock = DirectoryLock.tryLock(dir, NAME, "another train run")) {
            assertEquals(
                    Long.toString(ProcessHandle.current().pid()), Files.readString(lock.file()));
        }
        try (DirectoryLock again = DirectoryLock.tryLock(dir, NAME, "another train run")) {
            assertEquals(dir.resolve(NAME), again.file(), "released on close");
        }
    }

    @Test
    void closeAndRemoveTakesBackOnlyWhatTheLockMade() throws IOException {
        Path fresh = dir.resolve("runs/a/job");
        DirectoryLock.tryLock(fresh, NAME, "another train run").closeAndRemove();
        assertEquals(
                List.of(), names(dir), "the lock file and the three directories it made are gone");

        Path busy = dir.resolve("busy/job");
        DirectoryLock lock = DirectoryLock.tryLock(busy, NAME, "another train run");
        Files.writeString(busy.resolve("model.tribuo"), "written meanwhile");
        lock.closeAndRemove();
        assertEquals(
                List.of("model.tribuo"),
                names(busy),
                "a directory that is not empty stays, with its files");

        Path existing = Files.createDirectories(dir.resolve("existing"));
        Files.writeString(existing.resolve(NAME), "");
        DirectoryLock.tryLock(existing, NAME, "another train run").closeAndRemove();
        assertEquals(List.of(NAME), names(existing), "a lock file that was there stays");
        try (DirectoryLock again = DirectoryLock.tryLock(fresh, NAME, "another train run")) {
            assertTrue(Files.isRegularFile(again.file()), "the directory can be locked again");
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSymbolicLinkIsRefusedAndWhatItPointsToIsUntouched() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        Path job = Files.createDirectory(dir.resolve("job"));
        Files.createSymbolicLink(job.resolve(NAME), victim);
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> DirectoryLock.tryLock(job, NAME, "another train run"));
        assertEquals(
                job.resolve(NAME)
                        + ": the lock file is a symbolic link, not a regular file; remove it",
                e.getMessage());
        assertEquals("precious", Files.readString(victim));
    }

    @Test
    void aDanglingSymbolicLinkIsRefusedAndCreatesNothing() throws IOException {
        Path target = dir.resolve("elsewhere");
        Path job = Files.createDirectory(dir.resolve("job"));
        Files.createSymbolicLink(job.resolve(NAME), target);
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> DirectoryLock.tryLock(job, NAME, "another train run"));
        assertTrue(e.getMessage().contains("a symbolic link"), e.getMessage());
        assertTrue(Files.notExists(target));
    }

    @Test
    void aDirectoryOrAFifoIsRefused() throws Exception {
        Path job = Files.createDirectory(dir.resolve("job"));
        Files.createDirectory(job.resolve(NAME));
        assertEquals(
                job.resolve(NAME) + ": the lock file is a directory, not a regular file; remove it",
                assertThrows(IOException.class, () -> DirectoryLock.tryLock(job, NAME, "x"))
                        .getMessage());

        Path other = Files.createDirectory(dir.resolve("other"));
        Process mkfifo =
                new ProcessBuilder("mkfifo", other.resolve(NAME).toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        assertEquals(
                other.resolve(NAME)
                        + ": the lock file is a special file (a FIFO, socket or device), not a"
                        + " regular file; remove it",
                assertThrows(IOException.class, () -> DirectoryLock.tryLock(other, NAME, "x"))
                        .getMessage());
    }

    @Test
    void aSecondLockInTheSameProcessSaysSo() throws IOException {
        try (DirectoryLock first = DirectoryLock.tryLock(dir, NAME, "another train run")) {
            assertNotNull(first);
            DirectoryLock.HeldException e =
                    assertThrows(
                            DirectoryLock.HeldException.class,
                            () ->
                                    DirectoryLock.tryLock(
                                            dir.resolve("."), NAME, "another train run"));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "already locked by this process (the same directory given twice?)"),
                    e.getMessage());
        }
    }
}
