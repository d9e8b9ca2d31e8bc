package dev.kfptribuo.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a local directory, held by one process at a time: an operating-system lock
 * on a lock file in it, which the system releases when the process ends, however it ends (so a
 * {@code kill -9} never leaves a directory locked). The lock file holds the holder's pid, for the
 * message another process gets.
 */
public final class DirectoryLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Another process holds the lock. */
    public static final class HeldException extends IOException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock without waiting.
     *
     * @param dir the directory, created if missing
     * @param name the lock file's name, e.g. {@code .train.lock}
     * @param what who holds such a lock, for the message, e.g. {@code another train run}
     * @return the held lock; close it to release
     * @throws HeldException if another process (or this one) holds it
     * @throws IOException if the directory or the lock file cannot be made
     */
    public static DirectoryLock tryLock(Path dir, String name, String what) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = "";
            try {
                holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
            } catch (IOException ignored) {
                // The pid is only for the message.
            }
            channel.close();
            throw new HeldException(dir + ": in use by " + what + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + "; it holds " + file);
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
        return new DirectoryLock(file, channel, lock);
    }

    /** @return the lock file */
    public Path file() {
        return file;
    }

    /** Releases the lock; the file stays, empty of meaning, for the next holder. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
