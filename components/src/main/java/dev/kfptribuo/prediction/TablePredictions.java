package dev.kfptribuo.prediction;

import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.data.SourceFile;
import dev.kfptribuo.data.Table;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Predictor}'s predictions for every row of a {@link Table}, with the categories the model
 * did not know.
 *
 * @param predicted per row, the index in {@link Predictor#classes()} of the predicted label
 * @param scores per row, the scores (see {@link Predictor}); null when not kept
 * @param rowsWithUnseenCategories rows holding at least one category unseen in training
 * @param unseenCategories per categorical column, the unseen values met (at most {@value
 *     UnseenCategories#KEPT}), sorted
 */
public record TablePredictions(
        int[] predicted,
        double[][] scores,
        long rowsWithUnseenCategories,
        Map<String, Set<String>> unseenCategories) {

    /**
     * @param predictor the model
     * @param table rows holding the model's input columns (read with {@link Predictor#inputSchema},
     *     or with the training data's schema)
     * @param keepScores whether to keep each row's scores ({@code rows × classes} doubles)
     * @return the predictions
     * @throws IllegalArgumentException if the table lacks a model column
     * @throws DataFormatException naming the file and data row of a row whose scores are not
     *     numbers
     */
    public static TablePredictions of(Predictor predictor, Table table, boolean keepScores) {
        int[] numericColumn =
                columnsOf(predictor.numericColumns(), table.numericColumns(), "numeric", table);
        int[] categoricalColumn =
                columnsOf(
                        predictor.categoricalColumns(),
                        table.categoricalColumns(),
                        "categorical",
                        table);
        int n = table.rowCount();
        int classes = predictor.classes().size();
        int[] predicted = new int[n];
        double[][] scores = keepScores ? new double[n][] : null;
        UnseenCategories unseen = new UnseenCategories(predictor);
        double[] numeric = new double[numericColumn.length];
        String[] categorical = new String[categoricalColumn.length];
        double[] rowScores = new double[classes];
        for (int row = 0; row < n; row++) {
            for (int c = 0; c < numeric.length; c++) {
                numeric[c] = table.numeric(numericColumn[c])[row];
            }
            for (int c = 0; c < categorical.length; c++) {
                categorical[c] = table.categorical(categoricalColumn[c])[row];
            }
            unseen.count(categorical);
            try {
                predicted[row] = predictor.predict(numeric, categorical, rowScores);
            } catch (PredictionException e) {
                throw new DataFormatException(where(table, row) + ": " + e.getMessage());
            }
            if (keepScores) {
                scores[row] = rowScores.clone();
            }
        }
        return new TablePredictions(predicted, scores, unseen.rows(), unseen.values());
    }

    /**
     * @param predictor the model
     * @return the predicted label of each row
     */
    public String[] labels(Predictor predictor) {
        String[] labels = new String[predicted.length];
        for (int row = 0; row < labels.length; row++) {
            labels[row] = predictor.classes().get(predicted[row]);
        }
        return labels;
    }

    private static int[] columnsOf(
            List<String> modelColumns, List<String> tableColumns, String role, Table table) {
        int[] index = new int[modelColumns.size()];
        for (int c = 0; c < index.length; c++) {
            index[c] = tableColumns.indexOf(modelColumns.get(c));
            if (index[c] < 0) {
                throw new IllegalArgumentException(
                        describe(table)
                                + ": no "
                                + role
                                + " column "
                                + modelColumns.get(c)
                                + ", which the model needs (its "
                                + role
                                + " columns: "
                                + tableColumns
                                + ")");
            }
        }
        return index;
    }

    private static String describe(Table table) {
        return table.sources().isEmpty() ? "table" : table.sources().get(0).uri();
    }

    /** The file and data row of a table row, counting each file's rows from 1. */
    private static String where(Table table, int row) {
        long before = 0;
        for (SourceFile source : table.sources()) {
            if (row < before + source.rows()) {
                return source.uri() + ": data row " + (row - before + 1);
            }
            before += source.rows();
        }
        return "data row " + (row + 1);
    }
}
