package dev.kfptribuo.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An exclusive lock on a local directory, held by one process at a time: an operating-system lock
 * on a lock file in it, which the system releases when the process ends, however it ends (so a
 * {@code kill -9} never leaves a directory locked). The lock file holds the holder's pid, for the
 * message another process gets.
 *
 * <p>A holder that made the directory and has put nothing in it may take back what it made ({@link
 * #closeAndRemove}). So a lock is held only once the lock file it locked is still the one the
 * directory holds: one removed (or replaced) between another process's open and its lock is opened
 * again.
 */
public final class DirectoryLock implements AutoCloseable {
    /** How often a lock file removed under a taker is opened again before giving up. */
    private static final int ATTEMPTS = 3;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean madeFile;
    private final List<Path> madeDirs;

    private DirectoryLock(
            Path file, FileChannel channel, FileLock lock, boolean madeFile, List<Path> madeDirs) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.madeFile = madeFile;
        this.madeDirs = madeDirs;
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
     * @param dir the directory, created (with its parents) if missing
     * @param name the lock file's name, e.g. {@code .train.lock}
     * @param what who holds such a lock, for the message, e.g. {@code another train run}
     * @return the held lock; close it to release
     * @throws HeldException if another process (or this one) holds it
     * @throws IOException if the directory or the lock file cannot be made, or the lock file is a
     *     symbolic link, a directory or a special file
     */
    public static DirectoryLock tryLock(Path dir, String name, String what) throws IOException {
        List<Path> madeDirs = new ArrayList<>();
        for (Path missing = dir.toAbsolutePath();
                missing != null && !Files.exists(missing, LinkOption.NOFOLLOW_LINKS);
                missing = missing.getParent()) {
            madeDirs.add(0, missing);
        }
        Path file = dir.resolve(name);
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(dir);
                boolean madeFile = !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
                DirectoryLock lock = attempt(dir, file, what, madeFile, madeDirs);
                if (lock != null) {
                    return lock;
                }
            } catch (NoSuchFileException e) {
                // The directory went between its creation and the open: a holder gave it back.
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
            if (attempt == ATTEMPTS) {
                throw new HeldException(
                        dir + ": its lock file " + file + " keeps being replaced by " + what);
            }
        }
    }

    /** One try: the lock, or null if the lock file was removed or replaced while this took it. */
    private static DirectoryLock attempt(
            Path dir, Path file, String what, boolean madeFile, List<Path> madeDirs)
            throws IOException {
        // Never through a link (it would write the pid to wherever the link points), nor into a
        // directory, a FIFO or a device: the lock file is a regular file of this directory or
        // nothing.
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(
                    file + ": the lock file is " + kind(file) + ", not a regular file; remove it");
        }
        FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            channel.close(); // replaced between the check and the open
            throw new IOException(
                    file + ": the lock file is " + kind(file) + ", not a regular file; remove it");
        }
        Object opened = fileKey(file);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new HeldException(
                    dir
                            + ": already locked by this process (the same directory given twice?); "
                            + "it holds "
                            + file);
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
            throw new HeldException(
                    dir
                            + ": in use by "
                            + what
                            + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                            + "; it holds "
                            + file);
        }
        // A holder giving the directory back removes the file before it releases: locked, it may be
        // gone.
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                || !Objects.equals(opened, fileKey(file))) {
            lock.release();
            channel.close();
            return null;
        }
        channel.truncate(0);
        channel.write(
                ByteBuffer.wrap(
                        Long.toString(ProcessHandle.current().pid())
                                .getBytes(StandardCharsets.UTF_8)));
        return new DirectoryLock(file, channel, lock, madeFile, List.copyOf(madeDirs));
    }

    /**
     * The file's identity (device and inode on Unix), or null where the system has none or it is
     * gone.
     */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static String kind(Path file) {
        if (Files.isSymbolicLink(file)) {
            return "a symbolic link";
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            return "a directory";
        }
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                ? "a special file (a FIFO, socket or device)"
                : "gone";
    }

    /**
     * @return the lock file
     */
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

    /**
     * Releases the lock and takes back what {@link #tryLock} made: the lock file, if it made it
     * (removed while still held, so that a process that opened it meanwhile sees it gone and opens
     * the directory's new one), then the directories it created, innermost first, each only if it
     * is empty. For a holder that wrote nothing: a directory that was there keeps what it held.
     *
     * @throws IOException if the lock file cannot be removed or the lock released
     */
    public void closeAndRemove() throws IOException {
        try {
            if (madeFile) {
                Files.deleteIfExists(file);
            }
        } finally {
            close();
        }
        for (int i = madeDirs.size() - 1; i >= 0; i--) {
            try {
                Files.delete(madeDirs.get(i));
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return; // someone's files are in it now, or it is gone already: the rest stay
            }
        }
    }
}
