package dev.kfptribuo.io;

import com.google.cloud.ReadChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.StorageException;
import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.zip.GZIPInputStream;

/**
 * One readable file, local or on Cloud Storage, decompressed on the fly when it is gzip.
 *
 * <p>Gzip is recognised by its magic bytes, so {@code data.csv.gz} and a gzip file without the
 * suffix (as BigQuery exports with {@code compression=GZIP} may name them) both work.
 */
public final class InputFile {
    private static final int BUFFER = 1 << 16;

    private final Location location;
    private final boolean shard;

    /**
     * @param location the file to read, named by the user: it must hold data
     */
    public InputFile(Location location) {
        this(location, false);
    }

    /**
     * @param location the file to read
     * @param shard true for one of the files a wildcard matched, which may be empty: a BigQuery
     *     export writes zero-byte or header-only shards when a worker had no rows
     */
    public InputFile(Location location, boolean shard) {
        this.location = location;
        this.shard = shard;
    }

    /**
     * @return where the file is
     */
    public Location location() {
        return location;
    }

    /**
     * @return true if a wildcard matched this file, so that it may be empty
     */
    public boolean shard() {
        return shard;
    }

    /**
     * Opens the file for reading, gzip-decoded when its first two bytes are the gzip magic.
     *
     * @return a buffered stream of the file's (decompressed) bytes
     * @throws FileNotFoundException if the file or object does not exist
     * @throws IOException on any other read error
     */
    public InputStream open() throws IOException {
        return decode(openRaw());
    }

    /**
     * Opens the raw, undecoded bytes (the bytes a checksum of the file covers).
     *
     * @return an unbuffered stream of the stored bytes
     * @throws FileNotFoundException if the file or object does not exist
     * @throws IOException on any other read error
     */
    public InputStream openRaw() throws IOException {
        if (location.isGcs()) {
            try {
                BlobId id = BlobId.of(location.bucket(), location.path());
                if (GcsClient.get().get(id) == null) {
                    throw new FileNotFoundException(location + ": no such object");
                }
                ReadChannel channel = GcsClient.get().reader(id);
                channel.setChunkSize(4 << 20);
                return new DeadlineInputStream(
                        Channels.newInputStream(channel), location, GcsClient.deadline());
            } catch (StorageException e) {
                throw new IOException(location + ": " + e.getMessage(), e);
            }
        }
        // Linux opens a directory for reading and fails at the first read, naming no file.
        if (Files.isDirectory(location.localPath())) {
            throw new IOException(location + ": is a directory, not a file");
        }
        try {
            return Files.newInputStream(location.localPath());
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException(location + ": no such file");
        } catch (FileSystemException e) {
            throw new IOException(location + ": " + FileErrors.reason(e), e);
        }
    }

    /**
     * Buffers stored bytes and decompresses them when they start with the gzip magic.
     *
     * @param raw the stored bytes, e.g. from {@link #openRaw()}
     * @return a buffered stream of the decoded bytes; closing it closes {@code raw}
     * @throws IOException if the gzip header cannot be read
     */
    public static InputStream decode(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        }
        return in;
    }

    @Override
    public String toString() {
        return location.toString();
    }
}
