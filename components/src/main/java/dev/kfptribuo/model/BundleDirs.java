package dev.kfptribuo.model;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.kfptribuo.io.GcsClient;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The bundle directories of a job dir ({@code model-<UTC time to the millisecond>-<8 hex digits>}),
 * as the clean-up after a save finds, checks and deletes them. A directory of that name is a save's
 * only when it holds nothing but files a save writes: {@value ModelBundle#MODEL_FILE}, {@value
 * ModelBundle#ONNX_FILE}, {@value ModelBundle#MANIFEST_FILE} and, locally, their hidden temporary
 * files, a stopped save's ({@code .model.onnx.<uuid>.tmp}), each a regular file: no link, no
 * subdirectory, nothing else. Anything else there is someone's, and the directory is not deleted.
 */
final class BundleDirs {
    /** Bundle directory names, in time order. */
    static final Pattern NAME = Pattern.compile("model-\\d{8}T\\d{9}Z-[0-9a-f]{8}");

    private static final String SAVED =
            Pattern.quote(ModelBundle.MODEL_FILE)
                    + "|"
                    + Pattern.quote(ModelBundle.ONNX_FILE)
                    + "|"
                    + Pattern.quote(ModelBundle.MANIFEST_FILE);

    /**
     * What a save writes into a bundle directory, and its temporary files ({@code OutputFiles}).
     */
    private static final Pattern SAVED_FILE =
            Pattern.compile(
                    "(?:"
                            + SAVED
                            + ")|\\.(?:"
                            + SAVED
                            + ")\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

    private BundleDirs() {}

    /**
     * @param dir a job dir
     * @return the names of its entries named like bundle directories: local directories (not links
     *     to one), gs:// prefixes
     * @throws IOException if it cannot be listed
     */
    static List<String> list(Location dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (dir.isGcs()) {
            String prefix = prefix(dir);
            for (Blob blob : gcsList(dir, prefix + "model-", true)) {
                String name = blob.getName().substring(prefix.length()).replaceAll("/$", "");
                if (NAME.matcher(name).matches()) {
                    names.add(name);
                }
            }
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.localPath(), "model-*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (NAME.matcher(name).matches()
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /**
     * @param bundle a bundle directory
     * @return null if it holds nothing but files a save writes; else the first other entry by name,
     *     for the log: {@code notes.txt}, {@code the directory plots}, {@code the link
     *     model.tribuo}
     * @throws IOException if it cannot be listed
     */
    static String foreign(Location bundle) throws IOException {
        if (bundle.isGcs()) {
            String prefix = prefix(bundle);
            List<String> names = new ArrayList<>();
            for (Blob blob : gcsList(bundle, prefix, false)) {
                names.add(blob.getName().substring(prefix.length()));
            }
            for (String name : names.stream().sorted().toList()) {
                if (name.isEmpty()) {
                    continue; // a folder placeholder object, part of the directory
                }
                int slash = name.indexOf('/');
                if (slash >= 0) {
                    return "the directory " + name.substring(0, slash);
                }
                if (!SAVED_FILE.matcher(name).matches()) {
                    return name;
                }
            }
            return null;
        }
        List<Path> entries;
        try (Stream<Path> all = Files.list(bundle.localPath())) {
            entries = all.sorted().toList();
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (Files.isSymbolicLink(entry)) {
                return "the link " + name;
            }
            if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                return "the directory " + name;
            }
            if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)
                    || !SAVED_FILE.matcher(name).matches()) {
                return name;
            }
        }
        return null;
    }

    /**
     * Deletes a bundle directory and what it holds: one level, a save's files (locally a
     * subdirectory makes the delete fail rather than go into it).
     *
     * @param bundle the bundle directory; missing is fine
     * @throws IOException if a delete fails
     */
    static void delete(Location bundle) throws IOException {
        if (bundle.isGcs()) {
            try {
                for (Blob blob : gcsList(bundle, prefix(bundle), false)) {
                    blob.delete();
                }
            } catch (StorageException e) {
                throw new IOException(bundle + ": " + e.getMessage(), e);
            }
            return;
        }
        Path root = bundle.localPath();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> all = Files.list(root)) {
            entries = all.toList();
        }
        for (Path entry : entries) {
            Files.delete(entry);
        }
        Files.delete(root);
    }

    private static String prefix(Location dir) {
        return dir.path().isEmpty() || dir.path().endsWith("/") ? dir.path() : dir.path() + "/";
    }

    private static Iterable<Blob> gcsList(Location dir, String prefix, boolean currentDirectory)
            throws IOException {
        try {
            return currentDirectory
                    ? GcsClient.get()
                            .list(
                                    dir.bucket(),
                                    Storage.BlobListOption.prefix(prefix),
                                    Storage.BlobListOption.currentDirectory())
                            .iterateAll()
                    : GcsClient.get()
                            .list(dir.bucket(), Storage.BlobListOption.prefix(prefix))
                            .iterateAll();
        } catch (StorageException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
    }
}
