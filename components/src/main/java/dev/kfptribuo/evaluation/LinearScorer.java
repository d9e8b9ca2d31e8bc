package dev.kfptribuo.evaluation;

import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.util.VectorNormalizer;

/**
 * Predicts labels for a table's rows with a linear model's weights read directly: the labels
 * {@code LinearSGDModel.predict} gives, without building a Tribuo {@code Example} and
 * {@code Prediction} per row, which made scoring a tuning trial's validation split cost as much as
 * several training epochs.
 *
 * <p>The decision values are summed in Tribuo's order (features by ascending id, the bias last),
 * normalised by the model's normaliser, and the first largest wins, as in Tribuo. Features the model
 * does not know (a category unseen in training) add nothing.
 */
public final class LinearScorer {
    private final DenseMatrix weights;
    private final VectorNormalizer normalizer;
    private final ImmutableFeatureMap features;
    private final ImmutableOutputInfo<Label> outputs;

    /**
     * @param model the model
     * @param normalizer the normaliser the model was created with (its trainer objective's)
     */
    public LinearScorer(LinearSGDModel model, VectorNormalizer normalizer) {
        this.weights = model.getWeightsCopy();
        this.normalizer = normalizer;
        this.features = model.getFeatureIDMap();
        this.outputs = model.getOutputIDInfo();
    }

    /**
     * @param table rows with the model's columns
     * @return the predicted label of each row, in row order ({@code table.rowCount()} labels)
     * @throws IllegalArgumentException if the table's numeric columns are not the model's, or a
     *     row's scores are all NaN, which extreme values can cause by overflowing the dot product
     */
    public String[] predict(Table table) {
        List<String> numericColumns = table.numericColumns();
        List<String> categoricalColumns = table.categoricalColumns();
        requireModelsNumericColumns(table);
        int[] numericIds = new int[numericColumns.size()];
        for (int c = 0; c < numericIds.length; c++) {
            numericIds[c] = features.getID(numericColumns.get(c));
        }
        List<Map<String, Integer>> categoryIds = new java.util.ArrayList<>();
        for (int c = 0; c < categoricalColumns.size(); c++) {
            categoryIds.add(new HashMap<>());
        }
        int classes = weights.getDimension1Size();
        int bias = weights.getDimension2Size() - 1;
        double[][] w = new double[classes][];
        for (int k = 0; k < classes; k++) {
            w[k] = weights.getRow(k).toArray();
        }
        String[] labels = new String[classes];
        for (int k = 0; k < classes; k++) {
            labels[k] = outputs.getOutput(k).getLabel();
        }
        int width = numericIds.length + categoricalColumns.size();
        int[] ids = new int[width];
        double[] values = new double[width];
        double[] scores = new double[classes];
        String[] predicted = new String[table.rowCount()];
        for (int row = 0; row < predicted.length; row++) {
            int size = 0;
            for (int c = 0; c < numericIds.length; c++) {
                if (numericIds[c] >= 0) {
                    size = insert(ids, values, size, numericIds[c], table.numeric(c)[row]);
                }
            }
            for (int c = 0; c < categoricalColumns.size(); c++) {
                String column = categoricalColumns.get(c);
                int id = categoryIds.get(c).computeIfAbsent(table.categorical(c)[row],
                        value -> features.getID(TribuoDatasets.categoricalFeature(column, value)));
                if (id >= 0) {
                    size = insert(ids, values, size, id, 1.0);
                }
            }
            for (int k = 0; k < classes; k++) {
                double[] wk = w[k];
                double dot = 0;
                for (int j = 0; j < size; j++) {
                    dot += values[j] * wk[ids[j]];
                }
                scores[k] = dot + wk[bias];
            }
            normalizer.normalizeInPlace(scores);
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                if (scores[k] > bestScore) {
                    bestScore = scores[k];
                    best = k;
                }
            }
            if (best < 0) {
                throw new IllegalArgumentException(table.sources().get(0).uri() + ": data row " + (row + 1)
                        + ": the model's scores are not numbers (the row's values overflow the weights)");
            }
            predicted[row] = labels[best];
        }
        return predicted;
    }

    /**
     * A numeric column the model lacks, or one of its numeric features the table lacks, would be
     * scored as zero without a word.
     */
    private void requireModelsNumericColumns(Table table) {
        Set<String> modelNumeric = new TreeSet<>();
        for (VariableInfo info : features) {
            String name = info.getName();
            boolean oneHot = table.categoricalColumns().stream()
                    .anyMatch(column -> name.startsWith(TribuoDatasets.categoricalFeature(column, "")));
            if (!oneHot) {
                modelNumeric.add(name);
            }
        }
        Set<String> tableNumeric = new TreeSet<>(table.numericColumns());
        if (!modelNumeric.equals(tableNumeric)) {
            throw new IllegalArgumentException(table.sources().get(0).uri() + ": the numeric columns "
                    + tableNumeric + " are not the model's " + modelNumeric);
        }
    }

    /** Inserts (id, value) into the first size entries, kept sorted by id; returns the new size. */
    private static int insert(int[] ids, double[] values, int size, int id, double value) {
        int i = size;
        while (i > 0 && ids[i - 1] > id) {
            ids[i] = ids[i - 1];
            values[i] = values[i - 1];
            i--;
        }
        ids[i] = id;
        values[i] = value;
        return size + 1;
    }
}
