package dev.kfptribuo.localrun.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.CrashPoints;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.localrun.registry.ModelRegistry.Action;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys killed at each of their crash points, and deploys in concurrent processes, each deploy in
 * a child JVM (halted at the point by {@link CrashPoints}, as {@code kill -9} would), with two real
 * trained job dirs: what a reader sees afterwards, and what the next deploy does.
 */
class DeployCrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The steps of every deploy that copies, in order; the switch is the pointer's rename. Written
     * out here, not taken from {@link ModelRegistry#CRASH_POINTS}: a step dropped from the deploy
     * and from that list alike must still fail this test.
     */
    private static final List<String> STEPS =
            List.of(
                    "deploy:locked",
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

    @TempDir static Path dir;

    private static Path a;
    private static Path b;
    private static String shaA;
    private static String shaB;

    @BeforeAll
    static void jobDirs() {
        a = TrainedJobDirs.a();
        b = TrainedJobDirs.b();
        shaA = TrainedJobDirs.sha(a);
        shaB = TrainedJobDirs.sha(b);
        assertFalse(shaA.equals(shaB));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static ModelRegistry registry(Path root) {
        return new ModelRegistry(root, note -> {});
    }

    private static ObjectNode details() {
        return JSON.createObjectNode().put("run_id", "test");
    }

    private record Child(int exit, String out) {}

    private static Process startChild(
            String crashAt, Path root, Path jobDir, String version, boolean replace)
            throws IOException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                ProgramLauncher.currentJava(),
                                "-XX:TieredStopAtLevel=1",
                                "-XX:+UseSerialGC",
                                "-Xshare:auto",
                                "-XX:-UsePerfData"));
        if (crashAt != null) {
            command.add("-D" + CrashPoints.PROPERTY + "=" + crashAt);
        }
        command.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        DeployInAChildJvm.class.getName(),
                        root.toString(),
                        jobDir.toString(),
                        "m",
                        version,
                        Boolean.toString(replace)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Child child(
            String crashAt, Path root, Path jobDir, String version, boolean replace)
            throws IOException, InterruptedException {
        Process process = startChild(crashAt, root, jobDir, version, replace);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child deploy did not end: " + out);
        }
        return new Child(process.exitValue(), out);
    }

    /**
     * What a reader sees: {@code version=A} or {@code version=B} once it has checked the directory
     * whole (the model loads, every file matches the manifest, version.json names the model), or
     * {@code none}.
     */
    private static String sees(Path root, String version) {
        ModelRegistryReader.Version found;
        try {
            found =
                    version == null
                            ? registry(root).current("m")
                            : registry(root).version("m", version);
        } catch (ModelRegistryReader.NotDeployedException e) {
            return "none";
        } catch (IOException e) {
            return "error: " + e.getMessage();
        }
        try {
            Location location = Location.parse(found.directory().toString());
            ModelBundle bundle = ModelBundle.load(location);
            String sha = bundle.manifest().model().sha256();
            byte[] onnx =
                    Files.readAllBytes(found.directory().resolve(bundle.manifest().onnx().file()));
            if (!ModelBundle.sha256(onnx).equals(bundle.manifest().onnx().sha256())) {
                return "not whole: " + bundle.manifest().onnx().file();
            }
            if (!sha.equals(
                    JSON.readTree(found.directory().resolve(ModelRegistry.VERSION_FILE).toFile())
                            .path("model_sha256")
                            .asText())) {
                return "not whole: " + ModelRegistry.VERSION_FILE;
            }
            return found.versionId()
                    + "="
                    + (sha.equals(shaA) ? "A" : sha.equals(shaB) ? "B" : "?");
        } catch (IOException e) {
            return "not whole: " + e.getMessage();
        }
    }

    /** Fails if a deploy left something behind. */
    private static void clean(Path root, Map<String, Integer> directories) throws IOException {
        Path modelDir = root.resolve("m");
        List<String> names;
        try (Stream<Path> entries = Files.list(modelDir)) {
            names = entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String name : names) {
            assertFalse(
                    name.startsWith(".staging.") || name.endsWith(".tmp"), "left over: " + names);
        }
        directories.forEach(
                (version, count) ->
                        assertEquals(
                                (long) count,
                                names.stream()
                                        .filter(
                                                n ->
                                                        n.startsWith(version + ".")
                                                                && !n.endsWith(".version"))
                                        .count(),
                                version + " directories in " + names));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /**
     * A version of the registry's old layout: the job dir's files and version.json in {@code
     * <model>/<dir>/}.
     */
    private static void oldLayoutVersion(Path modelDir, String name, Path jobDir, String sha)
            throws IOException {
        copyTree(jobDir, modelDir.resolve(name));
        Files.writeString(
                modelDir.resolve(name).resolve(ModelRegistry.VERSION_FILE),
                JSON.createObjectNode()
                        .put("model_sha256", sha)
                        .put("createTime", "2026-11-30T14:15:26Z")
                        .toString());
    }

    // ---- the cases ----------------------------------------------------------------------------

    /**
     * One crash case: the state before, the child deploy halted at the point, what readers see, the
     * next deploy.
     */
    private interface Case {
        String run() throws Exception;
    }

    private static Path root(String scenario, String point) {
        return dir.resolve(scenario + "-" + point.replace(':', '-'));
    }

    private static void crash(String point, Path root, Path jobDir, String version, boolean replace)
            throws Exception {
        Child child = child(point, root, jobDir, version, replace);
        assertEquals(CrashPoints.EXIT_CODE, child.exit(), point + " not reached: " + child.out());
    }

    private static void expect(String what, String expected, String seen) {
        assertEquals(expected, seen, what);
    }

    /** Whether a crash at a step of {@link #STEPS} comes after the switch to the new version. */
    private static boolean switched(String point) {
        return STEPS.indexOf(point) >= STEPS.indexOf("deploy:pointer-renamed");
    }

    /**
     * What a reader of {@code version} ({@code null}: the current version) sees after the crash at
     * {@code point}, checked against {@code expected}.
     */
    private static String seenAfterCrash(Path root, String version, String point, String expected) {
        String seen = sees(root, version);
        expect(
                (version == null ? "current" : version) + " after a crash at " + point,
                expected,
                seen);
        return seen;
    }

    /** Deploys {@code jobDir} as {@code version} of model m, in this JVM. */
    private static Action deploy(Path root, Path jobDir, String version, boolean replace)
            throws IOException {
        return registry(root).deploy(jobDir, "m", version, replace, details()).action();
    }

    /** The deploy after the crash, in this JVM: it must do {@code expected}. */
    private static Action nextDeploy(
            Path root, Path jobDir, String version, boolean replace, Action expected)
            throws IOException {
        Action next = deploy(root, jobDir, version, replace);
        assertEquals(expected, next);
        return next;
    }

    /** A case's line in the table the test prints: what readers saw, what the next deploy did. */
    private static String row(String scenario, String point, Action next, String... seen) {
        return String.format(
                "%-11s| %s | %s | next deploy %s", scenario, point, String.join(", ", seen), next);
    }

    /** A registry whose model m has v01 holding A and v02, its current version, B. */
    private static Path v01AAndV02B(String scenario, String point) throws IOException {
        Path root = root(scenario, point);
        deploy(root, a, "v01", true);
        deploy(root, b, "v02", true);
        return root;
    }

    /**
     * A first deploy of a model: before the switch nothing, after it the new version; never a part.
     */
    private static String fresh(String point) throws Exception {
        Path root = root("fresh", point);
        crash(point, root, b, "v01", true);
        boolean switched = switched(point);
        String v01 = seenAfterCrash(root, "v01", point, switched ? "v01=B" : "none");
        String current = seenAfterCrash(root, null, point, switched ? "v01=B" : "none");
        Action next =
                nextDeploy(root, b, "v01", true, switched ? Action.UNCHANGED : Action.CREATED);
        expect("current after the next deploy", "v01=B", sees(root, null));
        clean(root, Map.of("v01", 1));
        return row("fresh", point, next, "v01: " + v01, "current: " + current);
    }

    /**
     * v01 holds A, v02 (current) B; the child replaces v01 with B: v01 is A until the pointer's
     * rename, B after; current is v02 until current.json's rename, v01 after.
     */
    private static String replacing(String point) throws Exception {
        Path root = v01AAndV02B("replacing", point);
        crash(point, root, b, "v01", true);
        boolean switched = switched(point);
        boolean current = point.equals("deploy:current-renamed");
        String v01 = seenAfterCrash(root, "v01", point, switched ? "v01=B" : "v01=A");
        String seenCurrent = seenAfterCrash(root, null, point, current ? "v01=B" : "v02=B");
        seenAfterCrash(root, "v02", point, "v02=B");
        Action next =
                nextDeploy(root, b, "v01", true, switched ? Action.UNCHANGED : Action.REPLACED);
        expect("v01 after the next deploy", "v01=B", sees(root, null));
        clean(root, Map.of("v01", 2, "v02", 1)); // A's directory is kept for the grace
        return row("replacing", point, next, "v01: " + v01, "current: " + seenCurrent);
    }

    /**
     * v01 A, v02 B (current); the child deploys A as v01 again: unchanged, but it becomes current.
     */
    private static String unchanged(String point) throws Exception {
        Path root = v01AAndV02B("unchanged", point);
        crash(point, root, a, "v01", false);
        String current =
                seenAfterCrash(root, null, point, point.endsWith("renamed") ? "v01=A" : "v02=B");
        expect("v01", "v01=A", sees(root, "v01"));
        expect("v02", "v02=B", sees(root, "v02"));
        Action next = nextDeploy(root, a, "v01", false, Action.UNCHANGED);
        expect("current after the next deploy", "v01=A", sees(root, null));
        clean(root, Map.of("v01", 1, "v02", 1));
        return row("unchanged", point, next, "current: " + current);
    }

    /**
     * A dead deploy's staging directory: the repair that deletes it is stopped half-way, then
     * finished.
     */
    private static String repairDeleting(String point) throws Exception {
        Path root = root("staging-left", point);
        deploy(root, a, "v01", true);
        Path staging = root.resolve("m/.staging.v01.00000000-0000-0000-0000-000000000000");
        copyTree(b, staging);
        crash(point, root, b, "v01", true);
        String v01 = seenAfterCrash(root, "v01", point, "v01=A");
        Action next = nextDeploy(root, b, "v01", true, Action.REPLACED);
        assertFalse(Files.exists(staging));
        clean(root, Map.of("v01", 2));
        return row("staging", point, next, "v01: " + v01);
    }

    /**
     * v01 in the old layout (no pointer) gets one: stopped before and after the pointer's rename.
     */
    private static String oldLayout(String point) throws Exception {
        Path root = root("old-layout", point);
        oldLayoutVersion(root.resolve("m"), "v01", a, shaA);
        crash(point, root, b, "v02", true);
        String v01 = seenAfterCrash(root, "v01", point, "v01=A");
        String current = seenAfterCrash(root, null, point, "v01=A");
        Action next = nextDeploy(root, b, "v02", true, Action.CREATED);
        expect("current after the next deploy", "v02=B", sees(root, null));
        expect("v01 after the next deploy", "v01=A", sees(root, "v01"));
        assertTrue(Files.isRegularFile(root.resolve("m/v01.version")));
        clean(root, Map.of("v02", 1));
        return row("old layout", point, next, "v01: " + v01, "current: " + current);
    }

    /** current.json spoilt: repair points it at the version deployed last. */
    private static String badCurrent(String point) throws Exception {
        Path root = root("bad-current", point);
        deploy(root, a, "v01", true);
        Files.writeString(
                root.resolve("m").resolve(ModelRegistry.CURRENT_FILE), "{\"version\": 7}");
        crash(point, root, b, "v02", true);
        String v01 = seenAfterCrash(root, "v01", point, "v01=A");
        String current;
        if (point.endsWith("renamed")) {
            current = seenAfterCrash(root, null, point, "v01=A");
        } else {
            current = sees(root, null);
            assertTrue(current.startsWith("error: ") && current.contains("current.json"), current);
        }
        Action next = nextDeploy(root, b, "v02", true, Action.CREATED);
        expect("current after the next deploy", "v02=B", sees(root, null));
        clean(root, Map.of("v01", 1, "v02", 1));
        return row("bad current", point, next, "v01: " + v01, "current: " + current);
    }

    /** A directory where v02's pointer goes is moved aside. */
    private static String setAside(String point) throws Exception {
        Path root = root("set-aside", point);
        deploy(root, a, "v01", true);
        Files.createDirectories(root.resolve("m/v02.version/x"));
        crash(point, root, b, "v02", true);
        String v01 = seenAfterCrash(root, "v01", point, "v01=A");
        seenAfterCrash(root, "v02", point, "none");
        Action next = nextDeploy(root, b, "v02", true, Action.CREATED);
        expect("current after the next deploy", "v02=B", sees(root, null));
        clean(root, Map.of("v01", 1, "v02", 1));
        return row("set aside", point, next, "v01: " + v01);
    }

    /** The old layout's deploy stopped with v01 moved aside: it is restored, then replaced. */
    private static String restored(String point) throws Exception {
        Path root = root("old-replaced", point);
        oldLayoutVersion(
                root.resolve("m"), ".replaced-v01-11111111-1111-1111-1111-111111111111", a, shaA);
        crash(point, root, b, "v01", true);
        String v01 = seenAfterCrash(root, "v01", point, "v01=A");
        Action next = nextDeploy(root, b, "v01", true, Action.REPLACED);
        expect("v01 after the next deploy", "v01=B", sees(root, "v01"));
        clean(root, Map.of("v01", 1)); // the restored old-layout directory is named v01, no dot
        return row("old moved", point, next, "v01: " + v01);
    }

    @Test
    void aDeployStoppedAtAnyOfItsCrashPointsLeavesOneWholeVersionAndTheNextDeployRepairs()
            throws Exception {
        record Named(String scenario, String point, Case run) {}
        List<Named> cases = new ArrayList<>();
        for (String point : STEPS) {
            cases.add(new Named("fresh", point, () -> fresh(point)));
            cases.add(new Named("replacing", point, () -> replacing(point)));
        }
        for (String point : List.of("deploy:current-written", "deploy:current-renamed")) {
            cases.add(new Named("unchanged", point, () -> unchanged(point)));
        }
        cases.add(
                new Named(
                        "staging left",
                        "deploy:repair-deleting",
                        () -> repairDeleting("deploy:repair-deleting")));
        for (String point :
                List.of("deploy:repair-pointer-written", "deploy:repair-pointer-renamed")) {
            cases.add(new Named("old layout", point, () -> oldLayout(point)));
        }
        for (String point :
                List.of("deploy:repair-current-written", "deploy:repair-current-renamed")) {
            cases.add(new Named("bad current", point, () -> badCurrent(point)));
        }
        cases.add(
                new Named(
                        "set aside",
                        "deploy:repair-set-aside",
                        () -> setAside("deploy:repair-set-aside")));
        cases.add(
                new Named(
                        "old moved aside",
                        "deploy:repair-restored",
                        () -> restored("deploy:repair-restored")));
        assertEquals(
                new HashSet<>(ModelRegistry.CRASH_POINTS),
                new HashSet<>(cases.stream().map(Named::point).toList()),
                "every crash point has a case");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        Map<String, Future<String>> futures = new LinkedHashMap<>();
        cases.forEach(
                c ->
                        futures.put(
                                c.scenario() + " " + c.point(),
                                pool.submit((Callable<String>) c.run()::run)));
        pool.shutdown();
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Future<String>> f : futures.entrySet()) {
            try {
                lines.add(f.getValue().get(120, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(f.getKey() + ": " + e.getCause());
                lines.add(f.getKey() + ": FAILED " + e.getCause());
            }
        }
        System.out.println(
                "deploy crash cases (" + lines.size() + "):\n  " + String.join("\n  ", lines));
        assertEquals(List.of(), failures);
    }

    // ---- concurrent processes -----------------------------------------------------------------

    @Test
    void aLiveDeployersStagingIsNeverRepairedAway() throws Exception {
        Path root = dir.resolve("live-deployer");
        Path modelDir = root.resolve("m");
        Path staging = modelDir.resolve(".staging.v01.22222222-2222-2222-2222-222222222222");
        copyTree(a, staging);
        Process child;
        try (FileChannel channel =
                        FileChannel.open(
                                modelDir.resolve(ModelRegistry.LOCK_FILE),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            // This JVM is the live deployer: it holds the model's lock mid-copy.
            assertTrue(lock.isValid());
            child = startChild(null, root, b, "v01", true);
            Thread.sleep(1000);
            assertTrue(child.isAlive(), "the second deploy waits for the lock");
            assertTrue(
                    Files.isDirectory(staging),
                    "and leaves the live deployer's staging directory alone");
            assertEquals("none", sees(root, "v01"));
        }
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), out);
        assertTrue(
                out.contains(
                        "waiting for the deploy that holds "
                                + modelDir.resolve(ModelRegistry.LOCK_FILE)),
                out);
        assertTrue(out.contains("CREATED"), out);
        assertFalse(
                Files.exists(staging),
                "once its deployer is gone, its staging directory is repaired away");
        assertEquals("v01=B", sees(root, null));
    }

    @Test
    void twoProcessesDeployingAtOnceBothEndRight() throws Exception {
        Path same = dir.resolve("two-processes-same");
        Path other = dir.resolve("two-processes-other");
        List<Process> processes =
                List.of(
                        startChild(null, same, b, "v01", false),
                        startChild(null, same, b, "v01", false),
                        startChild(null, other, a, "v01", true),
                        startChild(null, other, b, "v01", true));
        List<String> outs = Collections.synchronizedList(new ArrayList<>());
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            outs.add(out.strip().lines().reduce((x, y) -> y).orElse(""));
        }
        assertEquals(
                List.of("CREATED", "UNCHANGED"), outs.subList(0, 2).stream().sorted().toList());
        assertEquals(List.of("CREATED", "REPLACED"), outs.subList(2, 4).stream().sorted().toList());
        assertEquals("v01=B", sees(same, null));
        String seen = sees(other, null);
        assertTrue(seen.equals("v01=A") || seen.equals("v01=B"), seen);
        clean(same, Map.of("v01", 1));
        clean(other, Map.of("v01", 2));
    }
}
