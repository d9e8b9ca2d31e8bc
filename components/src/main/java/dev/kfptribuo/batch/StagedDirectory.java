package dev.kfptribuo.batch;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.kfptribuo.io.GcsClient;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An output directory that appears whole or not at all: files are written into a staging
 * directory, then published together.
 *
 * <p>Locally the staging directory is a hidden sibling of the target ({@code .NAME.staging-UUID}),
 * on the same file system, and publishing is one rename of the directory (a target left by an
 * earlier run is moved aside first, then deleted). Where directories cannot be renamed (Cloud
 * Storage FUSE), the files are moved one by one into the new target, which is removed again if a
 * move fails. For a gs:// target the staging directory is a
 * local temporary one, the prefix must hold no object yet, and publishing uploads each file; if an upload fails, the objects already
 * uploaded are deleted, so the prefix holds all of the files or none of them (Cloud Storage has
 * no rename of many objects at once: while the uploads run, a reader may see some of them).
 * Closing an unpublished directory deletes what was staged.
 */
final class StagedDirectory implements AutoCloseable {
    private final Location target;
    private final Path staging;
    private boolean published;

    private StagedDirectory(Location target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /**
     * @param target the directory to publish to, local or gs://
     * @return an empty staging directory for it
     * @throws IOException if the staging directory cannot be made, or a local target exists and is
     *     not a directory
     */
    static StagedDirectory create(Location target) throws IOException {
        if (target.isGcs()) {
            // Uploads never replace objects (that would mix two runs' files): a new prefix, as
            // Vertex AI gives each batch prediction job.
            String prefix = target.path().endsWith("/") ? target.path() : target.path() + "/";
            try {
                if (GcsClient.get().list(target.bucket(), Storage.BlobListOption.prefix(prefix),
                        Storage.BlobListOption.pageSize(1)).getValues().iterator().hasNext()) {
                    throw new FileAlreadyExistsException(target + ": holds files already; write the predictions to a new prefix");
                }
            } catch (StorageException e) {
                throw new IOException(target + ": " + e.getMessage(), e);
            }
            return new StagedDirectory(target, Files.createTempDirectory("kfp-tribuo-predictions"));
        }
        Path dir = target.localPath().toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FileAlreadyExistsException(dir + ": exists and is not a directory");
        }
        Files.createDirectories(dir.getParent());
        Path staging = dir.resolveSibling("." + dir.getFileName() + ".staging-" + UUID.randomUUID());
        Files.createDirectory(staging);
        return new StagedDirectory(target, staging);
    }

    /** @return the staging directory to write the files into */
    Path path() {
        return staging;
    }

    /**
     * Publishes every file of the staging directory to the target.
     *
     * @return the published files' locations, sorted by name
     * @throws IOException if publishing fails; the target then holds none of the new files
     */
    List<Location> publish() throws IOException {
        List<String> names;
        try (Stream<Path> files = Files.list(staging)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<Location> published = new ArrayList<>();
        if (target.isGcs()) {
            try {
                for (String name : names) {
                    OutputFiles.upload(target.resolve(name), staging.resolve(name));
                    published.add(target.resolve(name));
                }
            } catch (IOException | RuntimeException e) {
                for (Location uploaded : published) {
                    try {
                        OutputFiles.delete(uploaded);
                    } catch (IOException | RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
            this.published = true;
            deleteTree(staging);
            return published;
        }
        Path dir = target.localPath().toAbsolutePath();
        Path replaced = null;
        if (Files.exists(dir)) {
            replaced = dir.resolveSibling("." + dir.getFileName() + ".replaced-" + UUID.randomUUID());
            Files.move(dir, replaced, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException directoryRename) {
                // A file system that cannot rename a directory (Cloud Storage FUSE, the /gcs/ paths
                // of Vertex AI Pipelines, by default): the files one by one.
                moveFiles(names, dir, directoryRename);
            }
        } catch (IOException e) {
            if (replaced != null) {
                Files.move(replaced, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        this.published = true;
        if (replaced != null) {
            deleteTree(replaced);
        }
        for (String name : names) {
            published.add(target.resolve(name));
        }
        return published;
    }

    /**
     * Moves the staged files into a new target directory one at a time; if one fails, takes the
     * directory away again.
     */
    private void moveFiles(List<String> names, Path dir, IOException directoryRename) throws IOException {
        try {
            Files.createDirectory(dir);
            for (String name : names) {
                Files.move(staging.resolve(name), dir.resolve(name));
            }
        } catch (IOException e) {
            e.addSuppressed(directoryRename);
            try {
                deleteTree(dir);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        deleteTree(staging);
    }

    /** Deletes the staged files unless they were published. */
    @Override
    public void close() throws IOException {
        if (!published) {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
