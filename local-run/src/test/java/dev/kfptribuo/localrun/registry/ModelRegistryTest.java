package dev.kfptribuo.localrun.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<String> notes = new ArrayList<>();

    /** A job dir with model files and a manifest naming their checksums. */
    private Path jobDir(String name, String modelText) throws IOException {
        Path jobDir = dir.resolve(name);
        Files.createDirectories(jobDir);
        byte[] model = modelText.getBytes(StandardCharsets.UTF_8);
        byte[] onnx = ("onnx of " + modelText).getBytes(StandardCharsets.UTF_8);
        Files.write(jobDir.resolve(ModelBundle.MODEL_FILE), model);
        Files.write(jobDir.resolve(ModelBundle.ONNX_FILE), onnx);
        ObjectNode manifest = JSON.createObjectNode().put("format_version", ModelBundle.FORMAT_VERSION)
                .put("tribuo_version", org.tribuo.Tribuo.VERSION);
        manifest.putObject("model").put("file", ModelBundle.MODEL_FILE).put("sha256", ModelBundle.sha256(model));
        manifest.putObject("onnx").put("file", ModelBundle.ONNX_FILE).put("sha256", ModelBundle.sha256(onnx));
        Files.writeString(jobDir.resolve(ModelBundle.MANIFEST_FILE), manifest.toString());
        return jobDir;
    }

    private ModelRegistry registry() {
        return new ModelRegistry(dir.resolve("registry"), notes::add);
    }

    private static ObjectNode details() {
        return JSON.createObjectNode().put("run_id", "r1");
    }

    @Test
    void createKeepReplaceOrRefuse() throws IOException {
        Path first = jobDir("a", "model A");
        Path second = jobDir("b", "model B");
        ModelRegistry.Outcome created = registry().deploy(first, "covertype_classifier", "v01", false, details());
        assertEquals(ModelRegistry.Action.CREATED, created.action());
        Path version = dir.resolve("registry/covertype_classifier/v01");
        assertEquals(version, created.versionDir());
        assertEquals("model A", Files.readString(version.resolve(ModelBundle.MODEL_FILE)));
        assertTrue(Files.isRegularFile(version.resolve(ModelBundle.MANIFEST_FILE)));
        assertEquals("r1", JSON.readTree(version.resolve(ModelRegistry.VERSION_FILE).toFile()).get("run_id").asText());
        assertEquals(first.toString(), JSON.readTree(version.resolve(ModelRegistry.VERSION_FILE).toFile()).get("deploymentUri").asText());

        assertEquals(ModelRegistry.Action.UNCHANGED, registry().deploy(first, "covertype_classifier", "v01", false, details()).action());

        IllegalStateException conflict = assertThrows(IllegalStateException.class,
                () -> registry().deploy(second, "covertype_classifier", "v01", false, details()));
        assertTrue(conflict.getMessage().startsWith("Existing version conflicts with the name of the new version"));
        assertEquals("model A", Files.readString(version.resolve(ModelBundle.MODEL_FILE)));

        assertEquals(ModelRegistry.Action.REPLACED, registry().deploy(second, "covertype_classifier", "v01", true, details()).action());
        assertEquals("model B", Files.readString(version.resolve(ModelBundle.MODEL_FILE)));
        try (var entries = Files.list(version.getParent())) {
            assertEquals(List.of("v01"), entries.map(p -> p.getFileName().toString()).toList(), "no leftovers");
        }
    }

    @Test
    void idsAreNormalisedAsTheDeployComponentDoes() throws IOException {
        assertEquals("v0_3", ModelRegistry.normalize("v0.3"));
        assertEquals("x_1st", ModelRegistry.normalize("1st"));
        ModelRegistry.Outcome outcome = registry().deploy(jobDir("a", "m"), "cover-type", "v0.3", true, details());
        assertEquals("cover_type", outcome.modelId());
        assertEquals("v0_3", outcome.versionId());
        assertEquals(1, notes.size());
    }

    @Test
    void aModelWhoseManifestDoesNotMatchIsRefused() throws IOException {
        Path jobDir = jobDir("a", "model A");
        Files.writeString(jobDir.resolve(ModelBundle.MODEL_FILE), "tampered");
        assertThrows(IOException.class, () -> registry().deploy(jobDir, "m", "v1", true, details()));
        assertFalse(Files.exists(dir.resolve("registry/m/v1")));
        Path onnx = jobDir("b", "model B");
        Files.writeString(onnx.resolve(ModelBundle.ONNX_FILE), "tampered");
        IOException e = assertThrows(IOException.class, () -> registry().deploy(onnx, "m", "v1", true, details()));
        assertTrue(e.getMessage().contains("model.onnx: SHA-256 does not match"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("registry/m/v1")));
    }

    @Test
    void interruptedDeploysAreRepairedByTheNextOne() throws IOException {
        Path first = jobDir("a", "model A");
        Path second = jobDir("b", "model B");
        registry().deploy(first, "m", "v1", true, details());
        Path modelDir = dir.resolve("registry/m");
        // Crash 1: files copied into .incoming, never renamed.
        Files.createDirectories(modelDir.resolve(".incoming-v1-00000000-0000-0000-0000-000000000000"));
        Files.writeString(modelDir.resolve(".incoming-v1-00000000-0000-0000-0000-000000000000/model.tribuo"), "half");
        // Crash 2: the old version moved aside, the new one not yet in place.
        Files.move(modelDir.resolve("v1"), modelDir.resolve(".replaced-v1-11111111-1111-1111-1111-111111111111"));
        assertFalse(Files.exists(modelDir.resolve("v1")));

        // The same command again: the old version is restored, then replaced whole.
        assertEquals(ModelRegistry.Action.REPLACED, registry().deploy(second, "m", "v1", true, details()).action());
        assertEquals("model B", Files.readString(modelDir.resolve("v1/model.tribuo")));
        try (var entries = Files.list(modelDir)) {
            assertEquals(List.of("v1"), entries.map(p -> p.getFileName().toString()).toList());
        }
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("restoring")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("removing")), notes.toString());

        // Crash 3: swapped, the replaced copy not yet deleted: it is deleted.
        Files.createDirectories(modelDir.resolve(".replaced-v1-22222222-2222-2222-2222-222222222222"));
        assertEquals(ModelRegistry.Action.UNCHANGED, registry().deploy(second, "m", "v1", true, details()).action());
        try (var entries = Files.list(modelDir)) {
            assertEquals(List.of("v1"), entries.map(p -> p.getFileName().toString()).toList());
        }
    }
}
