package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileErrorsTest {
    @TempDir Path dir;

    @Test
    void theJdksPathOnlyExceptionsGetTheirReason() {
        // What the JDK throws for an unreadable file: the message is the path alone.
        AccessDeniedException denied = new AccessDeniedException("/data/train.csv");
        assertEquals("/data/train.csv", denied.getMessage());
        assertEquals("/data/train.csv: permission denied", FileErrors.describe(denied));
        assertEquals(
                "/a -> /b: no such file or directory",
                FileErrors.describe(new NoSuchFileException("/a", "/b", null)));
        assertEquals(
                "/a: Read-only file system",
                FileErrors.describe(new FileSystemException("/a", null, "Read-only file system")));
        assertEquals("file system error", FileErrors.describe(new FileSystemException(null)));
    }

    @Test
    void aFileWhereADirectoryIsToBeIsSaidToBeOne() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        // The JDK says "already exists" of the file itself, with no reason...
        FileSystemException itself =
                assertThrows(FileSystemException.class, () -> Files.createDirectories(file));
        assertEquals(file + ": exists and is not a directory", FileErrors.describe(itself));
        // ... and gives the system's reason for a directory under it.
        FileSystemException under =
                assertThrows(
                        FileSystemException.class,
                        () -> Files.createDirectories(file.resolve("sub")));
        assertEquals(file.resolve("sub") + ": Not a directory", FileErrors.describe(under));
    }
}
