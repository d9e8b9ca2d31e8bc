package dev.kfptribuo.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.prediction.UnseenCategories;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Encodes one piece of instances, on the worker that predicted them: each prediction as a line of
 * the output format, each bad row as a line of the errors file. Not thread-safe; one per piece.
 *
 * <p>A JSON Lines prediction is Vertex AI batch prediction's output line, {@code {"instance": ...,
 * "prediction": {"label": "1", "classes": ["0", ...], "scores": [...]}}}; an error line is {@code
 * {"instance": ..., "error": {"code": 3, "message": "..."}, "file": "...", "line": 12}} (code 3 is
 * {@code google.rpc.Code.INVALID_ARGUMENT}, as in Vertex AI's {@code prediction.errors_stats}
 * files).
 */
final class PieceEncoder {
    /** How a piece writes an instance into a JSON line. */
    interface JsonInstance {
        /**
         * @param json the generator, positioned for a value
         * @throws IOException if writing fails
         */
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * A piece's encoded lines.
     *
     * @param instanceColumns the columns of a CSV prediction's instance values
     * @param predictions the predictions' lines
     * @param errors the bad rows' lines
     * @param errorMessages the first bad rows' reasons, for the log
     * @param unseen the predicted rows' categories unseen in training
     */
    record Encoded(
            List<String> instanceColumns,
            LineBuffer predictions,
            LineBuffer errors,
            List<String> errorMessages,
            UnseenCategories unseen) {
        /** Gives the buffers back, once the lines are written. */
        void release() {
            predictions.release();
            errors.release();
        }
    }

    /** Generators with a codec, which {@code writeTree} of a JSON instance needs. */
    static final JsonFactory JSON =
            new ObjectMapper(
                            JsonFactory.builder()
                                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                                    .build())
                    .getFactory();

    static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();

    /** How many error messages a piece keeps for the log. */
    static final int LOGGED_ERRORS = 10;

    private static final SerializableString INSTANCE = new SerializedString("instance");
    private static final SerializableString PREDICTION = new SerializedString("prediction");
    private static final SerializableString LABEL = new SerializedString("label");
    private static final SerializableString CLASSES = new SerializedString("classes");
    private static final SerializableString SCORES = new SerializedString("scores");

    private final String[] classes;

    /** Each class's label as a JSON string value, and the classes as a JSON array, encoded once. */
    private final SerializableString[] labels;

    private final SerializableString classesArray;
    private final List<String> instanceColumns;
    private final PredictionsFormat format;
    private final LineBuffer predictions;
    private final LineBuffer errors = new LineBuffer(256, null);
    private final JsonGenerator json;
    private final JsonGenerator errorJson;
    private final List<String> errorMessages = new ArrayList<>();
    private final StringWriter csvText = new StringWriter();
    private final CSVPrinter csv;

