package dev.kfptribuo.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.io.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a local model registry, the one {@code bin/continuous-training} deploys to (local-run's
 * {@code ModelRegistry}, which writes it): which directory holds the version of a model deployed
 * last ({@link #current}), or a given version ({@link #version}). It takes no lock and writes
 * nothing, so a server ({@code serve --registry}) can read while a deploy runs.
 *
 * <p>It lives here, beside the model files it points to, so that the writer (local-run) and the
 * server (serving-image) read one layout with one piece of code; nothing depends on local-run.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * &lt;registry&gt;/&lt;model_id&gt;/
 *   current.json                        {"version": "v01"}: the version deployed last
 *   v01.version                         v01's pointer: {"version": "v01", "directory": "v01.&lt;time&gt;.&lt;8 hex&gt;",
 *                                         "deployTime": ..., "retired": [{"directory", "retireTime"}]}
 *   v01.20261130T141526123Z.1a2b3c4d/   a version directory, written once and never changed:
 *     manifest.json, model-.../model.tribuo, model-.../model.onnx, version.json
 *   v00/                                a version of the old layout (no pointer): read as it is
 * </pre>
 *
 * A deploy renames a whole version directory into place before it writes the version's pointer, and
 * the pointer before {@code current.json}, each by one atomic rename; so a reader following the
 * pointers sees one whole version, the old one or the new one. Ids are letters, digits and {@code
 * _} starting with a letter ({@link #normalize}).
 */
public final class ModelRegistryReader {
    /**
     * The file describing a version, inside its directory; its presence marks the directory whole.
     */
    public static final String VERSION_FILE = "version.json";

    /** A model's pointer to the version deployed last. */
    public static final String CURRENT_FILE = "current.json";

    /** The suffix of a version's pointer file: {@code <version_id>.version}. */
    public static final String POINTER_SUFFIX = ".version";

    /** A model or version id, as {@link #normalize} leaves it. */
    public static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    /** A version directory's name: {@code <version_id>.<UTC time>.<8 hex digits>}. */
    public static final Pattern VERSION_DIR =
            Pattern.compile("([A-Za-z][A-Za-z0-9_]*)\\.(\\d{8}T\\d{9}Z)\\.([0-9a-f]{8})");

    private static final int MAX_POINTER_BYTES = 1 << 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A deployed version, as a reader finds it.
     *
     * @param modelId the normalised model id
     * @param versionId the normalised version id
     * @param directory its directory: {@code manifest.json}, the files it names and {@value
     *     #VERSION_FILE}, never changed while it is published, and kept a while after it is
     *     replaced
     */
    public record Version(String modelId, String versionId, Path directory) {}

    /** A replaced version directory, kept until {@code retireTime} plus the registry's grace. */
    public record Retired(String directory, Instant retireTime) {}

    /**
     * A version's pointer file.
     *
     * @param version the version id
     * @param directory the name of the version directory it names, in the model's directory
     * @param deployTime when the pointer was written
     * @param retired the version's replaced directories still kept for readers
     */
    public record Pointer(
            String version, String directory, Instant deployTime, List<Retired> retired) {}

    /** The model or the version asked for is not deployed. */
    public static final class NotDeployedException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what is not deployed, and where
         */
        public NotDeployedException(String message) {
            super(message);
        }
    }

    private final Path root;

    /**
     * @param root the registry directory
     */
    public ModelRegistryReader(Path root) {
        this.root = root.toAbsolutePath();
    }

    /**
     * @return the registry directory, absolute
     */
    public Path root() {
        return root;
    }

    /**
     * KFP's {@code gcp_common.normalize_name}, as AI Platform's deploy component normalises ids.
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
     * The version of a model deployed last: {@code current.json}'s version through its pointer;
     * when a model has versions but no {@code current.json} yet (a first deploy stopped between the
     * two pointers, or the old layout), the newest version. The directory is whole: read it with
     * {@code ModelBundle.load}.
     *
     * @param modelId the model's id (normalised as deploys normalise it)
     * @return the version and its directory
     * @throws NotDeployedException if no version of the model is deployed
     * @throws IOException naming the file if {@code current.json} or a pointer cannot be read or
     *     names nothing, or {@code current.json} names a version that is not deployed (the next
     *     deploy of the model repairs it)
     */
    public Version current(String modelId) throws IOException {
        String model = normalize(modelId);
        Path modelDir = root.resolve(model);
        Path currentFile = modelDir.resolve(CURRENT_FILE);
        if (Files.exists(currentFile)) {
            String version = readCurrent(currentFile);
            try {
                return version(model, version);
            } catch (NotDeployedException e) {
                // current.json is there, so a version was deployed: one it names and that is not
                // there is a broken registry, not a model with nothing deployed.
                throw new IOException(
                        currentFile
                                + ": names version "
                                + version
                                + ", which is not deployed (no "
                                + version
                                + POINTER_SUFFIX
                                + " in "
                                + modelDir
                                + "; the next deploy of "
                                + model
                                + " repairs it)",
                        e);
            }
        }
        Version newest = null;
        Instant newestTime = null;
        for (String version : versionIds(modelDir)) {
            Version found;
            try {
                found = version(model, version);
            } catch (IOException e) {
                continue;
            }
            Instant time = deployTime(modelDir, found);
            if (newest == null || time.isAfter(newestTime)) {
                newest = found;
                newestTime = time;
            }
        }
        if (newest == null) {
            throw new NotDeployedException(
                    "no version of model " + model + " is deployed in " + root);
        }
        return newest;
    }

    /**
     * A given version of a model: the directory its pointer names (or, in the old layout, {@code
     * <model_id>/<version_id>/}).
     *
     * @param modelId the model's id (normalised as deploys normalise it)
     * @param versionId the version's id (normalised likewise)
     * @return the version and its directory, whole
     * @throws NotDeployedException if that version is not deployed
     * @throws IOException naming the pointer if it cannot be read or names no version directory
     */
    public Version version(String modelId, String versionId) throws IOException {
        String model = normalize(modelId);
        String version = normalize(versionId);
        Path modelDir = root.resolve(model);
        Path pointerFile = modelDir.resolve(version + POINTER_SUFFIX);
        if (Files.exists(pointerFile)) {
            Pointer pointer = readPointer(pointerFile, version);
            Path dir = modelDir.resolve(pointer.directory());
            if (!complete(dir)) {
                throw new IOException(
                        pointerFile
                                + ": names "
                                + pointer.directory()
                                + ", which is not a whole version directory (the next deploy of "
                                + model
                                + " repairs it)");
            }
            return new Version(model, version, dir);
        }
        Path legacy = modelDir.resolve(version);
        if (complete(legacy)) {
            return new Version(model, version, legacy);
        }
        throw new NotDeployedException(
                "version " + version + " of model " + model + " is not deployed in " + root);
    }

    /** The ids with a pointer or an old-layout directory. */
    private static List<String> versionIds(Path modelDir) throws IOException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(modelDir)) {
            return ids;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(modelDir)) {
            stream.forEach(entries::add);
        }
        entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (name.endsWith(POINTER_SUFFIX)
                    && ID.matcher(name.substring(0, name.length() - POINTER_SUFFIX.length()))
                            .matches()) {
                ids.add(name.substring(0, name.length() - POINTER_SUFFIX.length()));
            } else if (ID.matcher(name).matches() && !ids.contains(name)) {
                ids.add(name);
            }
        }
        return ids;
    }

    private static Instant deployTime(Path modelDir, Version version) {
        Path pointerFile = modelDir.resolve(version.versionId() + POINTER_SUFFIX);
        try {
            if (Files.exists(pointerFile)) {
                return readPointer(pointerFile, version.versionId()).deployTime();
            }
            return Instant.parse(
                    readJson(version.directory().resolve(VERSION_FILE))
                            .path("createTime")
                            .asText());
        } catch (IOException | DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    // ---- the files, for the writer too ---------------------------------------------------------

    /**
     * @param file a small JSON file of the registry (a pointer, {@code current.json}, {@value
     *     #VERSION_FILE})
     * @return its object
     * @throws IOException naming the file if it is over 64 KiB, not JSON or not an object
     */
    public static JsonNode readJson(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_POINTER_BYTES + 1);
        }
        if (bytes.length > MAX_POINTER_BYTES) {
            throw new IOException(file + ": larger than " + MAX_POINTER_BYTES + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new IOException(file + ": not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    /**
     * @param currentFile a model's {@value #CURRENT_FILE}
     * @return the version id it names
     * @throws IOException naming the file if it is not a file or names no id
     */
    public static String readCurrent(Path currentFile) throws IOException {
        if (!Files.isRegularFile(currentFile)) {
            throw new IOException(
                    currentFile + ": not a file, so not the current version's pointer");
        }
        String version = readJson(currentFile).path("version").asText("");
        if (!ID.matcher(version).matches()) {
            throw new IOException(currentFile + ": names no version id ('" + version + "')");
        }
        return version;
    }

    /**
     * @param file a version's pointer file
     * @param version the version id its name gives
     * @return the pointer
     * @throws IOException naming the file if it is not a pointer of that version
     */
    public static Pointer readPointer(Path file, String version) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not a file, so not a version's pointer");
        }
        JsonNode node = readJson(file);
        String directory = node.path("directory").asText("");
        if (!version.equals(node.path("version").asText()) || !names(directory, version)) {
            throw new IOException(
                    file
                            + ": not a pointer of version "
                            + version
                            + " (version '"
                            + node.path("version").asText()
                            + "', directory '"
                            + directory
                            + "')");
        }
        Instant deployTime;
        try {
            deployTime = Instant.parse(node.path("deployTime").asText());
        } catch (DateTimeParseException e) {
            throw new IOException(
                    file + ": deployTime '" + node.path("deployTime").asText() + "' is not a time",
                    e);
        }
        List<Retired> retired = new ArrayList<>();
        for (JsonNode r : node.path("retired")) {
            try {
                String dir = r.path("directory").asText("");
                if (names(dir, version)) {
                    retired.add(new Retired(dir, Instant.parse(r.path("retireTime").asText())));
                }
            } catch (DateTimeParseException e) {
                // an entry without a time is not kept: its directory is no longer protected
            }
        }
        return new Pointer(version, directory, deployTime, List.copyOf(retired));
    }

    /**
     * @param directory a directory name
     * @param version a version id
     * @return whether the name is one of the version's directories (fresh layout, or the old one's)
     */
    public static boolean names(String directory, String version) {
        if (directory.equals(version)) {
            return true;
        }
        Matcher m = VERSION_DIR.matcher(directory);
        return m.matches() && m.group(1).equals(version);
    }

    /**
     * @param dir a directory
     * @return whether it is a whole version: created by a rename after its {@value #VERSION_FILE}
     *     was written
     */
    public static boolean complete(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(VERSION_FILE));
    }
}
