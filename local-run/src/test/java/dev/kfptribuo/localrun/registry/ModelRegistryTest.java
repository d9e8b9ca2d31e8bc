package dev.kfptribuo.localrun.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUNDLE = FakeJobDirs.BUNDLE;

    @TempDir Path dir;

    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private Path jobDir(String name, String modelText) throws IOException {
        return FakeJobDirs.write(dir, name, modelText);
    }

    private ModelRegistry registry() {
        return new ModelRegistry(dir.resolve("registry"), notes::add);
    }

    private static ObjectNode details() {
        return JSON.createObjectNode().put("run_id", "r1");
    }

    private static String model(ModelRegistryReader.Version version) throws IOException {
        return Files.readString(
                version.directory().resolve(BUNDLE).resolve(ModelBundle.MODEL_FILE));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void createKeepReplaceOrRefuse() throws IOException {
        Path first = jobDir("a", "model A");
        Path second = jobDir("b", "model B");
        ModelRegistry.Outcome created =
                registry().deploy(first, "covertype_classifier", "v01", false, details());
        assertEquals(ModelRegistry.Action.CREATED, created.action());
        Path modelDir = dir.resolve("registry/covertype_classifier");
        assertEquals(modelDir, created.versionDir().getParent());
        assertTrue(
                created.versionDir()
                        .getFileName()
                        .toString()
                        .matches("v01\\.\\d{8}T\\d{9}Z\\.[0-9a-f]{8}"),
                created.versionDir().toString());
        ModelRegistryReader.Version version = registry().version("covertype_classifier", "v01");
        assertEquals(created.versionDir(), version.directory());
        assertEquals(version, registry().current("covertype_classifier"));
        assertEquals("model A", model(version));
        assertEquals(
                Files.readString(first.resolve(ModelBundle.MANIFEST_FILE)),
                Files.readString(version.directory().resolve(ModelBundle.MANIFEST_FILE)),
                "the manifest as it is");
        assertEquals(
                "r1",
                JSON.readTree(version.directory().resolve(ModelRegistry.VERSION_FILE).toFile())
                        .get("run_id")
                        .asText());
        assertEquals(
                first.toString(),
                JSON.readTree(version.directory().resolve(ModelRegistry.VERSION_FILE).toFile())
                        .get("deploymentUri")
                        .asText());

        ModelRegistry.Outcome unchanged =
                registry().deploy(first, "covertype_classifier", "v01", false, details());
        assertEquals(ModelRegistry.Action.UNCHANGED, unchanged.action());
        assertEquals(created.versionDir(), unchanged.versionDir());

        IllegalStateException conflict =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                registry()
                                        .deploy(
                                                second,
                                                "covertype_classifier",
                                                "v01",
                                                false,
                                                details()));
        assertTrue(
                conflict.getMessage()
                        .startsWith("Existing version conflicts with the name of the new version"));
        assertEquals("model A", model(registry().version("covertype_classifier", "v01")));

        ModelRegistry.Outcome replaced =
                registry().deploy(second, "covertype_classifier", "v01", true, details());
        assertEquals(ModelRegistry.Action.REPLACED, replaced.action());
        assertNotEquals(created.versionDir(), replaced.versionDir(), "a fresh directory");
        assertEquals("model B", model(registry().version("covertype_classifier", "v01")));
        assertEquals(
                "model A",
                Files.readString(
                        created.versionDir().resolve(BUNDLE).resolve(ModelBundle.MODEL_FILE)),
                "the replaced directory is kept, whole, for readers that resolved it before the switch");
        assertEquals(
                List.of(
                        ".lock",
                        "current.json",
                        created.versionDir().getFileName().toString(),
                        replaced.versionDir().getFileName().toString(),
                        "v01.version"),
                names(modelDir),
                "no leftovers");
    }

    @Test
    void idsAreNormalisedAsTheDeployComponentDoes() throws IOException {
        assertEquals("v0_3", ModelRegistry.normalize("v0.3"));
        assertEquals("x_1st", ModelRegistry.normalize("1st"));
        ModelRegistry.Outcome outcome =
                registry().deploy(jobDir("a", "m"), "cover-type", "v0.3", true, details());
        assertEquals("cover_type", outcome.modelId());
        assertEquals("v0_3", outcome.versionId());
        assertEquals(1, notes.size());
        assertEquals(
                outcome.versionDir(),
                registry().version("cover-type", "v0.3").directory(),
                "readers normalise too");
    }

    @Test
    void aModelWhoseManifestDoesNotMatchIsRefused() throws IOException {
        Path jobDir = jobDir("a", "model A");
        Files.writeString(jobDir.resolve(BUNDLE).resolve(ModelBundle.MODEL_FILE), "tampered");
        assertThrows(
                IOException.class, () -> registry().deploy(jobDir, "m", "v1", true, details()));
        assertThrows(
                ModelRegistryReader.NotDeployedException.class,
                () -> registry().version("m", "v1"));
        assertThrows(ModelRegistryReader.NotDeployedException.class, () -> registry().current("m"));
        Path onnx = jobDir("b", "model B");
        Files.writeString(onnx.resolve(BUNDLE).resolve(ModelBundle.ONNX_FILE), "tampered");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> registry().deploy(onnx, "m", "v1", true, details()));
        assertTrue(e.getMessage().contains("model.onnx: SHA-256 does not match"), e.getMessage());
        assertEquals(
                List.of(".lock"),
                names(dir.resolve("registry/m")),
                "the staging directory is removed");
        // A manifest naming a file outside the job dir.
        Path escape = jobDir("c", "model C");
        Files.writeString(
                escape.resolve(ModelBundle.MANIFEST_FILE),
                Files.readString(escape.resolve(ModelBundle.MANIFEST_FILE))
                        .replace(
                                BUNDLE + "/" + ModelBundle.ONNX_FILE,
                                "../b/" + BUNDLE + "/" + ModelBundle.ONNX_FILE));
        e =
                assertThrows(
                        IOException.class,
                        () -> registry().deploy(escape, "m", "v1", true, details()));
        assertTrue(e.getMessage().contains("not a file inside the job dir"), e.getMessage());
    }

    @Test
    void currentIsTheVersionDeployedLast() throws IOException {
        Path a = jobDir("a", "model A");
        Path b = jobDir("b", "model B");
        registry().deploy(a, "m", "v01", false, details());
        registry().deploy(b, "m", "v02", false, details());
        assertEquals("v02", registry().current("m").versionId());
        assertEquals("model B", model(registry().current("m")));
        assertEquals(
                ModelRegistry.Action.UNCHANGED,
                registry().deploy(a, "m", "v01", false, details()).action());
        assertEquals(
                "v01",
                registry().current("m").versionId(),
                "an unchanged deploy makes its version current");
        assertEquals("model B", model(registry().version("m", "v02")));
        assertThrows(
                IllegalStateException.class,
                () -> registry().deploy(a, "m", "v02", false, details()));
        assertEquals(
                "v01", registry().current("m").versionId(), "a refused deploy changes nothing");
        ModelRegistryReader.NotDeployedException none =
                assertThrows(
                        ModelRegistryReader.NotDeployedException.class,
                        () -> registry().current("other"));
        assertTrue(
                none.getMessage().startsWith("no version of model other is deployed"),
                none.getMessage());
    }

    @Test
    void replacedDirectoriesAreKeptForTheGraceThenDeleted() throws IOException {
        TestClock clock = new TestClock();
        ModelRegistry registry =
                new ModelRegistry(
                        dir.resolve("registry"), notes::add, Duration.ofMinutes(10), clock);
        Path a = jobDir("a", "model A");
        Path b = jobDir("b", "model B");
        Path first = registry.deploy(a, "m", "v01", true, details()).versionDir();
        clock.now = clock.now.plusSeconds(1);
        Path second = registry.deploy(b, "m", "v01", true, details()).versionDir();
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        registry.deploy(b, "m", "v01", true, details());
        assertTrue(Files.isDirectory(first), "replaced 9 minutes ago: kept");
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        Path third = registry.deploy(a, "m", "v01", true, details()).versionDir();
        assertFalse(Files.exists(first), "replaced 11 minutes ago: deleted");
        assertTrue(Files.isDirectory(second), "replaced just now: kept");
        assertEquals(third, registry.version("m", "v01").directory());
    }

    @Test
    void theOldLayoutIsReadAndGivenAPointer() throws IOException {
        Path a = jobDir("a", "model A");
        // A version as the registry's old layout left it: <model>/<version>/ with the files.
        Path legacy = dir.resolve("registry/m/v01");
        Files.createDirectories(legacy.resolve(BUNDLE));
        Files.copy(a.resolve(ModelBundle.MANIFEST_FILE), legacy.resolve(ModelBundle.MANIFEST_FILE));
        Files.copy(
                a.resolve(BUNDLE).resolve(ModelBundle.MODEL_FILE),
                legacy.resolve(BUNDLE).resolve(ModelBundle.MODEL_FILE));
        Files.copy(
                a.resolve(BUNDLE).resolve(ModelBundle.ONNX_FILE),
                legacy.resolve(BUNDLE).resolve(ModelBundle.ONNX_FILE));
        Files.writeString(
                legacy.resolve(ModelRegistry.VERSION_FILE),
                JSON.createObjectNode()
                        .put(
                                "model_sha256",
                                ModelBundle.sha256("model A".getBytes(StandardCharsets.UTF_8)))
                        .put("createTime", "2026-11-30T14:15:26Z")
                        .toString());
        assertEquals(legacy, registry().version("m", "v01").directory());
        assertEquals(
                legacy, registry().current("m").directory(), "no current.json: the newest version");

        assertEquals(
                ModelRegistry.Action.UNCHANGED,
                registry().deploy(a, "m", "v01", false, details()).action());
        assertTrue(
                notes.stream().anyMatch(n -> n.contains("old layout") && n.contains("pointer")),
                notes.toString());
        assertEquals(legacy, registry().version("m", "v01").directory());
        assertTrue(Files.isRegularFile(dir.resolve("registry/m/v01.version")));
        assertEquals(
                ModelRegistry.Action.REPLACED,
                registry().deploy(jobDir("b", "model B"), "m", "v01", true, details()).action());
        assertEquals("model B", model(registry().current("m")));
        assertTrue(Files.isDirectory(legacy), "retired, kept for the grace");
    }

    @Test
    void whatTheOldLayoutsInterruptedDeploysLeftIsRepaired() throws IOException {
        Path first = jobDir("a", "model A");
        Path modelDir = dir.resolve("registry/m");
        Path legacy = modelDir.resolve("v1");
        Files.createDirectories(legacy);
        Files.writeString(
                legacy.resolve(ModelRegistry.VERSION_FILE), "{\"model_sha256\": \"old\"}");
        // Crash 1: files copied into .incoming, never renamed.
        Files.createDirectories(
                modelDir.resolve(".incoming-v1-00000000-0000-0000-0000-000000000000"));
        Files.writeString(
                modelDir.resolve(".incoming-v1-00000000-0000-0000-0000-000000000000/model.tribuo"),
                "half");
        // Crash 2: the old version moved aside, the new one not yet in place.
        Files.move(legacy, modelDir.resolve(".replaced-v1-11111111-1111-1111-1111-111111111111"));

        assertEquals(
                ModelRegistry.Action.REPLACED,
                registry().deploy(first, "m", "v1", true, details()).action());
        assertEquals("model A", model(registry().version("m", "v1")));
        assertTrue(
                notes.stream().anyMatch(n -> n.startsWith("restoring " + legacy)),
                notes.toString());
        assertTrue(
                notes.stream().anyMatch(n -> n.startsWith("removing") && n.contains(".incoming-")),
                notes.toString());
        assertFalse(
                names(modelDir).stream()
                        .anyMatch(n -> n.startsWith(".incoming") || n.startsWith(".replaced")));
    }

    @Test
    void oddEntriesAreSkippedOrRepairedWithANoteNamingThem() throws IOException {
        Path a = jobDir("a", "model A");
        Path b = jobDir("b", "model B");
        registry().deploy(a, "m", "v01", true, details());
        Path v04 = registry().deploy(b, "m", "v04", true, details()).versionDir();
        Path modelDir = dir.resolve("registry/m");
        Files.createDirectories(modelDir.resolve(".replaced-x")); // the stray hidden entry
        Files.writeString(modelDir.resolve(".replaced-v01-1"), ""); // an old-layout name, cut short
        Files.writeString(modelDir.resolve(".DS_Store"), "");
        Files.writeString(modelDir.resolve("notes.txt"), "mine");
        Files.writeString(modelDir.resolve("v09"), "a file where a version directory would be");
        Files.writeString(
                modelDir.resolve("v07.20261130T141526123Z.1a2b3c4d"),
                "a file named as a version directory");
        Files.createDirectories(
                modelDir.resolve("v05.version")); // a directory where a pointer goes
        Files.writeString(
                modelDir.resolve("v03.version"), "{not json"); // unparsable, nothing to point at
        Files.writeString(
                modelDir.resolve("v04.version"),
                "{\"version\": \"v04\", \"directory\": \"v04.20200101T000000000Z.00000000\","
                        + " \"deployTime\": \"2020-01-01T00:00:00Z\"}"); // names a directory that
        // is not there
        Files.writeString(modelDir.resolve("current.json"), "[]");

        // The readers name what they cannot use.
        IOException unreadable =
                assertThrows(IOException.class, () -> registry().version("m", "v03"));
        assertTrue(unreadable.getMessage().contains("v03.version"), unreadable.getMessage());
        IOException dangling =
                assertThrows(IOException.class, () -> registry().version("m", "v04"));
        assertTrue(
                dangling.getMessage()
                        .contains("v04.version: names v04.20200101T000000000Z.00000000"),
                dangling.getMessage());
        IOException current = assertThrows(IOException.class, () -> registry().current("m"));
        assertTrue(
                current.getMessage().contains("current.json: not a JSON object"),
                current.getMessage());
        assertEquals("model A", model(registry().version("m", "v01")));

        // A deploy skips or repairs every one of them, with a note naming it.
        assertEquals(
                ModelRegistry.Action.CREATED,
                registry().deploy(a, "m", "v02", true, details()).action());
        for (String odd :
                List.of(
                        ".replaced-x",
                        ".replaced-v01-1",
                        ".DS_Store",
                        "notes.txt",
                        "v09",
                        "v07.20261130T141526123Z.1a2b3c4d",
                        "v05.version",
                        "v03.version",
                        "v04.version",
                        "current.json")) {
            assertTrue(
                    notes.stream().anyMatch(n -> n.contains(modelDir.resolve(odd).toString())),
                    odd + " in " + notes);
        }
        assertEquals(
                v04,
                registry().version("m", "v04").directory(),
                "repointed at v04's whole directory");
        assertThrows(
                ModelRegistryReader.NotDeployedException.class,
                () -> registry().version("m", "v03"));
        assertEquals("v02", registry().current("m").versionId());
        assertEquals("model A", model(registry().version("m", "v01")));
        assertEquals(
                ModelRegistry.Action.CREATED,
                registry().deploy(b, "m", "v05", true, details()).action(),
                "the directory in the way was moved aside");
        assertTrue(names(modelDir).stream().anyMatch(n -> n.startsWith(".set-aside.v05.version.")));
        assertEquals(
                "mine",
                Files.readString(modelDir.resolve("notes.txt")),
                "what the registry does not know stays");

        // A file where a model's directory, or its lock, belongs.
        Files.writeString(dir.resolve("registry/other"), "x");
        assertEquals(
                ModelRegistry.Action.CREATED,
                registry().deploy(a, "other", "v01", true, details()).action());
        Files.delete(modelDir.resolve(".lock"));
        Files.createDirectories(modelDir.resolve(".lock"));
        assertEquals(
                ModelRegistry.Action.UNCHANGED,
                registry().deploy(a, "m", "v01", true, details()).action());
    }

    @Test
    void concurrentDeploysInOneProcessEndAsIfOneAfterTheOther() throws Exception {
        Path a = jobDir("a", "model A");
        Path b = jobDir("b", "model B");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<ModelRegistry.Action> same =
                    run(pool, 4, i -> registry().deploy(b, "m", "v01", false, details()).action());
            assertEquals(
                    1,
                    same.stream().filter(x -> x == ModelRegistry.Action.CREATED).count(),
                    same.toString());
            assertEquals(
                    3,
                    same.stream().filter(x -> x == ModelRegistry.Action.UNCHANGED).count(),
                    same.toString());
            List<ModelRegistry.Action> two =
                    run(
                            pool,
                            2,
                            i ->
                                    registry()
                                            .deploy(i == 0 ? a : b, "n", "v01", true, details())
                                            .action());
            assertEquals(
                    List.of(ModelRegistry.Action.CREATED, ModelRegistry.Action.REPLACED),
                    two.stream().sorted().toList());
        } finally {
            pool.shutdownNow();
        }
        assertEquals("model B", model(registry().version("m", "v01")));
        assertFalse(
                notes.stream().anyMatch(n -> n.startsWith("removing")),
                "nothing to repair: " + notes);
    }

    @Test
    void aDeployExpectingAnotherVersionInProductionDeploysNothing() throws Exception {
        Path a = jobDir("a", "model A");
        Path b = jobDir("b", "model B");
        Path c = jobDir("c", "model C");
        Path modelDir = dir.resolve("registry/m");
        // An evaluation found nothing deployed; another run published v01 before this deploy.
        Path first = registry().deploy(a, "m", "v01", true, details()).versionDir();
        List<String> before = names(modelDir);
        ModelRegistry.ProductionChangedException changed =
                assertThrows(
                        ModelRegistry.ProductionChangedException.class,
                        () ->
                                registry()
                                        .deploy(
                                                b,
                                                "m",
                                                "v01",
                                                true,
                                                details(),
                                                ModelRegistry.Expected.nothingDeployed()));
        assertEquals(null, changed.expected());
        assertEquals(first, changed.found().directory());
        assertEquals("v01", changed.found().versionId());
        assertEquals("model A", model(registry().current("m")), "nothing deployed");
        assertEquals(before, names(modelDir), "nothing written");

        // The version the evaluation compared with is still current: deployed.
        ModelRegistry.Outcome replaced =
                registry()
                        .deploy(
                                b,
                                "m",
                                "v01",
                                true,
                                details(),
                                ModelRegistry.Expected.current(first));
        assertEquals(ModelRegistry.Action.REPLACED, replaced.action());
        // Compared with A, but B is current now; and with another version current too.
        changed =
                assertThrows(
                        ModelRegistry.ProductionChangedException.class,
                        () ->
                                registry()
                                        .deploy(
                                                c,
                                                "m",
                                                "v02",
                                                true,
                                                details(),
                                                ModelRegistry.Expected.current(first)));
        assertEquals(first, changed.expected());
        assertEquals(replaced.versionDir(), changed.found().directory());
        assertEquals("model B", model(registry().current("m")));
        assertThrows(
                ModelRegistryReader.NotDeployedException.class,
                () -> registry().version("m", "v02"));
        assertEquals(
                ModelRegistry.Action.CREATED,
                registry()
                        .deploy(c, "m", "v02", true, details(), ModelRegistry.Expected.ANY)
                        .action(),
                "no expectation: deployed whatever is current");
    }

    @Test
    void aCurrentJsonNamingAVersionThatIsNotDeployedIsAnErrorNamingIt() throws IOException {
        registry().deploy(jobDir("a", "model A"), "m", "v01", true, details());
        Path currentFile = dir.resolve("registry/m/current.json");
        Files.writeString(currentFile, "{\"version\":\"v99\"}");
        IOException e = assertThrows(IOException.class, () -> registry().current("m"));
        assertFalse(
                e instanceof ModelRegistryReader.NotDeployedException,
                "a version was deployed: not 'nothing deployed'");
        assertTrue(
                e.getMessage()
                        .startsWith(currentFile + ": names version v99, which is not deployed"),
                e.getMessage());
        // The next deploy repairs it, as it repairs the other corruptions.
        registry().deploy(jobDir("a", "model A"), "m", "v01", true, details());
        assertEquals("v01", registry().current("m").versionId());
        assertTrue(
                notes.stream()
                        .anyMatch(
                                n ->
                                        n.equals(
                                                currentFile
                                                        + " names version v99, which is not deployed")),
                notes.toString());
    }

    @Test
    void repointingAVersionKeepsItsReplacedDirectoriesAndSaysWhatItRemoves() throws IOException {
        TestClock clock = new TestClock();
        ModelRegistry registry =
                new ModelRegistry(
                        dir.resolve("registry"), notes::add, Duration.ofMinutes(10), clock);
        Path modelDir = dir.resolve("registry/m");
        Path a = registry.deploy(jobDir("a", "model A"), "m", "v01", true, details()).versionDir();
        clock.now = clock.now.plusSeconds(1);
        Path b = registry.deploy(jobDir("b", "model B"), "m", "v01", true, details()).versionDir();
        clock.now = clock.now.plusSeconds(1);
        Path c = registry.deploy(jobDir("c", "model C"), "m", "v01", true, details()).versionDir();
        clock.now = clock.now.plusSeconds(1);
        // The version directory in production is deleted by hand: the pointer names nothing.
        try (Stream<Path> files = Files.walk(c)) {
            for (Path p : files.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        notes.clear();
        ModelRegistry.Outcome d =
                registry.deploy(jobDir("d", "model D"), "m", "v01", true, details());
        assertEquals(ModelRegistry.Action.REPLACED, d.action());
        assertTrue(Files.isDirectory(a), "A was published and replaced 2s ago: kept for the grace");
        assertTrue(Files.isDirectory(b), "B, repointed at, then replaced: kept");
        assertFalse(notes.stream().anyMatch(n -> n.contains("never published")), notes.toString());
        clock.now = clock.now.plus(Duration.ofMinutes(11));
        registry.deploy(jobDir("d", "model D"), "m", "v01", true, details());
        assertFalse(Files.exists(a), "deleted after the grace");

        // What the notes say of directories the pointer does not name.
        Path pointed = registry.version("m", "v01").directory();
        Path older = modelDir.resolve("v01.20200101T000000000Z.0000000a");
        Path newer = modelDir.resolve("v01.20991231T000000000Z.0000000b");
        for (Path copy : List.of(older, newer)) {
            Files.createDirectories(copy);
            Files.copy(
                    pointed.resolve(ModelRegistry.VERSION_FILE),
                    copy.resolve(ModelRegistry.VERSION_FILE));
        }
        notes.clear();
        registry.deploy(jobDir("d", "model D"), "m", "v01", true, details());
        assertTrue(
                notes.contains(
                        "removing "
                                + older
                                + ": a directory of version v01 that v01.version neither names"
                                + " nor keeps as a replaced version"),
                notes.toString());
        assertTrue(
                notes.contains(
                        "removing " + newer + ", which an interrupted deploy never published"),
                notes.toString());
        assertFalse(Files.exists(older));
        assertFalse(Files.exists(newer));
    }

    @Test
    void onlyTheRegistrysOwnLeftoversAreRemoved() throws IOException {
        Path a = jobDir("a", "model A");
        registry().deploy(a, "m", "v01", true, details());
        Path modelDir = dir.resolve("registry/m");
        // Named as the registry names its staging directories and temporary files: removed.
        Path staging = modelDir.resolve(".staging.v02.0f8fad5b-d9cb-469f-a165-70867728950e");
        Files.createDirectories(staging);
        Files.writeString(staging.resolve("manifest.json"), "{}");
        Path temp = modelDir.resolve(".current.json.0f8fad5b-d9cb-469f-a165-70867728950e.tmp");
        Files.writeString(temp, "{}");
        // Someone else's, with names like those: kept, with a note.
        Path mine = modelDir.resolve(".staging.mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("notes.txt"), "mine");
        Path myTemp = modelDir.resolve(".edit.tmp");
        Files.writeString(myTemp, "mine too");

        registry().deploy(a, "m", "v01", true, details());
        assertFalse(Files.exists(staging));
        assertFalse(Files.exists(temp));
        assertTrue(
                notes.contains("removing " + staging + ", left by an interrupted deploy"),
                notes.toString());
        assertEquals("mine", Files.readString(mine.resolve("notes.txt")));
        assertEquals("mine too", Files.readString(myTemp));
        for (Path kept : List.of(mine, myTemp)) {
            assertTrue(
                    notes.contains(
                            "skipping " + kept + ": a hidden entry the registry does not know"),
                    notes.toString());
        }
    }

    private interface Deploy {
        ModelRegistry.Action run(int i) throws IOException;
    }

    private static List<ModelRegistry.Action> run(ExecutorService pool, int n, Deploy deploy)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ModelRegistry.Action>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            Callable<ModelRegistry.Action> task =
                    () -> {
                        start.await();
                        return deploy.run(index);
                    };
            futures.add(pool.submit(task));
        }
        start.countDown();
        List<ModelRegistry.Action> actions = new ArrayList<>();
        for (Future<ModelRegistry.Action> f : futures) {
            actions.add(f.get());
        }
        return actions;
    }
}
