package dev.kfptribuo.prediction;

import dev.kfptribuo.data.ColumnSchema;
import dev.kfptribuo.data.TribuoDatasets;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.FeatureScale;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.la.DenseMatrix;

/**
 * The one prediction path: a trained model's labels and scores for rows given by column, as used by
 * tuning trials, {@code evaluate-model}, batch prediction and the serving image.
 *
 * <p>A row is the model's input columns ({@link #numericColumns()} as numbers, {@link
 * #categoricalColumns()} as text); how they arrive (CSV cells, JSON instances) is the caller's. The
 * decision values are those of Tribuo's {@code LinearSGDModel.predict}, bit for bit: the features
 * summed in ascending feature-ID order, the bias last; the label is the first largest, as in Tribuo
 * and in scikit-learn's {@code predict}. A category unseen in training adds nothing (scikit-learn's
 * {@code OneHotEncoder(handle_unknown='ignore')}).
 *
 * <p>Scores: for a log-loss model, scikit-learn's {@code SGDClassifier.predict_proba} of the
 * one-vs-rest classifiers, {@code sigmoid(s_k) / sum_j sigmoid(s_j)} (uniform if every sigmoid
 * underflows to 0, where scikit-learn would divide 0 by 0); for a hinge-loss model, which has no
 * probabilities, the decision values themselves (scikit-learn's {@code decision_function}).
 *
 * <p>Instances are immutable and thread-safe; {@link #predict(double[], String[], double[])} writes
 * only to its arguments.
 */
public final class Predictor {
    /** The weights by feature, then class: {@code byFeature[id * classes + k]}. */
    private final double[] byFeature;

    private final double[] bias;
    private final List<String> classes;
    private final boolean probabilities;
    private final String labelColumn;
    private final List<String> inputColumns;
    private final List<String> numericColumns;
    private final int[] numericIds;
    private final List<String> categoricalColumns;
    private final List<Map<String, Integer>> categoryIds;

    private Predictor(ModelBundle bundle) {
        LinearSGDModel model = bundle.model();
        Manifest manifest = bundle.manifest();
        DenseMatrix matrix = model.getWeightsCopy();
        int classCount = matrix.getDimension1Size();
        int featureCount = matrix.getDimension2Size() - 1;
        byFeature = new double[featureCount * classCount];
        bias = new double[classCount];
        for (int k = 0; k < classCount; k++) {
            for (int id = 0; id < featureCount; id++) {
                byFeature[id * classCount + k] = matrix.get(k, id);
            }
            bias[k] = matrix.get(k, featureCount);
        }
        classes = List.copyOf(manifest.labels());
        probabilities = manifest.hasProbabilities();
        labelColumn = manifest.labelColumn();
        inputColumns = List.copyOf(manifest.inputColumns());
        ImmutableFeatureMap features = model.getFeatureIDMap();
        List<String> numeric = new ArrayList<>();
        for (FeatureScale scale : manifest.numericColumns()) {
            numeric.add(scale.feature());
        }
        numericColumns = List.copyOf(numeric);
        numericIds = new int[numericColumns.size()];
        for (int c = 0; c < numericIds.length; c++) {
            numericIds[c] = features.getID(numericColumns.get(c));
            if (numericIds[c] < 0) {
                throw new IllegalArgumentException(
                        "numeric column " + numericColumns.get(c) + " is not a model feature");
            }
        }
        categoricalColumns = List.copyOf(manifest.categoricalColumns().keySet());
        List<Map<String, Integer>> ids = new ArrayList<>();
        for (String column : categoricalColumns) {
            Map<String, Integer> byValue = new HashMap<>();
            for (String value : manifest.categoricalColumns().get(column)) {
                int id = features.getID(TribuoDatasets.categoricalFeature(column, value));
                if (id < 0) {
                    throw new IllegalArgumentException(
                            "category " + column + "=" + value + " is not a model feature");
                }
                byValue.put(value, id);
            }
            ids.add(Map.copyOf(byValue));
        }
        categoryIds = List.copyOf(ids);
        if (!new java.util.HashSet<>(inputColumns)
                .equals(new java.util.HashSet<>(concat(numericColumns, categoricalColumns)))) {
            throw new IllegalArgumentException(
                    "the input columns "
                            + inputColumns
                            + " are not the numeric "
                            + numericColumns
                            + " and categorical "
                            + categoricalColumns
                            + " columns");
        }
    }

    /**
     * @param bundle a trained model and its manifest, loaded or in memory
     * @return its predictor
     * @throws IllegalArgumentException if the manifest's columns are not the model's features
     */
    public static Predictor of(ModelBundle bundle) {
        return new Predictor(bundle);
    }

