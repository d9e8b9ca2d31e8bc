package dev.kfptribuo.localrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a run that does not succeed ends, in a child JVM as bin/continuous-training runs: run.json's
 * status, its steps', the lines and the exit code.
 */
class RunEndsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir Path dir;

    /** The pipeline's JVM, its output in out.log and err.log. */
    private Process start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProgramLauncher.currentJava()));
        command.addAll(jvmOptions);
        command.addAll(
                List.of(
                        "-Dkfptribuo.home=" + ROOT,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ContinuousTraining.class.getName(),
                        "--runs-dir",
                        dir.resolve("runs").toString(),
                        "--registry",
                        dir.resolve("registry").toString(),
                        "--run-id",
                        "r"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.log").toFile())
                .redirectError(dir.resolve("err.log").toFile())
                .start();
    }

    private String out() throws IOException {
        return Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
    }

    private String err() throws IOException {
        return Files.readString(dir.resolve("err.log"), StandardCharsets.UTF_8);
    }

    private JsonNode runJson() throws IOException {
        return JSON.readTree(dir.resolve("runs/r/run.json").toFile());
    }

    private static int exit(Process process) throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the run did not end");
        }
        return process.exitValue();
    }

    /**
     * Out of memory in the split (one endless line): the program's one error line, exit 1, and
     * run.json says the run and its split step failed, not running.
     */
    @Test
    void outOfMemoryFailsTheRunAndItsStep() throws Exception {
        Process run = start(List.of("-Xmx48m", "-XX:+UseSerialGC"), "--source", "/dev/zero");
        assertEquals(1, exit(run), err());
        assertTrue(err().startsWith("continuous-training: error: out of memory ("), err());
        assertEquals(1, err().strip().lines().count(), err());
        JsonNode log = runJson();
        assertEquals("failed", log.get("status").asText());
        assertEquals(run.pid(), log.get("pid").asLong());
        assertEquals(1, log.get("steps").size());
        assertEquals("failed", log.at("/steps/0/status").asText());
        assertTrue(log.at("/steps/0/error").asText().startsWith("out of memory ("), log.toString());
        assertTrue(out().contains("(failed, "), out());
        assertFalse(out().contains("running"), out());
    }
}
