package dev.kfptribuo.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;

/**
 * One line for a local file system error: the file and what went wrong. The JDK's {@code
 * java.nio.file} exceptions often leave the second out (an {@link AccessDeniedException}'s message
 * is the path alone), which makes {@code I/O: /data/train.csv} all a user would read.
 */
public final class FileErrors {
    private FileErrors() {}

    /**
     * @param e a file system error
     * @return {@code FILE: REASON} (or {@code FILE -> OTHER: REASON} for a move or copy), e.g.
     *     {@code /data/train.csv: permission denied}; the reason alone when the error names no file
     */
    public static String describe(FileSystemException e) {
        String file = e.getFile();
        if (file == null) {
            return reason(e);
        }
        return file
                + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile())
                + ": "
                + reason(e);
    }

    /**
     * @param target the path a command was asked to write
     * @param ours a temporary path of ours beside it, which the message does not name
     * @param e why writing failed
     * @return an error naming the target: {@code TARGET: cannot be written (REASON)}, with the path
     *     that failed when it is neither
     */
    public static IOException cannotBeWritten(Path target, Path ours, FileSystemException e) {
        return new IOException(
                target
                        + ": cannot be written ("
                        + (ours.toString().equals(e.getFile())
                                        || target.toString().equals(e.getFile())
                                ? reason(e)
                                : describe(e))
                        + ")",
                e);
    }

    /**
     * @param e a file system error
     * @return what went wrong, e.g. {@code permission denied}, {@code not a directory}: the
     *     operating system's reason when the exception has one, else its kind's
     */
    public static String reason(FileSystemException e) {
        if (e.getReason() != null && !e.getReason().isBlank()) {
            return e.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            // Files.createDirectories says so of a file where a directory was to be.
            return e.getFile() != null
                            && Files.exists(Path.of(e.getFile()))
                            && !Files.isDirectory(Path.of(e.getFile()))
                    ? "exists and is not a directory"
                    : "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof NotLinkException) {
            return "not a symbolic link";
        }
        if (e instanceof AtomicMoveNotSupportedException) {
            return "cannot be moved in one step (another file system?)";
        }
        if (e instanceof FileSystemLoopException) {
            return "a loop of symbolic links";
        }
        return "file system error";
    }
}
