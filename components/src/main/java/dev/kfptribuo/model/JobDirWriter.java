package dev.kfptribuo.model;

import dev.kfptribuo.io.CrashPoints;
import dev.kfptribuo.io.DirectoryLock;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Saves a {@link ModelBundle} to job dirs, each save one commit: a reader of a job dir sees the
 * bundle that was there before, whole, or the new one, whole, whenever the process stops.
 *
 * <p>The layout of a job dir:
 *
 * <pre>
 * manifest.json                       the commit: names the files of the current bundle
 * model-20261201T091500123Z-1a2b3c4d/ one bundle, written once, never changed
 *     model.tribuo
 *     model.onnx
 * </pre>
 *
 * A save writes a new bundle directory (a fresh name: no file of the current bundle is touched),
 * then replaces {@code manifest.json} in one step (a local rename; on Cloud Storage one upload),
 * then deletes the bundle directories older than the previous one, each only if it holds nothing
 * but a save's files ({@link BundleDirs}). A stop before the manifest leaves the old manifest
 * naming the old, untouched files; after it, the new manifest names new files that were complete
 * before it was written. Readers follow the manifest ({@link ModelBundle#load}), which checks every
 * file's SHA-256.
 *
 * <p>One train run at a time: a local job dir is locked ({@link DirectoryLock}, released when the
 * process ends however it ends) from {@link #open} to {@link #close}; on Cloud Storage, where no
 * lock exists, the manifest is replaced only if its generation is still the one read at {@link
 * #open}, so of two runs the later commit fails, clearly, and neither mixes its files with the
 * other's. Every upload carries a precondition, so the client retries it safely. A run that commits
 * no model to a local job dir leaves it as it found it: the lock file and the directories {@link
 * #open} made go again, if nothing else is in them.
 *
 * <p>The steps are {@link CrashPoints}: {@code save:bundle}, {@code save:model}, {@code save:onnx},
 * {@code save:manifest} and {@code save:cleaned}, after each one, plus those of {@link
 * OutputFiles}.
 */
public final class JobDirWriter implements AutoCloseable {
    /** The lock file of a local job dir. */
    public static final String LOCK_FILE = ".train.lock";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<Target> targets;
    private final Consumer<String> log;

    /** The targets whose manifest this run replaced. */
    private final List<Target> committed = new ArrayList<>();

    /** One job dir: its lock (local) or the manifest's generation when opened (gs://). */
    private record Target(Location dir, DirectoryLock lock, long manifestGeneration) {}

    private JobDirWriter(List<Target> targets, Consumer<String> log) {
        this.targets = targets;
        this.log = log;
    }

    /**
     * Takes the job dirs for one train run, before any training: a local job dir is locked (and
     * created), a gs:// one has its manifest's generation read.
     *
     * @param dirs the job dirs
     * @param log receives a line per bundle directory cleaned up
     * @return the writer; close it when the run ends
     * @throws DirectoryLock.HeldException if another train run holds a local job dir
     * @throws IOException if a job dir cannot be made or read
     */
    public static JobDirWriter open(List<Location> dirs, Consumer<String> log) throws IOException {
        List<Target> targets = new ArrayList<>();
        try {
            for (Location dir : dirs) {
                if (dir.isGcs()) {
                    targets.add(
                            new Target(
                                    dir,
                                    null,
                                    OutputFiles.generation(
                                            dir.resolve(ModelBundle.MANIFEST_FILE))));
                } else {
                    targets.add(
                            new Target(
                                    dir,
                                    DirectoryLock.tryLock(
                                            dir.localPath(), LOCK_FILE, "another train run"),
                                    0));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Target target : targets) {
                if (target.lock() != null) {
                    target.lock().closeAndRemove();
                }
            }
            throw e;
        }
        return new JobDirWriter(targets, log);
    }

    /**
     * Opens the job dirs, saves the bundle and closes them: for a caller that trains nothing in
     * between.
     *
     * @param bundle the model and its manifest
     * @param dirs the job dirs
     * @return the manifest as written
     * @throws IOException as {@link #open} and {@link #save} do
     */
    public static Manifest save(ModelBundle bundle, List<Location> dirs) throws IOException {
        try (JobDirWriter writer = open(dirs, line -> {})) {
            return writer.save(bundle);
        }
    }

    /**
     * Saves the bundle to every job dir, one commit each.
     *
     * @param bundle the model and its manifest
     * @return the manifest as written, naming the files with their digests
     * @throws OutputFiles.PreconditionFailedException if another run committed a gs:// job dir
     *     since {@link #open}
     * @throws IOException if a write fails; that job dir keeps its previous bundle
     */
    public Manifest save(ModelBundle bundle) throws IOException {
        byte[] modelBytes = bundle.model().serialize().toByteArray();
        byte[] onnxBytes = OnnxExport.export(bundle.model(), bundle.manifest().hasProbabilities());
        String bundleDir =
                "model-"
                        + TIME.format(Instant.now())
                        + "-"
                        + HexFormat.of().toHexDigits(RANDOM.nextInt());
        Manifest saved =
                bundle.manifest()
                        .withFiles(
                                bundleDir + "/" + ModelBundle.MODEL_FILE,
                                ModelBundle.sha256(modelBytes),
                                bundleDir + "/" + ModelBundle.ONNX_FILE,
                                ModelBundle.sha256(onnxBytes));
        byte[] manifestBytes =
                ModelBundle.toJson(saved).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Target target : targets) {
            Location dir = target.dir();
            String previous = currentBundle(dir);
            CrashPoints.reached("save:bundle");
            OutputFiles.write(dir.resolve(saved.model().file()), modelBytes, OutputFiles.ABSENT);
            CrashPoints.reached("save:model");
            OutputFiles.write(dir.resolve(saved.onnx().file()), onnxBytes, OutputFiles.ABSENT);
            CrashPoints.reached("save:onnx");
            try {
                OutputFiles.write(
                        dir.resolve(ModelBundle.MANIFEST_FILE),
                        manifestBytes,
                        target.manifestGeneration());
            } catch (OutputFiles.PreconditionFailedException e) {
                BundleDirs.delete(dir.resolve(bundleDir));
                throw new OutputFiles.PreconditionFailedException(
                        dir
                                + ": another train run saved a model here while this"
                                + " one ran; this run's model is not saved ("
                                + e.getMessage()
                                + ")",
                        e);
            }
            CrashPoints.reached("save:manifest");
            committed.add(target);
            cleanUp(dir, bundleDir, previous);
            CrashPoints.reached("save:cleaned");
        }
        return saved;
    }

    /** The bundle directory the job dir's manifest names now, or null. */
    private static String currentBundle(Location dir) {
        try {
            String file = ModelBundle.readManifest(dir).model().file();
            int slash = file.indexOf('/');
            return slash < 0 ? null : file.substring(0, slash);
        } catch (IOException | RuntimeException e) {
            return null; // no manifest yet, or an unreadable one: nothing to keep for its readers
        }
    }

    /**
     * Deletes the bundle directories but the new one and the previous one, which a reader that read
     * the old manifest a moment ago may still be opening: locally every other one (the lock keeps
     * other runs out, so they are left by crashed ones); on gs://, where nothing locks, only the
     * older ones, as a newer one may be another run's, in progress. A directory of a bundle's name
     * that holds anything a save does not write is someone's: it is kept, and named in the log
     * ({@link BundleDirs#foreign}).
     */
    private void cleanUp(Location dir, String current, String previous) throws IOException {
        for (String name : BundleDirs.list(dir)) {
            boolean older = name.compareTo(current) < 0;
            if ((older || !dir.isGcs()) && !name.equals(current) && !name.equals(previous)) {
                Location bundle = dir.resolve(name);
                String foreign = BundleDirs.foreign(bundle);
                if (foreign == null) {
                    BundleDirs.delete(bundle);
                    log.accept("removed an old bundle directory " + bundle);
                } else {
                    log.accept(
                            "kept "
                                    + bundle
                                    + ": named like an old bundle directory, but it holds "
                                    + foreign
                                    + ", which a save does not write");
                }
            }
        }
    }

    /**
     * Releases the local job dirs' locks. A job dir this run committed no model to is left as it
     * was found: the lock file goes if this run made it, and so do the directories it made, if they
     * are empty ({@link DirectoryLock#closeAndRemove}).
     */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Target target : targets) {
            if (target.lock() != null) {
                try {
                    if (committed.contains(target)) {
                        target.lock().close();
                    } else {
                        target.lock().closeAndRemove();
                    }
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
