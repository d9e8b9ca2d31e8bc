package dev.kfptribuo.localrun.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.AtomicFiles;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A local model registry: a directory holding {@code <model_id>/<version_id>/}, each version the
 * model files of a final training's job dir ({@code model.tribuo}, {@code model.onnx}, {@code manifest.json}) plus
 * {@code version.json} (where it came from, when, its checksum and evaluation).
 *
 * <p>{@link #deploy} follows AI Platform's deploy component (KFP {@code ml_engine/deploy},
 * {@code create_version}): ids are normalised as the component normalises them (characters other
 * than letters, digits and {@code _} become {@code _}; a name not starting with a letter gets the
 * prefix {@code x_}); the model is created when missing; an existing version holding the same model
 * (same SHA-256) is kept as it is; another existing version is replaced only with
 * {@code replace_existing_version}, and otherwise the deploy fails with the component's message.
 *
 * <p>A version never appears half-written. The files are copied and checked into a hidden
 * {@code .incoming-*} directory beside the versions, then renamed to {@code <version_id>} in one
 * step. Replacing renames the old version to a hidden {@code .replaced-*} directory first and
 * deletes it after the swap. Every deploy begins by repairing what an interrupted one left: an
 * {@code .incoming-*} directory is deleted; a {@code .replaced-*} one is deleted if its version is
 * in place, else renamed back (the interrupted deploy never published its model). So after a
 * crash a version is the old one or the new one, whole, and rerunning the same command finishes
 * the job.
 */
public final class ModelRegistry {
    /** The file describing a version. */
    public static final String VERSION_FILE = "version.json";
    private static final String INCOMING = ".incoming-";
    private static final String REPLACED = ".replaced-";

    /** What a deploy did. */
    public enum Action {
        /** The version did not exist and now holds the model. */
        CREATED,
        /** The version held another model, which was replaced. */
        REPLACED,
        /** The version already held this model: nothing changed. */
        UNCHANGED
    }

    /**
     * @param action what happened
     * @param modelId the normalised model id
     * @param versionId the normalised version id
     * @param versionDir the version's directory
     */
    public record Outcome(Action action, String modelId, String versionId, Path versionDir) {}

    private final Path root;
    private final Consumer<String> log;

    /**
     * @param root the registry directory (created on first deploy)
     * @param log where notes go (repairs, normalised names)
     */
    public ModelRegistry(Path root, Consumer<String> log) {
        this.root = root.toAbsolutePath();
        this.log = log;
    }

    /**
     * KFP's {@code gcp_common.normalize_name}: a valid AI Platform model or version name.
     *
     * @param name a name
     * @return it with every character but letters, digits and {@code _} replaced by {@code _},
     *     prefixed with {@code x_} if it does not start with a letter
     */
    public static String normalize(String name) {
        String normalized = name.replaceAll("[^0-9a-zA-Z_]", "_");
        return normalized.matches("[a-zA-Z].*") ? normalized : "x_" + normalized;
    }

    /**
     * Publishes a job dir's model as {@code model_id/version_id}.
     *
     * @param jobDir the final training's job dir
     * @param modelId the model's id
     * @param versionId the version's id
     * @param replaceExisting {@code replace_existing_version}
     * @param details more fields for {@code version.json} (the run, the evaluation)
     * @return what was done
     * @throws IOException if the files cannot be read, checked or written
     * @throws IllegalStateException if another model holds the version and replacing is off
     */
    public Outcome deploy(Path jobDir, String modelId, String versionId, boolean replaceExisting, ObjectNode details)
            throws IOException {
        String model = normalize(modelId);
        String version = normalize(versionId);
        if (!model.equals(modelId) || !version.equals(versionId)) {
            log.accept("ids normalised as AI Platform's deploy component does: " + modelId + "/" + versionId
                    + " -> " + model + "/" + version);
        }
        Path modelDir = root.resolve(model);
        Files.createDirectories(modelDir);
        repair(modelDir);

        // The model files are copied as they are and checked against the manifest's digests below.
        Manifest manifest = ModelBundle.readManifest(Location.parse(jobDir.toString()));
        String sha = manifest.model().sha256();
        Map<String, String> files = new LinkedHashMap<>();
        files.put(manifest.model().file(), sha);
        files.put(manifest.onnx().file(), manifest.onnx().sha256());

        Path versionDir = modelDir.resolve(version);
        boolean exists = Files.isDirectory(versionDir);
        if (exists) {
            String existing = readSha(versionDir);
            if (sha.equals(existing)) {
                return new Outcome(Action.UNCHANGED, model, version, versionDir);
            }
            if (!replaceExisting) {
                throw new IllegalStateException("Existing version conflicts with the name of the new version: "
                        + versionDir + " holds another model (model_sha256 " + existing + "); set replace_existing_version"
                        + " to replace it, or choose another version id");
            }
        }

        Path incoming = modelDir.resolve(INCOMING + version + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(incoming);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path copy = incoming.resolve(file.getKey());
                Files.copy(jobDir.resolve(file.getKey()), copy);
                if (!file.getValue().equals(ModelBundle.sha256(Files.readAllBytes(copy)))) {
                    throw new IOException(jobDir.resolve(file.getKey()) + ": SHA-256 does not match "
                            + ModelBundle.MANIFEST_FILE);
                }
            }
            Files.copy(jobDir.resolve(ModelBundle.MANIFEST_FILE), incoming.resolve(ModelBundle.MANIFEST_FILE));
            ObjectNode info = AtomicFiles.JSON.createObjectNode();
            info.put("name", "models/" + model + "/versions/" + version);
            info.put("deploymentUri", jobDir.toAbsolutePath().toString());
            info.put("createTime", Instant.now().toString());
            info.put("model_sha256", sha);
            info.put("framework", "TRIBUO");
            info.setAll(details);
            AtomicFiles.writeJson(incoming.resolve(VERSION_FILE), info);

            if (exists) {
                Path replaced = modelDir.resolve(REPLACED + version + "-" + UUID.randomUUID());
                Files.move(versionDir, replaced, StandardCopyOption.ATOMIC_MOVE);
                Files.move(incoming, versionDir, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(replaced);
                return new Outcome(Action.REPLACED, model, version, versionDir);
            }
            Files.move(incoming, versionDir, StandardCopyOption.ATOMIC_MOVE);
            return new Outcome(Action.CREATED, model, version, versionDir);
        } finally {
            if (Files.exists(incoming)) {
                deleteTree(incoming);
            }
        }
    }

    private static String readSha(Path versionDir) {
        try {
            return AtomicFiles.JSON.readTree(versionDir.resolve(VERSION_FILE).toFile()).path("model_sha256").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Finishes or undoes what an interrupted deploy left in a model's directory. */
    private void repair(Path modelDir) throws IOException {
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(modelDir, ".*")) {
            entries.forEach(leftovers::add);
        }
        for (Path path : leftovers) {
            String name = path.getFileName().toString();
            if (name.startsWith(INCOMING)) {
                log.accept("removing " + path + ", left by an interrupted deploy");
                deleteTree(path);
            }
        }
        for (Path path : leftovers) {
            String name = path.getFileName().toString();
            if (!name.startsWith(REPLACED)) {
                continue;
            }
            String version = name.substring(REPLACED.length(), name.length() - 37); // "-" + UUID
            Path versionDir = modelDir.resolve(version);
            if (Files.isDirectory(versionDir)) {
                log.accept("removing " + path + ", the version an interrupted deploy replaced");
                deleteTree(path);
            } else {
                log.accept("restoring " + versionDir + ", which an interrupted deploy had moved aside");
                Files.move(path, versionDir, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
