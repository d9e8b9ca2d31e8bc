package dev.kfptribuo.hypertune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HypertuneReporterTest {
    @TempDir Path dir;

    /** The instants and reports of src/test/resources/hypertune/generate.py. */
    @Test
    void matchesTheLibraryOutputLineByLine() throws IOException {
        Path file = dir.resolve("sub").resolve("output.metrics");
        Clock clock =
                new Ticking(
                        Instant.ofEpochMilli(1764503456125L),
                        Instant.ofEpochMilli(1764503457500L),
                        Instant.ofEpochMilli(1764503458000L));
        HypertuneReporter reporter = new HypertuneReporter(file, "7", clock);
        reporter.report("accuracy", 0.7213, 35);
        reporter.report("accuracy", 0.1 + 0.2, 0);
        reporter.report("précision", 1e-05, 7);
        reporter.report("loss", 123456789.0, 0);
        reporter.report("loss", 1e16, 3);
        reporter.report("accuracy", 1.0, 1000);

        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("/hypertune/golden.metrics")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> actual = Files.readAllLines(file);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "line " + (i + 1));
        }
        assertEquals('\n', Files.readString(file).charAt(Files.readString(file).length() - 1));
    }

    @Test
    void keepsTheLastHundredReports() throws IOException {
        Path file = dir.resolve("output.metrics");
        HypertuneReporter reporter =
                new HypertuneReporter(file, "0", Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        for (int step = 1; step <= 101; step++) {
            reporter.report("accuracy", 0.5, step);
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(HypertuneReporter.MAX_ENTRIES, lines.size());
        assertEquals(true, lines.get(0).contains("\"global_step\": \"2\""));
        assertEquals(true, lines.get(99).contains("\"global_step\": \"101\""));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary files are left behind");
        }
    }

    @Test
    void readsFileAndTrialFromTheEnvironmentLikeTheLibrary() {
        HypertuneReporter configured =
                HypertuneReporter.fromEnvironment(
                        Map.of(
                                "CLOUD_ML_HP_METRIC_FILE",
                                dir.resolve("m").toString(),
                                "CLOUD_ML_TRIAL_ID",
                                "3"));
        assertEquals(dir.resolve("m"), configured.metricFile());
        assertEquals(
                Path.of("/tmp/hypertune/output.metrics"),
                HypertuneReporter.fromEnvironment(Map.of()).metricFile());
    }

    @Test
    void refusesNonFiniteValuesAndBlankTags() {
        HypertuneReporter reporter =
                new HypertuneReporter(dir.resolve("m"), "0", Clock.systemUTC());
        assertThrows(
                IllegalArgumentException.class, () -> reporter.report("accuracy", Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> reporter.report(" ", 0.5, 0));
        assertEquals(false, Files.exists(dir.resolve("m")));
    }

    /** A clock that returns the given instants in turn, cycling. */
    private static final class Ticking extends Clock {
        private final List<Instant> instants;
        private Iterator<Instant> next;

        Ticking(Instant... instants) {
            this.instants = List.of(instants);
            this.next = this.instants.iterator();
        }

        @Override
        public Instant instant() {
            if (!next.hasNext()) {
                next = instants.iterator();
            }
            return next.next();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
