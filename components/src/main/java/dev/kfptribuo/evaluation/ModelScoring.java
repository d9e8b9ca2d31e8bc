package dev.kfptribuo.evaluation;

import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores labelled rows with a model, through the one prediction path ({@link Predictor}).
 *
 * <p>A categorical value never seen in training has no feature in the model and so contributes
 * nothing to the score (scikit-learn's {@code OneHotEncoder(handle_unknown='ignore')}); such rows
 * are scored and counted. A true label the model does not know is scored as a miss.
 */
public final class ModelScoring {
    private ModelScoring() {}

    /**
     * Predictions for every row, with what was unusual about the rows.
     *
     * @param truth the true label of each row
     * @param predicted the predicted label of each row
     * @param trueLabelProbabilities the probability given to the true label, per row; null for a
     *     model without probabilities
     * @param rowsWithUnseenCategories rows holding at least one category unseen in training
     * @param unseenCategories per categorical column, the unseen values met (sorted)
     * @param rowsWithUnknownLabel rows whose true label the model does not know
     */
    public record Scored(
            String[] truth,
            String[] predicted,
            double[] trueLabelProbabilities,
            long rowsWithUnseenCategories,
            Map<String, Set<String>> unseenCategories,
            long rowsWithUnknownLabel) {}

    /**
     * The schema that reads, in one pass over labelled rows, the input columns of several models (a
     * new model and the baseline it is compared with): the first model's columns, then each other
     * model's columns the first does not read.
     *
     * @param models the models, the first one's label and columns first
     * @return the labelled schema of every column some model reads
     * @throws IllegalArgumentException if the models predict different label columns, or one reads
     *     a column as numeric that another reads as categorical
     */
    public static ColumnSchema inputSchema(List<Predictor> models) {
        Predictor first = models.get(0);
        List<String> numeric = new ArrayList<>(first.numericColumns());
        List<String> categorical = new ArrayList<>(first.categoricalColumns());
        for (Predictor other : models.subList(1, models.size())) {
            if (!other.labelColumn().equals(first.labelColumn())) {
                throw new IllegalArgumentException(
                        "the models predict different columns: "
                                + first.labelColumn()
                                + " and "
                                + other.labelColumn());
            }
            for (String column : other.numericColumns()) {
                if (categorical.contains(column)) {
                    throw new IllegalArgumentException(
                            "column "
                                    + column
                                    + " is categorical to one model and numeric to another");
                }
                if (!numeric.contains(column)) {
                    numeric.add(column);
                }
            }
            for (String column : other.categoricalColumns()) {
                if (numeric.contains(column)) {
                    throw new IllegalArgumentException(
                            "column "
                                    + column
                                    + " is numeric to one model and categorical to another");
                }
                if (!categorical.contains(column)) {
                    categorical.add(column);
                }
            }
        }
        return ColumnSchema.forModel(first.labelColumn(), numeric, categorical);
    }

    /**
     * @param predictor the model
     * @param table labelled rows holding the model's input columns
     * @return the predictions
     * @throws IllegalArgumentException if the table lacks a model column
     */
    public static Scored score(Predictor predictor, Table table) {
        boolean probabilistic = predictor.hasProbabilities();
        TablePredictions predictions = TablePredictions.of(predictor, table, probabilistic);
        String[] truth = table.labels();
        Set<String> known = new HashSet<>(predictor.classes());
        double[] probabilities = probabilistic ? new double[truth.length] : null;
        long unknownLabels = 0;
        for (int row = 0; row < truth.length; row++) {
            int k = predictor.classes().indexOf(truth[row]);
            unknownLabels += known.contains(truth[row]) ? 0 : 1;
            if (probabilistic) {
                probabilities[row] = k < 0 ? 0.0 : predictions.scores()[row][k];
            }
        }
        return new Scored(
                truth,
                predictions.labels(predictor),
                probabilities,
                predictions.rowsWithUnseenCategories(),
                predictions.unseenCategories(),
                unknownLabels);
    }
}
