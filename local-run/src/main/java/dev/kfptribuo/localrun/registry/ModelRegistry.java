package dev.kfptribuo.localrun.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.CrashPoints;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.registry.ModelRegistryReader;
import dev.kfptribuo.registry.ModelRegistryReader.Pointer;
import dev.kfptribuo.registry.ModelRegistryReader.Retired;
import dev.kfptribuo.registry.ModelRegistryReader.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local model registry: {@code <registry>/<model_id>/} holds the versions of a model, each the
 * model files of a final training's job dir ({@code manifest.json} and the files it names) plus
 * {@value #VERSION_FILE} (where it came from, when, its checksum and evaluation).
 *
 * <p>{@link #deploy} follows AI Platform's deploy component (KFP {@code ml_engine/deploy}, {@code
 * create_version}): ids are normalised as the component normalises them (characters other than
 * letters, digits and {@code _} become {@code _}; a name not starting with a letter gets the prefix
 * {@code x_}); the model is created when missing; an existing version holding the same model (same
 * SHA-256) is kept as it is; another existing version is replaced only with {@code
 * replace_existing_version}, and otherwise the deploy fails with the component's message. A deploy
 * that succeeds (created, replaced or unchanged) makes its version the model's current one: {@link
 * #current} resolves the version deployed last, {@link #version} a given one.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * &lt;registry&gt;/&lt;model_id&gt;/
 *   .lock                                  the model's lock file (an OS lock while a deploy runs)
 *   current.json                           {"version": "v01"}: the version deployed last
 *   v01.version                            v01's pointer: {"version": "v01",
 *                                            "directory": "v01.20261130T141526123Z.1a2b3c4d",
 *                                            "deployTime": ..., "retired": [{"directory", "retireTime"}]}
 *   v01.20261130T141526123Z.1a2b3c4d/      a version directory: written once, never changed
 *     manifest.json, model-.../model.tribuo, model-.../model.onnx, version.json
 *   .staging.v01.&lt;uuid&gt;/                 a deploy's copy in progress (only while it holds the lock)
 *   .current.json.&lt;uuid&gt;.tmp               a pointer being written (likewise)
 * </pre>
 *
 * Ids are letters, digits and {@code _} starting with a letter, so no id holds a {@code .}: a
 * pointer ({@code <id>.version}), a version directory ({@code <id>.<UTC time>.<8 hex digits>}),
 * {@code current.json} and the hidden entries can never be taken for one another. A version
 * directory of the old layout ({@code <model_id>/<version_id>/}, no pointer) is still read, and the
 * next deploy of its model gives it a pointer without moving it.
 *
 * <h2>Why a reader always sees one whole version</h2>
 *
 * A deploy copies the files into a hidden staging directory, checks each against the manifest's
 * SHA-256, writes {@value #VERSION_FILE} last and forces everything to the disk; then renames the
 * staging directory to a fresh, unique version directory name, and only then writes the version's
 * pointer and then {@code current.json}, each as a temporary file renamed over the old one (one
 * atomic step) and forced. So a pointer only ever names a directory that was complete before the
 * pointer existed, and the switch from the old version to the new is the one rename of the pointer:
 * a reader that follows the pointers ({@link #current}, {@link #version}) gets the old directory or
 * the new one, never a mix, never nothing once a version existed. If a deploy stops before its
 * pointer is renamed, nothing a reader follows has changed; after it, the version is whole. If it
 * stops between the version's pointer and {@code current.json}, current names the previous version
 * (or, on a model's first deploy, {@link #current} takes the newest version); rerunning the deploy
 * finds the model unchanged and makes it current.
 *
 * <p>A replaced version directory stays as it is, listed in the pointer's {@code retired} list with
 * the time, for {@link #DEFAULT_GRACE} at least: a reader that resolved it just before the switch
 * can still read it whole. Deploys delete retired directories older than that.
 *
 * <h2>Concurrency and repair</h2>
 *
 * A deploy holds the model's lock from start to end: a {@link FileLock} on {@code .lock} (the OS
 * releases it when the process ends, even by {@code kill -9}) plus an in-process lock (the OS lock
 * is per process). Two deploys of a model run one after the other: the second one then finds the
 * version unchanged, replaces it or refuses, as if it had run alone. Every deploy begins, under the
 * lock, by repairing what an interrupted one left, so it only ever touches what no live deployer
 * holds: staging directories and temporary files with the names a deploy gives them ({@code
 * .staging.<version_id>.<uuid>}, {@code .<name>.<uuid>.tmp}) are deleted, a version directory its
 * pointer neither names nor lists as retired is deleted (with a note saying what is known of it:
 * one made after the pointer was written was never published), an old-layout leftover is restored
 * or deleted as the old code would have; a pointer naming a directory that is gone is pointed at
 * the version's newest whole directory, keeping its retired list. Entries it does not understand (a
 * stray hidden file or directory of any other name, a name that is no id, a file where a directory
 * belongs, a pointer that does not parse or names no directory) are skipped or repaired, with a
 * note naming each; none makes a deploy fail. An entry in the way of a pointer or of the lock is
 * moved aside to {@code .set-aside.<name>.<uuid>}.
 *
 * <p>A deploy given an {@link Expected} current version (what the evaluation compared with) checks
 * it under the lock, after the repair, and deploys nothing if another deploy changed it ({@link
 * ProductionChangedException}).
 *
 * <p>Readers take no lock. {@link CrashPoints} named in {@link #CRASH_POINTS} mark each step.
 */
public final class ModelRegistry {
    /** The file describing a version, inside its directory. */
    public static final String VERSION_FILE = ModelRegistryReader.VERSION_FILE;

    /** A model's lock file. */
    public static final String LOCK_FILE = ".lock";

    /** A model's pointer to the version deployed last. */
    public static final String CURRENT_FILE = ModelRegistryReader.CURRENT_FILE;

    /** The suffix of a version's pointer file: {@code <version_id>.version}. */
    public static final String POINTER_SUFFIX = ModelRegistryReader.POINTER_SUFFIX;

    /**
     * How long a replaced version directory is kept for readers that resolved it before the switch.
     */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(10);

    /**
     * The crash points of a deploy, in the order a deploy reaches them: after the lock; after each
     * step that writes, copies or renames; in repair, after each rewritten pointer's write and
     * rename, after the first file of a tree being deleted, after a restore or a set-aside.
     */
    public static final List<String> CRASH_POINTS =
            List.of(
                    "deploy:locked",
                    "deploy:repair-set-aside",
                    "deploy:repair-restored",
                    "deploy:repair-deleting",
                    "deploy:repair-pointer-written",
                    "deploy:repair-pointer-renamed",
                    "deploy:repair-current-written",
                    "deploy:repair-current-renamed",
                    "deploy:staging-created",
                    "deploy:manifest-copied",
                    "deploy:model-copied",
                    "deploy:onnx-copied",
                    "deploy:version-file-written",
                    "deploy:directory-renamed",
                    "deploy:pointer-written",
                    "deploy:pointer-renamed",
                    "deploy:current-written",
                    "deploy:current-renamed");

    private static final Pattern ID = ModelRegistryReader.ID;
    private static final Pattern VERSION_DIR = ModelRegistryReader.VERSION_DIR;

    /** A path segment a manifest may name, as the components' model loading accepts it. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private static final String STAGING = ".staging.";
    private static final String SET_ASIDE = ".set-aside.";
    private static final String UUID_TEXT =
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    /** A deploy's staging directory, as {@link #stage} names it. */
    private static final Pattern STAGING_NAME =
            Pattern.compile("\\.staging\\.[A-Za-z][A-Za-z0-9_]*\\." + UUID_TEXT);

    /** A deploy's temporary file, as {@link #replaceFile} names it. */
    private static final Pattern TEMP = Pattern.compile("\\..+\\." + UUID_TEXT + "\\.tmp");

    /** The old layout's copy in progress. */
    private static final Pattern OLD_INCOMING =
            Pattern.compile("\\.incoming-[A-Za-z][A-Za-z0-9_]*-" + UUID_TEXT);

    private static final Pattern OLD_REPLACED =
            Pattern.compile(
                    "\\.replaced-([A-Za-z][A-Za-z0-9_]*)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The in-process half of the model locks, by model directory. */
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    /** What a deploy did. */
    public enum Action {
        /** The version did not exist and now holds the model. */
        CREATED,
        /** The version held another model, which was replaced. */
        REPLACED,
        /**
         * The version already held this model: nothing changed (but it is now the current version).
         */
        UNCHANGED
    }

    /**
     * @param action what happened
     * @param modelId the normalised model id
     * @param versionId the normalised version id
     * @param versionDir the version's directory (immutable)
     */
    public record Outcome(Action action, String modelId, String versionId, Path versionDir) {}

    /**
     * What a deploy expects to find in production (the model's current version) once it holds the
     * lock: what the evaluation compared the new model with. A deploy that finds something else
     * deploys nothing ({@link ProductionChangedException}).
     *
     * @param check whether to check at all
     * @param directory the current version's directory expected, or null for no version deployed
     */
    public record Expected(boolean check, Path directory) {
        /** No check: the deploy does not depend on what is in production. */
        public static final Expected ANY = new Expected(false, null);

        /**
         * @return the expectation that no version of the model is deployed
         */
        public static Expected nothingDeployed() {
            return new Expected(true, null);
        }

        /**
         * @param directory the version directory expected to be the model's current one
         * @return that expectation
         */
        public static Expected current(Path directory) {
            return new Expected(true, directory.toAbsolutePath().normalize());
        }
    }

    /**
     * The model's current version is not the one a deploy expected: another deploy changed it since
     * (since the evaluation that chose the baseline). Nothing was deployed.
     */
    public static final class ProductionChangedException extends Exception {
        private static final long serialVersionUID = 1L;

        private final transient Path expected;
        private final transient Version found;

        ProductionChangedException(Path expected, Version found) {
            super(
                    "expected "
                            + (expected == null ? "no version deployed" : expected.toString())
                            + ", found "
                            + (found == null
                                    ? "no version deployed"
                                    : found.modelId()
                                            + "/"
                                            + found.versionId()
                                            + " in "
                                            + found.directory()));
            this.expected = expected;
            this.found = found;
        }

        /**
         * @return the current version's directory the deploy expected, or null for none
         */
        public Path expected() {
            return expected;
        }

        /**
         * @return the version in production now, or null if none is
         */
        public Version found() {
            return found;
        }
    }

    private final Path root;
    private final Consumer<String> log;
    private final Duration grace;
    private final Clock clock;

    /**
     * @param root the registry directory (created on first deploy)
     * @param log where notes go (repairs, odd entries, normalised names, waits for the lock)
     */
    public ModelRegistry(Path root, Consumer<String> log) {
        this(root, log, DEFAULT_GRACE, Clock.systemUTC());
    }

    /**
     * @param root the registry directory
     * @param log where notes go
     * @param grace how long replaced version directories are kept
     * @param clock the clock of retire times
     */
    ModelRegistry(Path root, Consumer<String> log, Duration grace, Clock clock) {
        this.root = root.toAbsolutePath();
        this.log = log;
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * KFP's {@code gcp_common.normalize_name}: a valid AI Platform model or version name.
     *
     * @param name a name
     * @return it with every character but letters, digits and {@code _} replaced by {@code _},
     *     prefixed with {@code x_} if it does not start with a letter
     */
    public static String normalize(String name) {
        return ModelRegistryReader.normalize(name);
    }

    // ---- readers ------------------------------------------------------------------------------

    /**
     * The version of a model deployed last, for a server ({@code --model}): see {@link
     * ModelRegistryReader#current}, which a server uses without this class.
     *
     * @param modelId the model's id (normalised as deploys normalise it)
     * @return the version and its directory
     * @throws ModelRegistryReader.NotDeployedException if no version of the model is deployed
     * @throws IOException naming the file if {@code current.json} or a pointer cannot be read
     */
    public Version current(String modelId) throws IOException {
        return new ModelRegistryReader(root).current(modelId);
    }

    /**
     * A given version of a model: see {@link ModelRegistryReader#version}.
     *
     * @param modelId the model's id (normalised as deploys normalise it)
     * @param versionId the version's id (normalised likewise)
     * @return the version and its directory, whole
     * @throws ModelRegistryReader.NotDeployedException if that version is not deployed
     * @throws IOException naming the pointer if it cannot be read or names no version directory
     */
    public Version version(String modelId, String versionId) throws IOException {
        return new ModelRegistryReader(root).version(modelId, versionId);
    }

    // ---- deploy -------------------------------------------------------------------------------

    /**
     * Publishes a job dir's model as {@code model_id/version_id} and makes it the model's current
     * version.
     *
     * @param jobDir the final training's job dir
     * @param modelId the model's id
     * @param versionId the version's id
     * @param replaceExisting {@code replace_existing_version}
     * @param details more fields for {@value #VERSION_FILE} (the run, the evaluation)
     * @return what was done
     * @throws IOException if the files cannot be read, checked or written
     * @throws IllegalStateException if another model holds the version and replacing is off
     */
    public Outcome deploy(
            Path jobDir,
            String modelId,
            String versionId,
            boolean replaceExisting,
            ObjectNode details)
            throws IOException {
        try {
            return deploy(jobDir, modelId, versionId, replaceExisting, details, Expected.ANY);
        } catch (ProductionChangedException e) {
            throw new AssertionError("a deploy that checks nothing found a change", e);
        }
    }

    /**
     * Publishes a job dir's model as {@code model_id/version_id} and makes it the model's current
     * version, if the model's current version is, under the lock, the one expected.
     *
     * @param jobDir the final training's job dir
     * @param modelId the model's id
     * @param versionId the version's id
     * @param replaceExisting {@code replace_existing_version}
     * @param details more fields for {@value #VERSION_FILE} (the run, the evaluation)
     * @param expected what must be in production as the deploy takes the lock (after its repair)
     * @return what was done
     * @throws IOException if the files cannot be read, checked or written
     * @throws IllegalStateException if another model holds the version and replacing is off
     * @throws ProductionChangedException if the current version is not the one expected; nothing
     *     was deployed
     */
    public Outcome deploy(
            Path jobDir,
            String modelId,
            String versionId,
            boolean replaceExisting,
            ObjectNode details,
            Expected expected)
            throws IOException, ProductionChangedException {
        String model = normalize(modelId);
        String version = normalize(versionId);
        if (!model.equals(modelId) || !version.equals(versionId)) {
            log.accept(
                    "ids normalised as AI Platform's deploy component does: "
                            + modelId
                            + "/"
                            + versionId
                            + " -> "
                            + model
                            + "/"
                            + version);
        }
        // Which model the job dir holds decides between unchanged, conflict and a copy; the copy
        // is checked against it.
        String sha =
                ModelBundle.readManifest(Location.parse(jobDir.toAbsolutePath().toString()))
                        .model()
                        .sha256();
        Path modelDir = modelDirectory(model);
        ModelLock lock = ModelLock.take(modelDir, log);
        try {
            CrashPoints.reached("deploy:locked");
            Map<String, Pointer> published = repair(modelDir);
            if (expected.check()) {
                // Under the lock and after the repair, no one else changes what is current.
                Version now;
                try {
                    now = current(model);
                } catch (ModelRegistryReader.NotDeployedException e) {
                    now = null;
                }
                Path nowDir = now == null ? null : now.directory().toAbsolutePath().normalize();
                if (!Objects.equals(expected.directory(), nowDir)) {
                    throw new ProductionChangedException(expected.directory(), now);
                }
            }

            Pointer existing = published.get(version);
            if (existing != null) {
                Path existingDir = modelDir.resolve(existing.directory());
                String existingSha = readSha(existingDir);
                if (sha.equals(existingSha)) {
                    makeCurrent(modelDir, version, "deploy:current");
                    return new Outcome(Action.UNCHANGED, model, version, existingDir);
                }
                if (!replaceExisting) {
                    throw new IllegalStateException(
                            "Existing version conflicts with the name of the new version: "
                                    + model
                                    + "/"
                                    + version
                                    + " ("
                                    + existingDir
                                    + ") holds another model (model_sha256 "
                                    + existingSha
                                    + "); set replace_existing_version to replace it, or choose another version id");
                }
            }

            Path versionDir = stage(jobDir, modelDir, model, version, sha, details);
            List<Retired> retired = new ArrayList<>();
            if (existing != null) {
                for (Retired r : existing.retired()) {
                    if (Files.exists(modelDir.resolve(r.directory()))) {
                        retired.add(r);
                    }
                }
                retired.add(new Retired(existing.directory(), clock.instant()));
            }
            writePointer(
                    modelDir,
                    new Pointer(
                            version, versionDir.getFileName().toString(), clock.instant(), retired),
                    "deploy:pointer");
            makeCurrent(modelDir, version, "deploy:current");
            return new Outcome(
                    existing != null ? Action.REPLACED : Action.CREATED,
                    model,
                    version,
                    versionDir);
        } finally {
            lock.close();
        }
    }

    /** The model's directory, created; a file in its place is moved aside. */
    private Path modelDirectory(String model) throws IOException {
        Files.createDirectories(root);
        Path modelDir = root.resolve(model);
        if (Files.exists(modelDir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(modelDir)) {
            setAside(modelDir, "it is not a directory, so not a model's");
        }
        Files.createDirectories(modelDir);
        return modelDir;
    }

    /**
     * Copies the job dir's model into a staging directory, checks it, and renames it to a fresh
     * version directory.
     */
    private Path stage(
            Path jobDir,
            Path modelDir,
            String model,
            String version,
            String sha,
            ObjectNode details)
            throws IOException {
        Path staging = modelDir.resolve(STAGING + version + "." + UUID.randomUUID());
        try {
            Files.createDirectory(staging);
            CrashPoints.reached("deploy:staging-created");
            // The manifest is copied first and the files it names are then read from the copy: what
            // is staged is one save's, even if the job dir is saved again meanwhile.
            copy(
                    jobDir.resolve(ModelBundle.MANIFEST_FILE),
                    staging.resolve(ModelBundle.MANIFEST_FILE));
            CrashPoints.reached("deploy:manifest-copied");
            Manifest manifest = ModelBundle.readManifest(Location.parse(staging.toString()));
            if (!sha.equals(manifest.model().sha256())) {
                throw new IOException(
                        jobDir.resolve(ModelBundle.MANIFEST_FILE)
                                + ": changed during the deploy"
                                + " (another training saved into the job dir?)");
            }
            copyChecked(jobDir, staging, manifest.model().file(), manifest.model().sha256());
            CrashPoints.reached("deploy:model-copied");
            copyChecked(jobDir, staging, manifest.onnx().file(), manifest.onnx().sha256());
            CrashPoints.reached("deploy:onnx-copied");
            ObjectNode info = AtomicFiles.JSON.createObjectNode();
            info.put("name", "models/" + model + "/versions/" + version);
            info.put("deploymentUri", jobDir.toAbsolutePath().toString());
            info.put("createTime", clock.instant().toString());
            info.put("model_sha256", sha);
            info.put("framework", "TRIBUO");
            info.setAll(details);
            write(staging.resolve(VERSION_FILE), AtomicFiles.JSON.writeValueAsBytes(info));
            forceDirectory(staging);
            CrashPoints.reached("deploy:version-file-written");

            Path versionDir =
                    modelDir.resolve(
                            version
                                    + "."
                                    + STAMP.format(clock.instant())
                                    + "."
                                    + HexFormat.of().toHexDigits(RANDOM.nextInt()));
            if (Files.exists(versionDir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(
                        versionDir + ": exists already (a clock set back?); deploy again");
            }
            move(staging, versionDir);
            forceDirectory(modelDir);
            CrashPoints.reached("deploy:directory-renamed");
            return versionDir;
        } finally {
            if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(staging, false);
            }
        }
    }

    /**
     * Copies a file the manifest names to the same place in the staging directory, checking its
     * digest.
     */
    private static void copyChecked(Path jobDir, Path staging, String file, String sha)
            throws IOException {
        String[] segments = file.split("/", -1);
        boolean plain = segments.length >= 1 && segments.length <= 2;
        for (String segment : segments) {
            plain &= SEGMENT.matcher(segment).matches();
        }
        if (!plain) {
            throw new IOException(
                    jobDir.resolve(ModelBundle.MANIFEST_FILE)
                            + ": names the file '"
                            + file
                            + "', which is not a file inside the job dir");
        }
        Path source = jobDir;
        Path target = staging;
        for (String segment : segments) {
            source = source.resolve(segment);
            target = target.resolve(segment);
        }
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(source + ": not a regular file, so not a model file");
        }
        Files.createDirectories(target.getParent());
        String copied = copy(source, target);
        if (!sha.equals(copied)) {
            throw new IOException(source + ": SHA-256 does not match " + ModelBundle.MANIFEST_FILE);
        }
        forceDirectory(target.getParent());
    }

    /** Copies a file to a new file, forced to the disk; returns the SHA-256 of what was copied. */
    private static String copy(Path source, Path target) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest);
                FileChannel out =
                        FileChannel.open(
                                target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
            out.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        try (FileChannel out =
                FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
    }

    /**
     * Writes a file as a temporary file renamed over it, with crash points {@code <point>-written}
     * and {@code -renamed}.
     */
    private static void replaceFile(Path target, byte[] bytes, String point) throws IOException {
        Path temp =
                target.resolveSibling(
                        "." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            write(temp, bytes);
            CrashPoints.reached(point + "-written");
            move(temp, target);
            forceDirectory(target.getParent());
            CrashPoints.reached(point + "-renamed");
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writePointer(Path modelDir, Pointer pointer, String point)
            throws IOException {
        ObjectNode node = AtomicFiles.JSON.createObjectNode();
        node.put("version", pointer.version());
        node.put("directory", pointer.directory());
        node.put("deployTime", pointer.deployTime().toString());
        ArrayNode retired = node.putArray("retired");
        for (Retired r : pointer.retired()) {
            retired.addObject()
                    .put("directory", r.directory())
                    .put("retireTime", r.retireTime().toString());
        }
        replaceFile(
                modelDir.resolve(pointer.version() + POINTER_SUFFIX),
                AtomicFiles.JSON.writeValueAsBytes(node),
                point);
    }

    /** Points {@code current.json} at a version, unless it names it already. */
    private static void makeCurrent(Path modelDir, String version, String point)
            throws IOException {
        Path currentFile = modelDir.resolve(CURRENT_FILE);
        try {
            if (Files.isRegularFile(currentFile) && version.equals(readCurrent(currentFile))) {
                return;
            }
        } catch (IOException e) {
            // rewritten below
        }
        ObjectNode node = AtomicFiles.JSON.createObjectNode();
        node.put("version", version);
        replaceFile(currentFile, AtomicFiles.JSON.writeValueAsBytes(node), point);
    }

    private static String readSha(Path versionDir) {
        try {
            return readJson(versionDir.resolve(VERSION_FILE)).path("model_sha256").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    // ---- pointers -----------------------------------------------------------------------------

    private static JsonNode readJson(Path file) throws IOException {
        return ModelRegistryReader.readJson(file);
    }

    private static String readCurrent(Path currentFile) throws IOException {
        return ModelRegistryReader.readCurrent(currentFile);
    }

    private static Pointer readPointer(Path file, String version) throws IOException {
        return ModelRegistryReader.readPointer(file, version);
    }

    /**
     * Whether a directory is a whole version: created by a rename after its version file was
     * written.
     */
    private static boolean complete(Path dir) {
        return ModelRegistryReader.complete(dir);
    }

    // ---- repair -------------------------------------------------------------------------------

    /** What repair finds of one version. */
    private static final class Found {
        Path pointerFile;
        final List<Path> directories = new ArrayList<>();
        Path legacy;
    }

    /**
     * Finishes or undoes what interrupted deploys left, under the model's lock.
     *
     * @return the published versions' pointers, each valid and naming a whole directory
     */
    private Map<String, Pointer> repair(Path modelDir) throws IOException {
        Map<String, Found> versions = new TreeMap<>();
        List<Path> oldReplaced = new ArrayList<>();
        Path currentFile = null;
        for (Path entry : list(modelDir)) {
            String name = entry.getFileName().toString();
            if (name.equals(LOCK_FILE) || name.startsWith(SET_ASIDE)) {
                continue;
            }
            if (name.equals(CURRENT_FILE)) {
                currentFile = entry;
            } else if (STAGING_NAME.matcher(name).matches()
                    || OLD_INCOMING.matcher(name).matches()) {
                log.accept("removing " + entry + ", left by an interrupted deploy");
                deleteTree(entry, true);
            } else if (TEMP.matcher(name).matches()
                    && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                log.accept("removing " + entry + ", a file an interrupted deploy was writing");
                Files.deleteIfExists(entry);
            } else if (OLD_REPLACED.matcher(name).matches()) {
                oldReplaced.add(entry);
            } else if (name.startsWith(".")) {
                log.accept("skipping " + entry + ": a hidden entry the registry does not know");
            } else if (name.endsWith(POINTER_SUFFIX)
                    && ID.matcher(name.substring(0, name.length() - POINTER_SUFFIX.length()))
                            .matches()) {
                versions.computeIfAbsent(
                                        name.substring(0, name.length() - POINTER_SUFFIX.length()),
                                        k -> new Found())
                                .pointerFile =
                        entry;
            } else if (VERSION_DIR.matcher(name).matches()) {
                if (Files.isDirectory(entry)) {
                    Matcher m = VERSION_DIR.matcher(name);
                    m.matches();
                    versions.computeIfAbsent(m.group(1), k -> new Found()).directories.add(entry);
                } else {
                    log.accept(
                            "skipping "
                                    + entry
                                    + ": named as a version directory, but not a directory");
                }
            } else if (ID.matcher(name).matches()) {
                if (complete(entry)) {
                    versions.computeIfAbsent(name, k -> new Found()).legacy = entry;
                } else {
                    log.accept(
                            "skipping "
                                    + entry
                                    + ": not a version directory (no "
                                    + VERSION_FILE
                                    + ")");
                }
            } else {
                log.accept("skipping " + entry + ": not an entry of the registry");
            }
        }
        // The old layout's version moved aside: deleted if its version is in place, else restored.
        for (Path entry : oldReplaced) {
            Matcher m = OLD_REPLACED.matcher(entry.getFileName().toString());
            m.matches();
            String version = m.group(1);
            Found found = versions.get(version);
            if (found != null && (found.legacy != null || found.pointerFile != null)) {
                log.accept("removing " + entry + ", the version an interrupted deploy replaced");
                deleteTree(entry, true);
            } else if (complete(entry)) {
                Path legacy = modelDir.resolve(version);
                log.accept("restoring " + legacy + ", which an interrupted deploy had moved aside");
                move(entry, legacy);
                CrashPoints.reached("deploy:repair-restored");
                versions.computeIfAbsent(version, k -> new Found()).legacy = legacy;
            } else {
                log.accept(
                        "skipping "
                                + entry
                                + ": not a version directory (no "
                                + VERSION_FILE
                                + ")");
            }
        }

        Map<String, Pointer> published = new LinkedHashMap<>();
        for (Map.Entry<String, Found> e : versions.entrySet()) {
            Pointer pointer = repairVersion(modelDir, e.getKey(), e.getValue());
            if (pointer != null) {
                published.put(e.getKey(), pointer);
            }
        }
        repairCurrent(modelDir, currentFile, published);
        return published;
    }

    /**
     * Leaves a version with a valid pointer naming a whole directory (or none), and its unneeded
     * directories deleted.
     */
    private Pointer repairVersion(Path modelDir, String version, Found found) throws IOException {
        Pointer pointer = null;
        // The pointer as read, when it parsed: its retired directories stay protected.
        Pointer read = null;
        if (found.pointerFile != null) {
            if (!Files.isRegularFile(found.pointerFile)) {
                setAside(found.pointerFile, "it is not a file, so not a version's pointer");
            } else {
                try {
                    read = readPointer(found.pointerFile, version);
                    pointer = read;
                    if (!complete(modelDir.resolve(pointer.directory()))) {
                        log.accept(
                                found.pointerFile
                                        + " names "
                                        + pointer.directory()
                                        + ", which is not a whole version directory");
                        pointer = null;
                    }
                } catch (IOException e) {
                    log.accept("repairing " + e.getMessage());
                }
            }
            if (pointer == null) {
                // The pointer is beyond use: the newest whole directory of the version takes its
                // place.
                Path newest =
                        found.directories.stream()
                                .filter(ModelRegistry::complete)
                                .max(Comparator.comparing(p -> p.getFileName().toString()))
                                .orElse(found.legacy);
                if (newest == null) {
                    log.accept(
                            "removing "
                                    + found.pointerFile
                                    + ": no directory of version "
                                    + version
                                    + " is left");
                    if (Files.isRegularFile(found.pointerFile)) {
                        Files.deleteIfExists(found.pointerFile);
                    }
                    return null;
                }
                String newestName = newest.getFileName().toString();
                pointer =
                        new Pointer(
                                version,
                                newestName,
                                clock.instant(),
                                read == null
                                        ? List.of()
                                        : read.retired().stream()
                                                .filter(r -> !r.directory().equals(newestName))
                                                .toList());
                log.accept(
                        "pointing "
                                + modelDir.resolve(version + POINTER_SUFFIX)
                                + " at "
                                + newest.getFileName()
                                + ", the newest whole directory of version "
                                + version);
                writePointer(modelDir, pointer, "deploy:repair-pointer");
            }
        } else if (found.legacy != null) {
            pointer = new Pointer(version, version, legacyTime(found.legacy), List.of());
            log.accept(
                    "giving "
                            + found.legacy
                            + " (a version of the registry's old layout) a pointer");
            writePointer(modelDir, pointer, "deploy:repair-pointer");
        }

        Map<String, Instant> retired = new LinkedHashMap<>();
        if (pointer != null) {
            pointer.retired().forEach(r -> retired.put(r.directory(), r.retireTime()));
        }
        for (Path dir : found.directories) {
            String name = dir.getFileName().toString();
            if (pointer != null && name.equals(pointer.directory())) {
                continue;
            }
            Instant retireTime = retired.get(name);
            if (retireTime == null) {
                log.accept(
                        "removing "
                                + dir
                                + unnamed(
                                        dir,
                                        version,
                                        pointer,
                                        pointer == read,
                                        found.pointerFile != null));
                deleteTree(dir, true);
            } else if (!retireTime.plus(grace).isAfter(clock.instant())) {
                deleteTree(dir, true);
            }
        }
        if (found.legacy != null
                && pointer != null
                && !found.legacy.getFileName().toString().equals(pointer.directory())) {
            Instant retireTime = retired.get(found.legacy.getFileName().toString());
            if (retireTime == null) {
                log.accept(
                        "skipping "
                                + found.legacy
                                + ": a version directory of the old layout its pointer does not name");
            } else if (!retireTime.plus(grace).isAfter(clock.instant())) {
                deleteTree(found.legacy, true);
            }
        }
        return pointer;
    }

    /**
     * What is known of a version directory its pointer neither names nor lists as retired, for the
     * note that removes it.
     *
     * @param intact whether the pointer is the one read from its file, unchanged
     * @param hadPointer whether the version had a pointer file at all
     */
    private static String unnamed(
            Path dir, String version, Pointer pointer, boolean intact, boolean hadPointer) {
        if (!hadPointer && pointer == null) {
            // A deploy writes the pointer after the rename and never removes one while a
            // directory of its version is left.
            return ", which an interrupted deploy never published (there is no "
                    + version
                    + POINTER_SUFFIX
                    + ")";
        }
        if (pointer != null && intact) {
            // A deploy renames its directory into place before it writes the pointer, and every
            // deploy first removes what an interrupted one left: a directory made after the
            // pointer was written is one an interrupted deploy never published.
            Matcher m = VERSION_DIR.matcher(dir.getFileName().toString());
            try {
                if (m.matches()
                        && STAMP.parse(m.group(2), Instant::from).isAfter(pointer.deployTime())) {
                    return ", which an interrupted deploy never published";
                }
            } catch (DateTimeParseException e) {
                // no time known: said below
            }
        }
        return ": a directory of version "
                + version
                + " that "
                + (pointer == null
                        ? "no pointer names"
                        : version + POINTER_SUFFIX + " neither names")
                + " nor keeps as a replaced version"
                + (pointer != null && !intact ? " (the pointer was rewritten above)" : "");
    }

    private static Instant legacyTime(Path dir) {
        try {
            return Instant.parse(readJson(dir.resolve(VERSION_FILE)).path("createTime").asText());
        } catch (IOException | DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** Leaves {@code current.json} absent or naming a published version. */
    private void repairCurrent(Path modelDir, Path currentFile, Map<String, Pointer> published)
            throws IOException {
        if (currentFile == null) {
            return;
        }
        if (!Files.isRegularFile(currentFile)) {
            setAside(currentFile, "it is not a file, so not the current version's pointer");
        } else {
            try {
                String version = readCurrent(currentFile);
                if (published.containsKey(version)) {
                    return;
                }
                log.accept(currentFile + " names version " + version + ", which is not deployed");
            } catch (IOException e) {
                log.accept("repairing " + e.getMessage());
            }
        }
        Pointer newest =
                published.values().stream()
                        .max(Comparator.comparing(Pointer::deployTime))
                        .orElse(null);
        if (newest == null) {
            log.accept("removing " + currentFile + ": the model has no version");
            if (Files.isRegularFile(currentFile)) {
                Files.deleteIfExists(currentFile);
            }
            return;
        }
        log.accept(
                "pointing "
                        + currentFile
                        + " at "
                        + newest.version()
                        + ", the version deployed last");
        makeCurrent(modelDir, newest.version(), "deploy:repair-current");
    }

    /** Moves an odd entry out of the way of the registry's own, keeping it. */
    private void setAside(Path entry, String why) throws IOException {
        Path aside =
                entry.resolveSibling(SET_ASIDE + entry.getFileName() + "." + UUID.randomUUID());
        log.accept("moving " + entry + " aside to " + aside.getFileName() + ": " + why);
        try {
            move(entry, aside);
        } catch (NoSuchFileException e) {
            return; // another deployer moved it first
        }
        CrashPoints.reached("deploy:repair-set-aside");
    }

    // ---- files --------------------------------------------------------------------------------

    private static List<Path> list(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return entries;
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Forces a directory's entries to the disk, where the system allows it. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every system opens directories: the renames are still atomic
        }
    }

    private static void deleteTree(Path dir, boolean crashPoint) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    private boolean first = true;

                    private void deleted() {
                        if (crashPoint && first) {
                            first = false;
                            CrashPoints.reached("deploy:repair-deleting");
                        }
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.delete(file);
                        deleted();
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e)
                            throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Files.delete(d);
                        deleted();
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    // ---- the lock -----------------------------------------------------------------------------

    /** A model's lock: the in-process lock, then the OS lock on {@code .lock}. */
    private static final class ModelLock implements AutoCloseable {
        private final ReentrantLock local;
        private final FileChannel channel;

        private ModelLock(ReentrantLock local, FileChannel channel) {
            this.local = local;
            this.channel = channel;
        }

        static ModelLock take(Path modelDir, Consumer<String> log) throws IOException {
            Path file = modelDir.resolve(LOCK_FILE);
            ReentrantLock local =
                    IN_PROCESS.computeIfAbsent(modelDir.toRealPath(), k -> new ReentrantLock());
            if (!local.tryLock()) {
                log.accept(
                        "waiting for another deploy of "
                                + modelDir.getFileName()
                                + " (in this process)");
                try {
                    local.lockInterruptibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(
                            "interrupted while waiting for the lock of " + modelDir, e);
                }
            }
            FileChannel channel = null;
            try {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    Path aside =
                            file.resolveSibling(SET_ASIDE + LOCK_FILE + "." + UUID.randomUUID());
                    log.accept(
                            "moving "
                                    + file
                                    + " aside to "
                                    + aside.getFileName()
                                    + ": it is not a file, so not a lock");
                    try {
                        move(file, aside);
                    } catch (NoSuchFileException e) {
                        // another deployer moved it first
                    }
                }
                channel =
                        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                if (channel.tryLock() == null) {
                    log.accept("waiting for the deploy that holds " + file);
                    channel.lock();
                }
                return new ModelLock(local, channel);
            } catch (IOException | RuntimeException e) {
                if (channel != null) {
                    channel.close();
                }
                local.unlock();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close(); // releases the OS lock
            } finally {
                local.unlock();
            }
        }
    }
}
