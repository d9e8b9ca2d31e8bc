package dev.kfptribuo.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.io.FakeGcsServer;
import dev.kfptribuo.io.FaultProxy;
import dev.kfptribuo.io.GcsClient;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * train against Cloud Storage behind a fault-injecting proxy: transient failures of uploads and
 * downloads are retried, with a line per retry; a server that trickles or stalls ends the run at
 * the deadline with one line naming the object, and a job dir keeps its model whole.
 */
@ExtendWith(FakeGcsServer.class)
class GcsFaultsIT {
    private static final Path DATA = Path.of("..", "data", "covertype", "covertype_small.csv");
    private static final String TRAINING = FakeGcsServer.uri("faults/training.csv");

    @BeforeAll
    static void upload() throws IOException {
        OutputFiles.write(Location.parse(TRAINING), Files.readAllBytes(DATA));
    }

    private record Run(int code, String output, double seconds) {}

    private static Run train(FaultProxy proxy, String jobDir, String deadline)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "-D" + GcsClient.EMULATOR_HOST_PROPERTY + "=" + proxy.url(),
                                Train.class.getName(),
                                "--training_dataset_path",
                                TRAINING,
                                "--job-dir",
                                jobDir,
                                "--max_iter",
                                "3",
                                "--gcs-deadline",
                                deadline));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), output);
        return new Run(process.exitValue(), output, (System.nanoTime() - start) / 1e9);
    }

    private static FaultProxy proxy() throws IOException {
        return new FaultProxy(System.getProperty(GcsClient.EMULATOR_HOST_PROPERTY));
    }

    @Test
    void uploadsThatFailWith503AreRetriedAndLogged() throws IOException, InterruptedException {
        // A save uploads the model, the ONNX file, then the manifest: the model's first two
        // attempts
        // fail, then (after the two failures and two uploads) the manifest's first.
        try (FaultProxy proxy =
                proxy().inject("POST /upload/", FaultProxy.Fault.STATUS_503, 0, 2)
                        .inject("POST /upload/", FaultProxy.Fault.STATUS_503, 4, 1)) {
            Run run = train(proxy, FakeGcsServer.uri("faults/retried"), "60");
            assertEquals(0, run.code(), run.output());
            assertEquals(3, proxy.faulted().size(), proxy.seen().toString());
            assertTrue(
                    run.output().contains("Cloud Storage request failed, retrying"), run.output());
            Manifest manifest =
                    ModelBundle.load(Location.parse(FakeGcsServer.uri("faults/retried")))
                            .manifest();
            assertEquals(3, manifest.hyperparameters().maxIter());
        }
    }

    @Test
    void anUploadWhoseConnectionDropsIsRetried() throws IOException, InterruptedException {
        // The model's first upload never reaches the server: the connection ends with no answer.
        try (FaultProxy proxy =
                proxy().inject("POST /upload/", FaultProxy.Fault.DROP_REQUEST, 0, 1)) {
            Run run = train(proxy, FakeGcsServer.uri("faults/dropped-upload"), "60");
            assertEquals(0, run.code(), run.output());
            assertEquals(1, proxy.faulted().size(), proxy.seen().toString());
            assertTrue(
                    run.output().contains("Cloud Storage request failed, retrying"), run.output());
            assertEquals(
                    3,
                    ModelBundle.load(Location.parse(FakeGcsServer.uri("faults/dropped-upload")))
                            .manifest()
                            .hyperparameters()
                            .maxIter());
        }
    }

    @Test
    void aDownloadCutOffHalfwayIsRetried() throws IOException, InterruptedException {
        try (FaultProxy proxy =
                proxy().inject("GET .*training\\.csv.*alt=media", FaultProxy.Fault.DROP_BODY, 1)) {
            Run run = train(proxy, FakeGcsServer.uri("faults/dropped"), "60");
            assertEquals(0, run.code(), run.output());
            assertEquals(1, proxy.faulted().size(), proxy.faulted().toString());
            assertTrue(run.output().contains("read training data: 10000 rows"), run.output());
        }
    }

    @Test
    void aTricklingServerEndsTheRunAtTheDeadline() throws IOException, InterruptedException {
        try (FaultProxy proxy =
                proxy().inject("GET .*training\\.csv.*alt=media", FaultProxy.Fault.TRICKLE, 100)) {
            Run run = train(proxy, FakeGcsServer.uri("faults/trickled"), "3");
            assertEquals(1, run.code(), run.output());
            assertTrue(
                    run.output().contains(TRAINING + ": not read within the deadline of 3 s"),
                    run.output());
            assertTrue(run.seconds() < 20, "ended near the deadline: " + run.seconds() + " s");
        }
    }

    @Test
    void aServerThatStallsAfterTheHeadersEndsTheRunAtTheDeadline()
            throws IOException, InterruptedException {
        try (FaultProxy proxy =
                proxy().inject("GET .*training\\.csv.*alt=media", FaultProxy.Fault.STALL, 100)) {
            Run run = train(proxy, FakeGcsServer.uri("faults/stalled"), "3");
            assertEquals(1, run.code(), run.output());
            assertTrue(run.output().contains("training.csv"), run.output());
            assertEquals(
                    1,
                    run.output().lines().filter(line -> line.startsWith("train: error:")).count(),
                    run.output());
            assertTrue(run.seconds() < 30, "ended near the deadline: " + run.seconds() + " s");
        }
    }

    @Test
    void aServerAskingToRetryPastTheDeadlineEndsTheRunAtOnceWithOneLine()
            throws IOException, InterruptedException {
        try (FaultProxy proxy =
                proxy().inject(
                                "GET .*training\\.csv.*alt=media",
                                FaultProxy.Fault.STATUS_429_RETRY_AFTER_120S,
                                100)) {
            Run run = train(proxy, FakeGcsServer.uri("faults/asked-to-wait"), "10");
            assertEquals(1, run.code(), run.output());
            List<String> errors =
                    run.output().lines().filter(line -> line.startsWith("train: error:")).toList();
            assertEquals(1, errors.size(), run.output());
            System.out.printf(
                    "asked to wait past the deadline, %.1f s: %s%n", run.seconds(), errors.get(0));
            assertTrue(
                    errors.get(0)
                            .startsWith(
                                    "train: error: I/O: "
                                            + TRAINING
                                            + ": HTTP 429, the server asks to retry after 120 s"
                                            + " (Retry-After: 120), past the deadline of 10 s ("),
                    run.output());
            assertEquals(1, proxy.faulted().size(), proxy.seen().toString());
            assertTrue(run.seconds() < 30, "ended at once: " + run.seconds() + " s");
        }
    }

    @Test
    void aManifestUploadThatKeepsFailingLeavesTheOldModelWhole()
            throws IOException, InterruptedException {
        String jobDir = FakeGcsServer.uri("faults/kept");
        try (FaultProxy healthy = proxy()) {
            assertEquals(0, train(healthy, jobDir, "60").code());
        }
        Manifest before = ModelBundle.load(Location.parse(jobDir)).manifest();
        // The model and ONNX uploads pass, every manifest upload fails.
        try (FaultProxy proxy =
                proxy().inject("POST /upload/", FaultProxy.Fault.STATUS_503, 2, 1000)) {
            Run run = train(proxy, jobDir, "4");
            assertEquals(1, run.code(), run.output());
            assertTrue(run.output().contains("manifest.json"), run.output());
        }
        assertEquals(before, ModelBundle.load(Location.parse(jobDir)).manifest());
    }
}
