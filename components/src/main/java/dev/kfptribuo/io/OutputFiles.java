package dev.kfptribuo.io;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes files that appear whole or not at all, locally or on Cloud Storage.
 *
 * <p>Locally the bytes go to a hidden temporary file in the target's directory (created with its
 * parents, as KFP output paths require), are forced to the disk, and the file is then renamed over
 * the target in one atomic step. On Cloud Storage an object becomes visible only when its upload
 * completes, so a failed upload leaves no object behind; every upload carries a generation
 * precondition, which makes it safe for the client to retry (a 503, a dropped connection) without
 * overwriting an object someone else wrote meanwhile.
 *
 * <p>The steps are {@link CrashPoints}: {@code write:NAME:temp} after the temporary file is written
 * and {@code write:NAME:renamed} after the rename, for a target named {@code NAME}.
 */
public final class OutputFiles {
    /** The generation precondition of an object that must not exist yet. */
    public static final long ABSENT = 0;

    private OutputFiles() {}

    /** An object was changed by someone else since its generation was read. */
    public static final class PreconditionFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what changed, naming the object
         * @param cause the failure
         */
        public PreconditionFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Writes bytes to a location atomically, replacing what was there.
     *
     * @param location where the file goes
     * @param bytes the whole content
     * @throws IOException if the directory cannot be created or the write or upload fails
     */
    public static void write(Location location, byte[] bytes) throws IOException {
        if (location.isGcs()) {
            // Replaces whatever generation is there now, with a precondition the client may retry.
            write(location, bytes, generation(location));
            return;
        }
        writeLocal(location.localPath().toAbsolutePath(), bytes);
    }

    /**
     * Writes bytes to a location atomically if, on Cloud Storage, the object is still at the given
     * generation; locally the same as {@link #write(Location, byte[])}.
     *
     * @param location where the file goes
     * @param bytes the whole content
     * @param expectedGeneration the object's generation read earlier ({@link #generation}), or
     *     {@link #ABSENT} for an object that must not exist
     * @throws PreconditionFailedException if the object changed since
     * @throws IOException if the write or upload fails
     */
    public static void write(Location location, byte[] bytes, long expectedGeneration)
            throws IOException {
        if (!location.isGcs()) {
            writeLocal(location.localPath().toAbsolutePath(), bytes);
            return;
        }
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(location.bucket(), location.path())).build();
        Storage.BlobTargetOption precondition =
                expectedGeneration == ABSENT
                        ? Storage.BlobTargetOption.doesNotExist()
                        : Storage.BlobTargetOption.generationMatch(expectedGeneration);
        try {
            GcsClient.get().create(info, bytes, precondition);
        } catch (StorageException e) {
            if (e.getCode() == 412) {
                throw new PreconditionFailedException(
                        location
                                + ": changed by someone else since this run read it ("
                                + (expectedGeneration == ABSENT
                                        ? "it did not exist"
                                        : "generation " + expectedGeneration)
                                + ")",
                        e);
            }
            throw new IOException(location + ": upload failed: " + e.getMessage(), e);
        }
        CrashPoints.reached("write:" + name(location) + ":renamed");
    }

    /**
     * @param location a gs:// object
     * @return its current generation, or {@link #ABSENT} if it does not exist
     * @throws IOException if the request fails
     */
    public static long generation(Location location) throws IOException {
        try {
            Blob blob = GcsClient.get().get(BlobId.of(location.bucket(), location.path()));
            return blob == null ? ABSENT : blob.getGeneration();
        } catch (StorageException e) {
            throw new IOException(location + ": " + e.getMessage(), e);
        }
    }

    private static void writeLocal(Path target, byte[] bytes) throws IOException {
        Path dir = target.getParent();
        // Not Files.createTempFile: its owner-only permissions would stay on the published file.
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writeLocal(target, temp, bytes);
        } catch (FileSystemException e) {
            throw FileErrors.cannotBeWritten(target, temp, e);
        }
    }

    private static void writeLocal(Path target, Path temp, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            try (FileChannel channel =
                    FileChannel.open(
                            temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            CrashPoints.reached("write:" + target.getFileName() + ":temp");
            replace(temp, target);
            CrashPoints.reached("write:" + target.getFileName() + ":renamed");
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Renames a local file (or directory) over its target in one step, so that a reader sees the
     * old target or the new one, never a part; where the file system cannot rename atomically (it
     * says so by {@link AtomicMoveNotSupportedException}), a plain replacing move.
     *
     * @param from the file, in the target's directory (a rename never crosses file systems)
     * @param to the target, replaced if it is a file
     * @throws IOException if the rename fails
     */
    public static void replace(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String name(Location location) {
        String path = location.path();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Uploads a local file to Cloud Storage, streaming it: the object appears when the upload
     * completes, whole. The object must not exist yet, which makes the upload safe to retry.
     *
     * @param location the object, a gs:// location
     * @param file the local file
     * @throws IllegalArgumentException if the location is not on Cloud Storage
     * @throws IOException if the upload fails or the object exists
     */
    public static void upload(Location location, Path file) throws IOException {
        if (!location.isGcs()) {
            throw new IllegalArgumentException(location + " is not a gs:// location");
        }
        try {
            GcsClient.get()
                    .createFrom(
                            BlobInfo.newBuilder(BlobId.of(location.bucket(), location.path()))
                                    .build(),
                            file,
                            Storage.BlobWriteOption.doesNotExist());
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
