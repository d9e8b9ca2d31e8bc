package dev.kfptribuo.hypertune;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.io.JsonErrors;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a trial's metric back from the file {@link HypertuneReporter} (or Python's
 * cloudml-hypertune) writes, as the tuning service does: of the JSON lines holding the metric tag,
 * the last one gives the final measurement, its value (Python's {@code str(float)} as a string, or
 * a JSON number) and its {@code global_step}.
 */
public final class HypertuneReports {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A trial's final measurement.
     *
     * @param value the metric's value
     * @param globalStep the report's {@code global_step}, "0" when it has none
     */
    public record Report(double value, String globalStep) {}

    /** The metric file holds no usable report; the message says why, naming the file. */
    public static final class NoReportException extends Exception {
        private static final long serialVersionUID = 1L;

        NoReportException(String message) {
            super(message);
        }
    }

    private HypertuneReports() {}

    /**
     * @param file the metric file ({@code CLOUD_ML_HP_METRIC_FILE} of the trial)
     * @param metricTag the job's {@code hyperparameterMetricTag}
     * @return the last report of that metric
     * @throws NoReportException if the file is missing, is not JSON lines, holds no report of the
     *     metric, or its last value is not a number
     * @throws IOException if the file cannot be read
     */
    public static Report last(Path file, String metricTag) throws NoReportException, IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoReportException("no metric reported (" + file + " was not written)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        JsonNode last = null;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode report;
            try {
                report = JSON.readTree(lines.get(i));
            } catch (JacksonException e) {
                throw new NoReportException(
                        file + ": line " + (i + 1) + " is not JSON: " + JsonErrors.describe(e));
            }
            if (report.has(metricTag)) {
                last = report;
            }
        }
        if (last == null) {
            throw new NoReportException("no report of metric '" + metricTag + "' in " + file);
        }
        JsonNode value = last.get(metricTag);
        double number;
        try {
            number = new BigDecimal(value.asText().strip()).doubleValue();
        } catch (NumberFormatException e) {
            throw new NoReportException(
                    "metric '" + metricTag + "' is not a number: " + value + " (" + file + ")");
        }
        return new Report(number, last.path("global_step").asText("0"));
    }
}
