package dev.kfptribuo.batch;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.io.JsonErrors;
import dev.kfptribuo.prediction.Instances;
import dev.kfptribuo.prediction.PredictionException;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.UnseenCategories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Predicts a piece of JSON Lines instances ({@link JsonLinesStream}), in Vertex AI batch
 * prediction's input format: one instance per line, an object of column values or an array in the
 * model's column order ({@link Instances}). Blank lines are skipped. In JSON Lines output the
 * instance is written back as it was given; in CSV, as its values under the columns fixed from the
 * first instance ({@link JsonCsvColumns}), its other keys included: a key that is not one of those
 * columns makes the instance a bad row.
 *
 * <p>A line that is not JSON is a bad row whose reason is {@code not valid JSON: } and Jackson's
 * error in JSON's terms with its column ({@link JsonErrors#describeInLine}); the errors file gives
 * the line.
 */
final class JsonLinesInstances implements Function<JsonLinesStream.Piece, PieceEncoder.Encoded> {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Instances instances;
    private final PredictionsFormat format;
    private final JsonCsvColumns columns;
    private final LineBuffer.Pool buffers;

    /**
     * @param predictor the model
     * @param format the predictions' format
     * @param columns the instance columns of CSV predictions; null for JSON Lines
     * @param buffers where the pieces' buffers come from
     */
    JsonLinesInstances(
            Predictor predictor,
            PredictionsFormat format,
            JsonCsvColumns columns,
            LineBuffer.Pool buffers) {
        if (format == PredictionsFormat.CSV && columns == null) {
            throw new IllegalArgumentException("CSV predictions need their instance columns");
        }
        this.instances = new Instances(predictor);
        this.format = format;
        this.columns = columns;
        this.buffers = buffers;
    }

    @Override
    public PieceEncoder.Encoded apply(JsonLinesStream.Piece piece) {
        Predictor predictor = instances.predictor();
        PieceEncoder encoder =
                new PieceEncoder(
                        predictor.classes(),
                        columns == null ? predictor.inputColumns() : columns.names(),
                        format,
                        buffers);
        double[] numeric = new double[predictor.numericColumns().size()];
        String[] categorical = new String[predictor.categoricalColumns().size()];
        double[] scores = new double[predictor.classes().size()];
        UnseenCategories unseen = new UnseenCategories(predictor);
        piece.forEachLine(
                (bytes, start, end, line) -> {
                    if (blank(bytes, start, end)) {
                        return;
                    }
                    try {
                        JsonNode instance;
                        try {
                            instance = JSON.readTree(bytes, start, end - start);
                        } catch (JacksonException e) {
                            String text =
                                    new String(bytes, start, end - start, StandardCharsets.UTF_8);
                            encoder.error(
                                    piece.file(),
                                    line,
                                    json -> json.writeString(text),
                                    "not valid JSON: " + JsonErrors.describeInLine(e));
                            return;
                        }
                        String problem = instances.read(instance, numeric, categorical);
                        List<String> cells =
                                format == PredictionsFormat.CSV
                                        ? new ArrayList<>(columns.names().size())
                                        : null;
                        if (problem == null && cells != null) {
                            problem = columns.cells(instance, predictor.inputColumns(), cells);
                        }
                        int label = -1;
                        if (problem == null) {
                            try {
                                label = predictor.predict(numeric, categorical, scores);
                                unseen.count(categorical);
                            } catch (PredictionException e) {
                                problem = e.getMessage();
                            }
                        }
                        if (problem != null) {
                            encoder.error(
                                    piece.file(), line, json -> json.writeTree(instance), problem);
                        } else if (format == PredictionsFormat.JSONL) {
                            encoder.json(json -> json.writeTree(instance), label, scores);
                        } else {
                            encoder.csv(cells, label, scores);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        return encoder.finish(unseen);
    }

    private static boolean blank(byte[] bytes, int start, int end) {
        for (int i = start; i < end; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
