package dev.kfptribuo.model;

import dev.kfptribuo.data.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tribuo.Tribuo;

/**
 * Trains the lab's classifier on a {@link Table}: numeric columns standardised, categorical columns
 * one-hot, {@link SgdClassifierTrainer} with the given {@link Hyperparameters}; and describes the
 * result as a {@link Manifest}.
 */
public final class ModelTraining {
    private ModelTraining() {}

    /**
     * @param table the training rows
     * @param hyperparameters the settings
     * @param listener receives one call per epoch
     * @return the trained model and what the fit did
     * @throws TrainingDivergedException if the fit diverges
     */
    public static TrainingResult train(
            Table table, Hyperparameters hyperparameters, EpochListener listener) {
        SgdClassifierTrainer trainer =
                new SgdClassifierTrainer(
                        hyperparameters.loss(),
                        hyperparameters.alpha(),
                        hyperparameters.maxIter(),
                        hyperparameters.effectiveTol(),
                        hyperparameters.nIterNoChange(),
                        hyperparameters.seed(),
                        table.numericColumns());
        return trainer.fit(TrainingRows.of(table), Map.of(), listener);
    }

    /** The manifest's {@code feature_encoding}. */
    static final String FEATURE_ENCODING =
            "one value per name of 'features', in that order (the model's feature IDs;"
                    + " the ONNX input's columns): a numeric column's raw value (the standardisation in 'numeric_columns' is"
                    + " folded into the weights), 1 for 'column@value' where a categorical column holds value, 0 for every"
                    + " other feature (a category unseen in training sets none)";

    /** The manifest's {@code model.scores}. */
    static final String MODEL_SCORES =
            "the decision values w.x + b of the one-vs-rest classifiers, one per label"
                    + " (Tribuo's NoopNormalizer; scikit-learn's decision_function); the predicted label is the first largest";

    /** The manifest's {@code probabilities}, for the log loss. */
    static final String PROBABILITIES =
            "scikit-learn's predict_proba from the model's scores s (one per label):"
                    + " p_k = sigmoid(s_k) / sum_j sigmoid(s_j), with sigmoid(s) = 1 / (1 + exp(-s));"
                    + " uniform if every sigmoid is 0";

    /**
     * Describes a trained model: what {@link ModelBundle} writes beside it, before the files'
     * digests are known.
     *
     * @param result the fit
     * @param hyperparameters the settings it used
     * @param table the rows it was trained on
     * @param seconds wall time of the fit
     * @param createdAt when the model is saved
     * @return the manifest, without the files' digests
     */
    public static Manifest manifest(
            TrainingResult result,
            Hyperparameters hyperparameters,
            Table table,
            double seconds,
            Instant createdAt) {
        List<String> features = ModelBundle.features(result.model());
        Map<String, List<String>> categorical = new TreeMap<>();
        for (int c = 0; c < table.categoricalColumns().size(); c++) {
            categorical.put(
                    table.categoricalColumns().get(c),
                    List.copyOf(new TreeSet<>(Arrays.asList(table.categorical(c)))));
        }
        List<Manifest.Input> inputs = new ArrayList<>();
        for (var source : table.sources()) {
            inputs.add(new Manifest.Input(source.uri(), source.rows(), source.sha256()));
        }
        String loss = hyperparameters.loss().name().toLowerCase(Locale.ROOT);
        Manifest.HyperparameterValues values =
                new Manifest.HyperparameterValues(
                        loss,
                        hyperparameters.alpha(),
                        hyperparameters.maxIter(),
                        hyperparameters.tol(),
                        hyperparameters.nIterNoChange(),
                        hyperparameters.seed());
        Manifest.Training training =
                new Manifest.Training(
                        table.rowCount(),
                        result.epochsRun(),
                        result.converged(),
                        result.finalLoss(),
                        seconds);
        boolean probabilities = hyperparameters.loss() == BinaryLoss.LOG;
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put(OnnxExport.SCORES, "float32[batch, labels]: " + MODEL_SCORES);
        if (probabilities) {
            outputs.put(OnnxExport.PROBABILITIES, "float32[batch, labels]: " + PROBABILITIES);
        }
        return new Manifest(
                ModelBundle.FORMAT_VERSION,
                createdAt.toString(),
                Tribuo.VERSION,
                new Manifest.ModelFile(
                        ModelBundle.MODEL_FILE,
                        null,
                        result.model().getClass().getName(),
                        MODEL_SCORES),
                new Manifest.OnnxFile(
                        ModelBundle.ONNX_FILE,
                        null,
                        OnnxExport.OPSET,
                        OnnxExport.INPUT,
                        List.of(-1, features.size()),
                        outputs),
                probabilities ? PROBABILITIES : null,
                table.schema().labelColumn(),
                ModelBundle.labels(result.model()),
                table.featureColumns(),
                FEATURE_ENCODING,
                features,
                result.scaling(),
                categorical,
                table.schema().ignoredColumns(),
                values,
                training,
                inputs);
    }
}
