package dev.kfptribuo.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A run is alive while its process runs, and a pid given to a later process is not it. */
class RunIdTest {
    @Test
    void thisProcessIsAliveAndNamedByItsPidAndStart() {
        assertTrue(RunId.CURRENT.alive());
        assertEquals(ProcessHandle.current().pid(), RunId.CURRENT.pid());
        assertTrue(RunId.CURRENT.startMillis() > 0, "Linux tells a process's start");
        Matcher m = Pattern.compile(RunId.PATTERN).matcher(RunId.CURRENT.text());
        assertTrue(m.matches());
        assertEquals(RunId.CURRENT, RunId.parse(m, 1));
    }

    @Test
    void anEndedProcessAndAReusedPidAreNotAlive() throws IOException, InterruptedException {
        Process child =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-version")
                        .redirectErrorStream(true)
                        .start();
        child.getInputStream().readAllBytes();
        child.waitFor();
        assertFalse(
                new RunId(child.pid(), RunId.CURRENT.startMillis()).alive(),
                "ended (or its pid reused since)");
        assertFalse(
                new RunId(RunId.CURRENT.pid(), RunId.CURRENT.startMillis() - 1).alive(),
                "this pid, another start");
    }
}
