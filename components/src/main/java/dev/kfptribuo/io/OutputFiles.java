package dev.kfptribuo.io;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes files that appear whole or not at all, locally or on Cloud Storage.
 *
 * <p>Locally the bytes go to a hidden temporary file in the target's directory (created with its
 * parents, as KFP output paths require) that is then renamed over the target in one atomic step.
 * On Cloud Storage an object becomes visible only when its single upload request completes, so
 * a failed upload leaves no object behind.
 */
public final class OutputFiles {
    private OutputFiles() {}

    /**
     * Writes bytes to a location atomically, replacing what was there.
     *
     * @param location where the file goes
     * @param bytes the whole content
     * @throws IOException if the directory cannot be created or the write or upload fails
     */
    public static void write(Location location, byte[] bytes) throws IOException {
        if (location.isGcs()) {
            try {
                BlobInfo info = BlobInfo.newBuilder(BlobId.of(location.bucket(), location.path())).build();
                GcsClient.get().create(info, bytes);
            } catch (StorageException e) {
                throw new IOException(location + ": upload failed: " + e.getMessage(), e);
            }
            return;
        }
        Path target = location.localPath().toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: its owner-only permissions would stay on the published file.
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Uploads a local file to Cloud Storage, streaming it: the object appears when the upload
     * completes, whole.
     *
     * @param location the object, a gs:// location
     * @param file the local file
     * @throws IllegalArgumentException if the location is not on Cloud Storage
     * @throws IOException if the upload fails
     */
    public static void upload(Location location, Path file) throws IOException {
        if (!location.isGcs()) {
            throw new IllegalArgumentException(location + " is not a gs:// location");
        }
        try {
            GcsClient.get().createFrom(BlobInfo.newBuilder(BlobId.of(location.bucket(), location.path())).build(), file);
        } catch (StorageException e) {
            throw new IOException(location + ": upload failed: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes a Cloud Storage object, if it exists.
     *
     * @param location the object, a gs:// location
     * @throws IOException if the request fails
     */
    public static void delete(Location location) throws IOException {
        try {
            GcsClient.get().delete(BlobId.of(location.bucket(), location.path()));
        } catch (StorageException e) {
            throw new IOException(location + ": delete failed: " + e.getMessage(), e);
        }
    }
}
