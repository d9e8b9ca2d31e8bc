package dev.kfptribuo.hypertune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HypertuneReportsTest {
    @TempDir Path dir;

    /** The file Google's cloudml-hypertune wrote (src/test/resources/hypertune/generate.py). */
    private Path golden() throws IOException {
        Path file = dir.resolve("output.metrics");
        try (InputStream in = getClass().getResourceAsStream("/hypertune/golden.metrics")) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    @Test
    void theLastReportOfTheTagIsTheFinalMeasurement() throws Exception {
        Path file = golden();
        assertEquals(
                new HypertuneReports.Report(1.0, "1000"), HypertuneReports.last(file, "accuracy"));
        assertEquals(new HypertuneReports.Report(1e16, "3"), HypertuneReports.last(file, "loss"));
        assertEquals(
                new HypertuneReports.Report(1e-05, "7"), HypertuneReports.last(file, "précision"));
    }

    @Test
    void readsWhatTheReporterWrites() throws Exception {
        Path file = dir.resolve("hypertune").resolve("output.metrics");
        HypertuneReporter reporter = new HypertuneReporter(file, "3", java.time.Clock.systemUTC());
        reporter.report("accuracy", 0.7146, 15);
        reporter.report("accuracy", 0.1 + 0.2, 16);
        assertEquals(
                new HypertuneReports.Report(0.1 + 0.2, "16"),
                HypertuneReports.last(file, "accuracy"));
    }

    @Test
    void aFileWithoutAUsableReportIsNamed() throws Exception {
        Path golden = golden();
        assertEquals(
                "no report of metric 'f1' in " + golden,
                assertThrows(
                                HypertuneReports.NoReportException.class,
                                () -> HypertuneReports.last(golden, "f1"))
                        .getMessage());
        Path missing = dir.resolve("none.metrics");
        assertEquals(
                "no metric reported (" + missing + " was not written)",
                assertThrows(
                                HypertuneReports.NoReportException.class,
                                () -> HypertuneReports.last(missing, "accuracy"))
                        .getMessage());
        Path word =
                Files.writeString(
                        dir.resolve("word.metrics"),
                        "{\"accuracy\": \"high\", \"global_step\": \"1\"}\n");
        assertTrue(
                assertThrows(
                                HypertuneReports.NoReportException.class,
                                () -> HypertuneReports.last(word, "accuracy"))
                        .getMessage()
                        .startsWith("metric 'accuracy' is not a number: \"high\""));
        Path torn =
                Files.writeString(dir.resolve("torn.metrics"), "{\"accuracy\": \"0.5\"}\n{\"accur");
        assertTrue(
                assertThrows(
                                HypertuneReports.NoReportException.class,
                                () -> HypertuneReports.last(torn, "accuracy"))
                        .getMessage()
                        .startsWith(torn + ": line 2 is not JSON: "));
    }
}