    /**
     * @param classes the model's classes, the order of every scores array
     * @param instanceColumns the columns of a CSV prediction's instance values
     * @param format the predictions' format
     * @param buffers where the predictions' buffer comes from
     */
    PieceEncoder(
            List<String> classes,
            List<String> instanceColumns,
            PredictionsFormat format,
            LineBuffer.Pool buffers) {
        this.predictions = buffers.take();
        this.classes = classes.toArray(new String[0]);
        this.labels = new SerializableString[this.classes.length];
        try {
            for (int k = 0; k < labels.length; k++) {
                String text = this.classes[k];
                labels[k] = new SerializedString(jsonText(g -> g.writeString(text)));
            }
            classesArray =
                    new SerializedString(
                            jsonText(g -> g.writeArray(this.classes, 0, this.classes.length)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.instanceColumns = List.copyOf(instanceColumns);
        this.format = format;
        try {
            json = JSON.createGenerator(predictions.out);
            json.setRootValueSeparator(null);
            errorJson = JSON.createGenerator(errors.out);
            errorJson.setRootValueSeparator(null);
            csv = new CSVPrinter(csvText, CSV);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adds a prediction in JSON Lines.
     *
     * @param instance writes the instance
     * @param label the predicted class's index
     * @param scores the scores, one per class
     * @throws IOException never in practice (memory only)
     */
    void json(JsonInstance instance, int label, double[] scores) throws IOException {
        json.writeStartObject();
        json.writeFieldName(INSTANCE);
        instance.write(json);
        json.writeFieldName(PREDICTION);
        json.writeStartObject();
        json.writeFieldName(LABEL);
        json.writeRawValue(labels[label]);
        json.writeFieldName(CLASSES);
        json.writeRawValue(classesArray);
        json.writeFieldName(SCORES);
        json.writeArray(scores, 0, scores.length);
        json.writeEndObject();
        json.writeEndObject();
        json.flush();
        predictions.endLine();
    }

    /**
     * Adds a prediction as a CSV record.
     *
     * @param instance the instance's values, in the output header's order
     * @param label the predicted class's index
     * @param scores the scores, one per class
     * @throws IOException never in practice (memory only)
     */
    void csv(List<String> instance, int label, double[] scores) throws IOException {
        for (String value : instance) {
            csv.print(value);
        }
        csv.print(classes[label]);
        for (double score : scores) {
            csv.print(Double.toString(score));
        }
        csv.println();
        csvText.flush();
        StringBuffer text = csvText.getBuffer();
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        text.setLength(0);
        predictions.out.write(bytes, 0, bytes.length);
        predictions.lineEndsHere();
    }

    /**
     * @return the predictions' format
     */
    PredictionsFormat format() {
        return format;
    }

    /**
     * Adds a row that could not be predicted.
     *
     * @param file the file it is in
     * @param line its line in the file
     * @param instance writes the row as it was read
     * @param message what is wrong with it
     * @throws IOException never in practice (memory only)
     */
    void error(String file, long line, JsonInstance instance, String message) throws IOException {
        errorJson.writeStartObject();
        errorJson.writeFieldName("instance");
        instance.write(errorJson);
        errorJson.writeObjectFieldStart("error");
        errorJson.writeNumberField("code", 3);
        errorJson.writeStringField("message", message);
        errorJson.writeEndObject();
        errorJson.writeStringField("file", file);
        errorJson.writeNumberField("line", line);
        errorJson.writeEndObject();
        errorJson.flush();
        errors.endLine();
        if (errorMessages.size() < LOGGED_ERRORS) {
            errorMessages.add(file + ": line " + line + ": " + message);
        }
    }

    /**
     * @param unseen the predicted rows' categories unseen in training
     * @return the piece's lines
     */
    Encoded finish(UnseenCategories unseen) {
        return new Encoded(
                instanceColumns, predictions, errors, List.copyOf(errorMessages), unseen);
    }

    /** The JSON text Jackson writes for one value: for the parts every line repeats. */
    private static String jsonText(JsonInstance value) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(text)) {
            value.write(generator);
        }
        return text.toString();
    }

    /** CSV header of the predictions: the instance's columns, the label, a column per class. */
    static List<String> csvHeader(
            List<String> instanceColumns, List<String> classes, boolean probabilities) {
        List<String> header = new ArrayList<>(instanceColumns);
        header.add("predicted_label");
        for (String label : classes) {
            header.add((probabilities ? "probability_" : "score_") + label);
        }
        return header;
    }

    /**
     * The first instance column that the columns CSV predictions add would name twice.
     *
     * @param instanceColumns the instance's columns
     * @param classes the model's classes
     * @param probabilities whether the model has probabilities
     * @return that column ({@code predicted_label}, a {@code probability_<class>} or {@code
     *     score_<class>}), or null if there is none
     */
    static String clash(List<String> instanceColumns, List<String> classes, boolean probabilities) {
        List<String> added = csvHeader(List.of(), classes, probabilities);
        return instanceColumns.stream().filter(added::contains).findFirst().orElse(null);
    }

    /**
     * What is wrong with an instance column {@link #clash} found, after its name.
     *
     * @return the rest of the one-line message
     */
    static String clashMessage() {
        return "CSV predictions add a column of that name (predicted_label, then probability_<class> or"
                + " score_<class> per class), which would then be in the header twice; rename it in the instances,"
                + " or write --predictions-format jsonl";
    }

    /**
     * @param header a CSV header's names
     * @return the header line's bytes
     */
    static byte[] csvLine(List<String> header) {
        StringWriter text = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(text, CSV)) {
            printer.printRecord(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
