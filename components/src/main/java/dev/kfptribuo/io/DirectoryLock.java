package dev.kfptribuo.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
     * @throws IOException if the directory or the lock file cannot be made, or the lock file is
     *     a symbolic link, a directory or a special file
     */
    public static DirectoryLock tryLock(Path dir, String name, String what) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        // Never through a link (it would write the pid to wherever the link points), nor into a
        // directory, a FIFO or a device: the lock file is a regular file of this directory or nothing.
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + ": the lock file is " + kind(file) + ", not a regular file; remove it");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            channel.close(); // replaced between the check and the open
            throw new IOException(file + ": the lock file is " + kind(file) + ", not a regular file; remove it");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new HeldException(dir + ": already locked by this process (the same directory given twice?); "
                    + "it holds " + file);
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

    private static String kind(Path file) {
        if (Files.isSymbolicLink(file)) {
            return "a symbolic link";
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            return "a directory";
        }
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? "a special file (a FIFO, socket or device)" : "gone";
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
