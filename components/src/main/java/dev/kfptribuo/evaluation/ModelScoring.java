package dev.kfptribuo.evaluation;

import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import dev.kfptribuo.model.FeatureScale;
import dev.kfptribuo.model.Manifest;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * Scores labelled rows with a saved model, after checking that the rows have the columns the model
 * was trained on.
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
    public record Scored(String[] truth, String[] predicted, double[] trueLabelProbabilities,
            long rowsWithUnseenCategories, Map<String, Set<String>> unseenCategories, long rowsWithUnknownLabel) {}

    /**
     * @param manifest a model's manifest
     * @return the schema its training data had: the label column and the categorical columns
     */
    public static ColumnSchema schema(Manifest manifest) {
        return new ColumnSchema(manifest.labelColumn(), List.copyOf(manifest.categoricalColumns().keySet()));
    }

    /**
     * @param table rows read with {@link #schema}
     * @param manifest the model's manifest
     * @throws IllegalArgumentException naming the missing and unexpected numeric columns if they
     *     differ from the model's
     */
    public static void checkColumns(Table table, Manifest manifest) {
        Set<String> expected = new TreeSet<>();
        for (FeatureScale scale : manifest.numericColumns()) {
            expected.add(scale.feature());
        }
        Set<String> actual = new TreeSet<>(table.numericColumns());
        if (!expected.equals(actual)) {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(actual);
            Set<String> unexpected = new TreeSet<>(actual);
            unexpected.removeAll(expected);
            throw new IllegalArgumentException(table.sources().get(0).uri()
                    + ": the columns do not match the model's (missing: " + missing + ", not in the model: "
                    + unexpected + "; the model expects label " + manifest.labelColumn() + ", categorical "
                    + manifest.categoricalColumns().keySet() + " and numeric " + expected + ")");
        }
    }

    /**
     * @param model the model
     * @param table labelled rows with the model's columns (see {@link #checkColumns})
     * @return the predictions
     */
    public static Scored score(Model<Label> model, Table table) {
        int n = table.rowCount();
        ImmutableFeatureMap features = model.getFeatureIDMap();
        Map<String, Set<String>> unseen = new LinkedHashMap<>();
        for (String column : table.categoricalColumns()) {
            unseen.put(column, new TreeSet<>());
        }
        Set<String> modelLabels = new HashSet<>();
        model.getOutputIDInfo().getDomain().forEach(label -> modelLabels.add(label.getLabel()));
        boolean probabilistic = model.generatesProbabilities();
        String[] predicted = new String[n];
        double[] probabilities = probabilistic ? new double[n] : null;
        long rowsWithUnseen = 0;
        long unknownLabels = 0;
        for (int row = 0; row < n; row++) {
            boolean rowUnseen = false;
            for (int c = 0; c < table.categoricalColumns().size(); c++) {
                String column = table.categoricalColumns().get(c);
                String value = table.categorical(c)[row];
                if (features.getID(TribuoDatasets.categoricalFeature(column, value)) < 0) {
                    unseen.get(column).add(value);
                    rowUnseen = true;
                }
            }
            rowsWithUnseen += rowUnseen ? 1 : 0;
            String truth = table.labels()[row];
            unknownLabels += modelLabels.contains(truth) ? 0 : 1;
            Prediction<Label> prediction = model.predict(TribuoDatasets.example(table, row));
            predicted[row] = prediction.getOutput().getLabel();
            if (probabilistic) {
                Label scored = prediction.getOutputScores().get(truth);
                probabilities[row] = scored == null ? 0.0 : scored.getScore();
            }
        }
        return new Scored(table.labels(), predicted, probabilities, rowsWithUnseen, unseen, unknownLabels);
    }
}