    /**
     * Loads a job dir's model bundle ({@link ModelBundle#load}) and makes its predictor; an error
     * says which model it is, keeping its kind (and so the program's exit code).
     *
     * @param jobDir the job dir, local or {@code gs://}
     * @param what which model, for the errors: {@code "the model"}, {@code "the baseline model"}
     * @return its predictor
     * @throws FileNotFoundException if there is no model there, as {@code what: <its message>}
     * @throws IOException if it cannot be read, likewise
     * @throws IllegalArgumentException if it is not a model we can predict with, likewise
     */
    public static Predictor load(Location jobDir, String what) throws IOException {
        String prefix = what + ": ";
        try {
            return of(ModelBundle.load(jobDir));
        } catch (FileNotFoundException e) {
            throw (FileNotFoundException)
                    new FileNotFoundException(prefix + e.getMessage()).initCause(e);
        } catch (IOException e) {
            throw new IOException(prefix + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage(), e);
        }
    }

    /**
     * @return the class labels, in the model's output order: the order of every scores array
     */
    public List<String> classes() {
        return classes;
    }

    /**
     * @return true if the scores are probabilities (log loss), false if decision values (hinge)
     */
    public boolean hasProbabilities() {
        return probabilities;
    }

    /**
     * @return the label column of the training data
     */
    public String labelColumn() {
        return labelColumn;
    }

    /**
     * @return the columns the model reads, in the training data's order: an array instance's order
     */
    public List<String> inputColumns() {
        return inputColumns;
    }

    /**
     * @return the numeric columns, in the order {@link #predict} takes their values
     */
    public List<String> numericColumns() {
        return numericColumns;
    }

    /**
     * @return the categorical columns, in the order {@link #predict} takes their values
     */
    public List<String> categoricalColumns() {
        return categoricalColumns;
    }

    /**
     * @param labelled whether the rows hold the label column (evaluation) or not (prediction)
     * @return the schema that reads the model's input columns, and the label if asked, from a CSV
     *     file; every other column is unused
     */
    public ColumnSchema inputSchema(boolean labelled) {
        return ColumnSchema.forModel(
                labelled ? labelColumn : null, numericColumns, categoricalColumns);
    }

    /**
     * @param column index into {@link #categoricalColumns()}
     * @param value a value of that column
     * @return true if the value was seen in training (has a feature of its own)
     */
    public boolean knowsCategory(int column, String value) {
        return categoryIds.get(column).containsKey(value);
    }

    /**
     * Predicts one row.
     *
     * @param numeric the values of {@link #numericColumns()}, in that order, finite
     * @param categorical the values of {@link #categoricalColumns()}, in that order
     * @param scores receives the scores, one per class of {@link #classes()}
     * @return the index in {@link #classes()} of the predicted label
     * @throws PredictionException if the row's decision values are not numbers, which values far
     *     beyond the training data's range can cause by overflowing the dot product
     */
    public int predict(double[] numeric, String[] categorical, double[] scores) {
        int width = numericIds.length + categorical.length;
        int[] ids = new int[width];
        double[] values = new double[width];
        int size = 0;
        for (int c = 0; c < numericIds.length; c++) {
            size = insert(ids, values, size, numericIds[c], numeric[c]);
        }
        for (int c = 0; c < categorical.length; c++) {
            Integer id = categoryIds.get(c).get(categorical[c]);
            if (id != null) {
                size = insert(ids, values, size, id, 1.0);
            }
        }
        // Feature by feature, every class at once: each class's sum still adds its terms in
        // ascending feature order from 0, then the bias, as Tribuo's sparse dot product does.
        int classCount = bias.length;
        java.util.Arrays.fill(scores, 0, classCount, 0.0);
        for (int j = 0; j < size; j++) {
            double value = values[j];
            int base = ids[j] * classCount;
            for (int k = 0; k < classCount; k++) {
                scores[k] += value * byFeature[base + k];
            }
        }
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classCount; k++) {
            double score = scores[k] + bias[k];
            scores[k] = score;
            if (score > bestScore) {
                bestScore = score;
                best = k;
            }
        }
        if (best < 0) {
            throw new PredictionException(
                    "the model's decision values are not numbers (the row's values"
                            + " overflow the weights)");
        }
        if (probabilities) {
            toProbabilities(scores);
        }
        return best;
    }

    /**
     * scikit-learn's one-vs-rest probabilities in place: each sigmoid, divided by their sum ({@code
     * sklearn.linear_model._base.LinearClassifierMixin._predict_proba_lr}).
     */
    static void toProbabilities(double[] scores) {
        double sum = 0;
        for (int k = 0; k < scores.length; k++) {
            scores[k] = 1.0 / (1.0 + Math.exp(-scores[k]));
            sum += scores[k];
        }
        for (int k = 0; k < scores.length; k++) {
            scores[k] = sum > 0 ? scores[k] / sum : 1.0 / scores.length;
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

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
