package dev.kfptribuo.io;

import com.google.api.gax.paging.Page;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Expands a path that may hold a wildcard into the files it names, as BigQuery exports write them:
 * {@code gs://bucket/dir/data-*.csv} or {@code dir/data-*.csv}.
 *
 * <p>The wildcard characters {@code *} and {@code ?} are allowed in the last path segment only and
 * never match {@code /}. Matches come back sorted by name, so shard order is stable, and marked as
 * shards ({@link InputFile#shard()}): readers skip a shard with no bytes, as BigQuery exports write
 * them, where a file named on its own must hold data.
 */
public final class InputFiles {
    private InputFiles() {}

    /**
     * @param text a path or URI, with or without a wildcard in its last segment
     * @return true if the text holds a wildcard
     */
    public static boolean isPattern(String text) {
        return text.indexOf('*') >= 0 || text.indexOf('?') >= 0;
    }

    /**
     * Checks a path or pattern as text, without listing anything.
     *
     * @param text a local path, a gs:// URI, or either with a wildcard in the last segment
     * @return its location
     * @throws IllegalArgumentException if it is not a location ({@link Location#parse}) or a
     *     wildcard stands outside the last segment
     */
    public static Location checkPattern(String text) {
        Location location = Location.parse(text);
        String path = location.path();
        if (isPattern(path.substring(0, path.lastIndexOf('/') + 1))) {
            throw new IllegalArgumentException(
                    "wildcards are allowed only in the file name, not in directories: " + text);
        }
        return location;
    }

    /**
     * Lists the files a path or pattern names.
     *
     * @param text a local path, a gs:// URI, or either with a wildcard in the last segment
     * @return the matching files, sorted by name; a path without a wildcard yields itself
     * @throws FileNotFoundException if a pattern matches nothing or its directory does not exist
     * @throws IllegalArgumentException if a wildcard stands outside the last segment
     * @throws IOException if listing fails
     */
    public static List<InputFile> expand(String text) throws IOException {
        Location location = checkPattern(text);
        if (!isPattern(text)) {
            return List.of(new InputFile(location));
        }
        String path = location.path();
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash + 1);
        String glob = path.substring(slash + 1);
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<InputFile> files =
                location.isGcs()
                        ? listGcs(location.bucket(), dir, matcher)
                        : listLocal(dir.isEmpty() ? Path.of(".") : Path.of(dir), matcher);
        if (files.isEmpty()) {
            throw new FileNotFoundException(text + ": no file matches");
        }
        files.sort(Comparator.comparing(f -> f.location().toString()));
        return files;
    }

    private static List<InputFile> listLocal(Path dir, PathMatcher matcher) throws IOException {
        List<InputFile> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry) && matcher.matches(entry.getFileName())) {
                    files.add(new InputFile(Location.parse(entry.toString()), true));
                }
            }
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException(dir + ": no such directory");
        }
        return files;
    }

    private static List<InputFile> listGcs(String bucket, String dir, PathMatcher matcher)
            throws IOException {
        List<InputFile> files = new ArrayList<>();
        try {
            Page<Blob> page =
                    GcsClient.get()
                            .list(
                                    bucket,
                                    Storage.BlobListOption.prefix(dir),
                                    Storage.BlobListOption.currentDirectory());
            for (Blob blob : page.iterateAll()) {
                String name = blob.getName().substring(dir.length());
                if (!name.isEmpty() && !name.endsWith("/") && matcher.matches(Path.of(name))) {
                    files.add(
                            new InputFile(
                                    Location.parse("gs://" + bucket + "/" + blob.getName()), true));
                }
            }
        } catch (StorageException e) {
            throw new IOException("gs://" + bucket + "/" + dir + ": " + e.getMessage(), e);
        }
        return files;
    }
}
