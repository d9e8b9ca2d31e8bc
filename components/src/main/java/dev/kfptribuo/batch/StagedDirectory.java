package dev.kfptribuo.batch;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.kfptribuo.io.CrashPoints;
import dev.kfptribuo.io.FileErrors;
import dev.kfptribuo.io.GcsClient;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An output directory that appears whole or not at all: files are written into a staging directory,
 * then published together.
 *
 * <p>Locally the staging directory is a hidden sibling of the target ({@code
 * .NAME.staging-PID-START-RANDOM}, {@link Leftovers}), on the same file system, and publishing is
 * one rename of the directory. A target left by an earlier run is first moved aside ({@code
 * .NAME.replaced-...}), then deleted once the new one is in place; it is replaced only if it holds
 * nothing but an earlier run's output files ({@link PredictionsDir#checkReplaceable}), which {@link
 * #create} checks before anything is written. A run killed between those two renames leaves no
 * target: the next run on it moves the earlier output back first, and deletes what killed runs
 * staged ({@link Leftovers#repair}). Where directories cannot be renamed (Cloud Storage FUSE), the
 * files are moved one by one into the new target, which is removed again if a move fails. For a
 * gs:// target the staging directory is a local temporary one, the prefix (or the bucket, for its
 * root) must hold no object yet, and publishing uploads each file; if an upload fails, the objects
 * already uploaded are deleted, so the prefix holds all of the files or none of them (Cloud Storage
 * has no rename of many objects at once: while the uploads run, a reader may see some of them).
 * Closing an unpublished directory deletes what was staged.
 *
 * <p>The steps of a publish are {@link CrashPoints}: {@code batch:staging-created} (in {@link
 * #create}), {@code batch:written} (every file staged, nothing published), then locally {@code
 * batch:moved-aside} (the earlier target renamed away), {@code batch:renamed} (the new one in
 * place) and {@code batch:cleaned} (the earlier one deleted).
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
     * Checks the target and makes the staging directory for it; locally, first repairs what killed
     * runs left beside it.
     *
     * @param target the directory to publish to, local or gs://
     * @param log receives a line per leftover of a killed run restored or removed
     * @return an empty staging directory for it
     * @throws BatchPrediction.PredictionsDirException if the target exists and may not be replaced:
     *     a gs:// prefix (or bucket) holding objects, a local path that is not a directory or holds
     *     anything but an earlier run's output files
     * @throws IOException if the target cannot be checked or the staging directory made
     */
    static StagedDirectory create(Location target, Consumer<String> log) throws IOException {
        if (target.isGcs()) {
            // Uploads never replace objects (that would mix two runs' files): a new prefix, as
            // Vertex AI gives each batch prediction job. The bucket's root is a prefix too.
            String prefix =
                    target.path().isEmpty() || target.path().endsWith("/")
                            ? target.path()
                            : target.path() + "/";
            try {
                if (GcsClient.get()
                        .list(
                                target.bucket(),
                                Storage.BlobListOption.prefix(prefix),
                                Storage.BlobListOption.pageSize(1))
                        .getValues()
                        .iterator()
                        .hasNext()) {
                    throw new BatchPrediction.PredictionsDirException(
                            target
                                    + ": holds files already; write the predictions to a new prefix");
                }
            } catch (StorageException e) {
                throw new IOException(target + ": " + e.getMessage(), e);
            }
            return new StagedDirectory(target, Leftovers.tempStaging(log));
        }
        Path dir = target.localPath().toAbsolutePath().normalize();
        if (dir.getParent() == null) {
            throw new BatchPrediction.PredictionsDirException(
                    dir
                            + ": is the root directory; write the predictions"
                            + " to a directory of their own");
        }
        Path staging = Leftovers.stagingFor(dir);
        try {
            Files.createDirectories(dir.getParent());
            Leftovers.repair(dir, log);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                PredictionsDir.checkReplaceable(dir);
            }
            Files.createDirectory(staging);
        } catch (FileSystemException e) {
            throw FileErrors.cannotBeWritten(dir, staging, e);
        }
        CrashPoints.reached("batch:staging-created");
        return new StagedDirectory(target, staging);
    }

    /**
     * @return the staging directory to write the files into
     */
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
        CrashPoints.reached("batch:written");
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
            Leftovers.deleteTree(staging);
            return published;
        }
        Path dir = target.localPath().toAbsolutePath().normalize();
        Path replaced = null;
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            replaced = Leftovers.replacedFor(dir);
            Files.move(dir, replaced, StandardCopyOption.ATOMIC_MOVE);
            CrashPoints.reached("batch:moved-aside");
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
        CrashPoints.reached("batch:renamed");
        this.published = true;
        if (replaced != null) {
            Leftovers.deleteTree(replaced);
            CrashPoints.reached("batch:cleaned");
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
    private void moveFiles(List<String> names, Path dir, IOException directoryRename)
            throws IOException {
        boolean created = false;
        try {
            Files.createDirectory(dir);
            created = true;
            for (String name : names) {
                Files.move(staging.resolve(name), dir.resolve(name));
            }
        } catch (IOException e) {
            e.addSuppressed(directoryRename);
            try {
                if (created) { // never a directory another process made meanwhile
                    Leftovers.deleteTree(dir);
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        Leftovers.deleteTree(staging);
    }

    /** Deletes the staged files unless they were published. */
    @Override
    public void close() throws IOException {
        if (!published) {
            Leftovers.deleteTree(staging);
        }
    }
}
