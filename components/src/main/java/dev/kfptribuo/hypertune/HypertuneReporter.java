package dev.kfptribuo.hypertune;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import dev.kfptribuo.io.PythonFloats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reports a hyperparameter tuning metric the way Google's cloudml-hypertune library does, so that
 * AI Platform Training and Vertex AI read it from the trial's container.
 *
 * <p>File format of cloudml-hypertune 0.1.0.dev6 ({@code hypertune/hypertune.py}): the file named
 * by {@code CLOUD_ML_HP_METRIC_FILE} (default {@value #DEFAULT_METRIC_FILE}, parent directories
 * created) is rewritten on every report with the last {@value #MAX_ENTRIES} reports of this
 * reporter, one JSON object per line, written by Python's {@code json.dumps(..., sort_keys=True)}:
 * keys sorted, {@code ", "} and {@code ": "} separators, non-ASCII escaped. Each object has {@code
 * checkpoint_path} (string), {@code global_step} (an integer as a string), {@code <metric tag>}
 * (the value as Python's {@code str(float)}), {@code timestamp} (seconds since the epoch, a JSON
 * number) and {@code trial} (the {@code CLOUD_ML_TRIAL_ID}, default "0"). Each rewrite is atomic.
 */
public final class HypertuneReporter {
    /** Environment variable naming the metric file. */
    public static final String METRIC_FILE_ENV = "CLOUD_ML_HP_METRIC_FILE";

    /** Environment variable holding the trial id. */
    public static final String TRIAL_ID_ENV = "CLOUD_ML_TRIAL_ID";

    /** The metric file when {@value #METRIC_FILE_ENV} is unset. */
    public static final String DEFAULT_METRIC_FILE = "/tmp/hypertune/output.metrics";

    /** Reports kept in the file, as the library's deque. */
    public static final int MAX_ENTRIES = 100;

    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .build();

    private final Path metricFile;
    private final String trialId;
    private final Clock clock;
    private final Deque<Map<String, Object>> reports = new ArrayDeque<>();

    /**
     * @param metricFile where the metrics go
     * @param trialId the trial id written with each report
     * @param clock source of the timestamps
     */
    public HypertuneReporter(Path metricFile, String trialId, Clock clock) {
        this.metricFile = metricFile;
        this.trialId = trialId;
        this.clock = clock;
    }

    /**
     * @param env the environment, e.g. {@code System.getenv()}
     * @return a reporter configured as cloudml-hypertune configures itself
     */
    public static HypertuneReporter fromEnvironment(Map<String, String> env) {
        String file = env.getOrDefault(METRIC_FILE_ENV, DEFAULT_METRIC_FILE);
        return new HypertuneReporter(
                Path.of(file), env.getOrDefault(TRIAL_ID_ENV, "0"), Clock.systemUTC());
    }

    /**
     * @return the metric file this reporter writes
     */
    public Path metricFile() {
        return metricFile;
    }

    /**
     * Records one metric value and rewrites the metric file.
     *
     * @param metricTag the {@code hyperparameterMetricTag} of the tuning job, e.g. {@code accuracy}
     * @param value the metric value, finite
     * @param globalStep the training step the value belongs to; 0 if none
     * @throws IllegalArgumentException if the tag is blank or the value is not finite
     * @throws IOException if the file cannot be written
     */
    public void report(String metricTag, double value, long globalStep) throws IOException {
        if (metricTag == null || metricTag.isBlank()) {
            throw new IllegalArgumentException("the hyperparameter metric tag is blank");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("metric " + metricTag + " is not finite: " + value);
        }
        Instant now = clock.instant();
        double timestamp = now.getEpochSecond() + now.getNano() / 1e9;
        Map<String, Object> body = new TreeMap<>();
        body.put("checkpoint_path", "");
        body.put("global_step", Long.toString(globalStep));
        body.put(metricTag, PythonFloats.repr(value));
        body.put("timestamp", new RawNumber(PythonFloats.repr(timestamp)));
        body.put("trial", trialId);
        reports.addLast(body);
        while (reports.size() > MAX_ENTRIES) {
            reports.removeFirst();
        }
        OutputFiles.write(Location.parse(metricFile.toString()), render());
    }

    private byte[] render() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Map<String, Object> body : reports) {
            try (JsonGenerator json = JSON.createGenerator(bytes)) {
                json.setPrettyPrinter(new PythonSeparators());
                json.writeStartObject();
                for (Map.Entry<String, Object> entry : body.entrySet()) {
                    json.writeFieldName(entry.getKey());
                    if (entry.getValue() instanceof RawNumber number) {
                        json.writeNumber(number.text());
                    } else {
                        json.writeString((String) entry.getValue());
                    }
                }
                json.writeEndObject();
            }
            bytes.write('\n');
        }
        return bytes.toByteArray();
    }

    private record RawNumber(String text) {}

    /**
     * Python {@code json.dumps}' default separators: {@code ", "} between entries, {@code ": "}
     * after keys.
     */
    private static final class PythonSeparators extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
