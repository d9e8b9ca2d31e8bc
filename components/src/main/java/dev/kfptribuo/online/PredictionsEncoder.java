package dev.kfptribuo.online;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes the body of a prediction response, {@code {"predictions": [...]}}, one prediction per
 * instance in order, each in the shape of {@code batch-predict}'s {@code prediction}: {@code
 * {"label": "1", "classes": ["0", ..., "6"], "scores": [...]}}, the scores one per class in the
 * classes' order (scikit-learn's {@code predict_proba} for a log-loss model). Numbers are written
 * as {@code batch-predict} writes them (Jackson's fast double writer: the shortest text that reads
 * back to the same double), so a row gets the same text from both.
 *
 * <p>Each label and the classes array are encoded once. Not thread-safe: one per request.
 */
final class PredictionsEncoder {
    static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private static final SerializableString PREDICTIONS = new SerializedString("predictions");
    private static final SerializableString LABEL = new SerializedString("label");
    private static final SerializableString CLASSES = new SerializedString("classes");
    private static final SerializableString SCORES = new SerializedString("scores");

    /** The parts every prediction of one model repeats, encoded once per model. */
    static final class Parts {
        private final SerializableString[] labels;
        private final SerializableString classes;

        /**
         * @param classes the model's classes, in the order of its scores
         */
        Parts(List<String> classes) {
            labels = new SerializableString[classes.size()];
            for (int k = 0; k < labels.length; k++) {
                String label = classes.get(k);
                labels[k] = new SerializedString(text(g -> g.writeString(label)));
            }
            String[] all = classes.toArray(new String[0]);
            this.classes = new SerializedString(text(g -> g.writeArray(all, 0, all.length)));
        }

        private interface Value {
            void write(JsonGenerator json) throws IOException;
        }

        private static String text(Value value) {
            StringWriter text = new StringWriter();
            try (JsonGenerator json = JSON.createGenerator(text)) {
                value.write(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return text.toString();
        }
    }

    private final Parts parts;
    private final ByteArrayOutputStream bytes;
    private final JsonGenerator json;

    /**
     * @param parts the model's encoded labels and classes
     * @param instances how many predictions will be written, to size the buffer
     */
    PredictionsEncoder(Parts parts, int instances) {
        this.parts = parts;
        this.bytes = new ByteArrayOutputStream(64 + instances * 256);
        try {
            json = JSON.createGenerator(bytes);
            json.writeStartObject();
            json.writeFieldName(PREDICTIONS);
            json.writeStartArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adds the next instance's prediction.
     *
     * @param label the predicted class's index
     * @param scores the scores, one per class
     */
    void add(int label, double[] scores) {
        try {
            json.writeStartObject();
            json.writeFieldName(LABEL);
            json.writeRawValue(parts.labels[label]);
            json.writeFieldName(CLASSES);
            json.writeRawValue(parts.classes);
            json.writeFieldName(SCORES);
            json.writeArray(scores, 0, scores.length);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // memory only
        }
    }

    /**
     * @return the whole body, UTF-8 JSON
     */
    byte[] finish() {
        try {
            json.writeEndArray();
            json.writeEndObject();
            json.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
