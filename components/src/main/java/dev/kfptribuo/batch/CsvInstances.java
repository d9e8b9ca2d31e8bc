package dev.kfptribuo.batch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.kfptribuo.data.CsvRowStream;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.prediction.PredictionException;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.UnseenCategories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Predicts a piece of CSV rows ({@link CsvRowStream}): each usable row becomes a prediction, each
 * other row an error line.
 *
 * <p>In JSON Lines, a row's instance is an object of every column of the file by name: the model's
 * numeric columns as JSON numbers (integers without a fraction), every other column as the string
 * the cell holds. In CSV, the instance is the row's cells as they were, under the file's header; a
 * header with a column the CSV predictions add ({@link PieceEncoder#clash}) fails the piece, the
 * first one included, so nothing is written.
 */
final class CsvInstances implements CsvRowStream.PieceHandler<PieceEncoder.Encoded> {
    /** Integers up to this magnitude are exact doubles, written without a fraction. */
    private static final double EXACT_INTEGERS = 0x1p53;

    private final Predictor predictor;
    private final PredictionsFormat format;
    private final LineBuffer.Pool buffers;

    /**
     * @param predictor the model
     * @param format the predictions' format
     * @param buffers where the pieces' buffers come from
     */
    CsvInstances(Predictor predictor, PredictionsFormat format, LineBuffer.Pool buffers) {
        this.predictor = predictor;
        this.format = format;
        this.buffers = buffers;
    }

    @Override
    public PieceEncoder.Encoded handle(CsvRowStream.Rows rows) {
        List<String> header = rows.header();
        String clash =
                format == PredictionsFormat.CSV
                        ? PieceEncoder.clash(
                                header, predictor.classes(), predictor.hasProbabilities())
                        : null;
        if (clash != null) {
            throw new DataFormatException(
                    rows.file() + ": column " + clash + ": " + PieceEncoder.clashMessage());
        }
        List<String> fileNumeric = rows.numericColumns();
        // Where each of the predictor's numeric columns is among the row's, and each header
        // column among the row's numeric values (-1: written as text).
        int[] fromFile =
                predictor.numericColumns().stream().mapToInt(fileNumeric::indexOf).toArray();
        int[] numericOfColumn = header.stream().mapToInt(fileNumeric::indexOf).toArray();
        SerializableString[] names =
                header.stream().map(SerializedString::new).toArray(SerializableString[]::new);
        double[] values = new double[fileNumeric.size()];
        double[] numeric = new double[fromFile.length];
        String[] categorical = new String[predictor.categoricalColumns().size()];
        double[] scores = new double[predictor.classes().size()];
        PieceEncoder encoder = new PieceEncoder(predictor.classes(), header, format, buffers);
        UnseenCategories unseen = new UnseenCategories(predictor);
        try {
            while (rows.next()) {
                String problem = rows.values(values, categorical);
                int label = -1;
                if (problem == null) {
                    for (int c = 0; c < fromFile.length; c++) {
                        numeric[c] = values[fromFile[c]];
                    }
                    try {
                        label = predictor.predict(numeric, categorical, scores);
                        unseen.count(categorical);
                    } catch (PredictionException e) {
                        problem = e.getMessage();
                    }
                }
                if (problem != null) {
                    encoder.error(rows.file(), rows.line(), json -> cells(json, rows), problem);
                } else if (format == PredictionsFormat.JSONL) {
                    encoder.json(
                            json -> {
                                json.writeStartObject();
                                for (int i = 0; i < names.length; i++) {
                                    json.writeFieldName(names[i]);
                                    if (numericOfColumn[i] >= 0) {
                                        number(json, values[numericOfColumn[i]]);
                                    } else {
                                        json.writeString(rows.cell(i));
                                    }
                                }
                                json.writeEndObject();
                            },
                            label,
                            scores);
                } else {
                    List<String> cells = new ArrayList<>(rows.size());
                    for (int i = 0; i < rows.size(); i++) {
                        cells.add(rows.cell(i));
                    }
                    encoder.csv(cells, label, scores);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return encoder.finish(unseen);
    }

    /** A bad row as it was read: its cells, as strings. */
    private static void cells(JsonGenerator json, CsvRowStream.Rows rows) throws IOException {
        json.writeStartArray();
        for (int i = 0; i < rows.size(); i++) {
            json.writeString(rows.cell(i));
        }
        json.writeEndArray();
    }

    private static void number(JsonGenerator json, double value) throws IOException {
        if (value == Math.rint(value)
                && Math.abs(value) < EXACT_INTEGERS
                && !(value == 0 && Double.doubleToRawLongBits(value) != 0)) {
            json.writeNumber((long) value);
        } else {
            json.writeNumber(value);
        }
    }
}
