package dev.kfptribuo.model;

import dev.kfptribuo.data.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tribuo.Tribuo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;

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
    public static TrainingResult train(Table table, Hyperparameters hyperparameters, EpochListener listener) {
        SgdClassifierTrainer trainer = new SgdClassifierTrainer(hyperparameters.loss(), hyperparameters.alpha(),
                hyperparameters.maxIter(), hyperparameters.effectiveTol(), hyperparameters.nIterNoChange(),
                hyperparameters.seed(), table.numericColumns());
        return trainer.fit(TrainingRows.of(table), Map.of(), listener);
    }

    /**
     * Describes a trained model for its job dir.
     *
     * @param result the fit
     * @param hyperparameters the settings it used
     * @param table the rows it was trained on
     * @param modelBytes the serialised model, see {@link ModelBundle#serialize}
     * @param seconds wall time of the fit
     * @param createdAt when the model is saved
     * @return the manifest
     * @throws IllegalArgumentException if the table was read without digests
     */
    public static Manifest manifest(TrainingResult result, Hyperparameters hyperparameters, Table table,
            byte[] modelBytes, double seconds, Instant createdAt) {
        List<String> labels = new ArrayList<>();
        result.model().getOutputIDInfo().getDomain().forEach(label -> labels.add(label.getLabel()));
        List<String> features = new ArrayList<>();
        for (VariableInfo info : result.model().getFeatureIDMap()) {
            features.add(info.getName());
        }
        features.sort(null);
        Map<String, List<String>> categorical = new TreeMap<>();
        for (int c = 0; c < table.categoricalColumns().size(); c++) {
            categorical.put(table.categoricalColumns().get(c),
                    List.copyOf(new TreeSet<>(Arrays.asList(table.categorical(c)))));
        }
        List<Manifest.Input> inputs = new ArrayList<>();
        for (var source : table.sources()) {
            if (source.sha256() == null) {
                throw new IllegalArgumentException(source.uri() + " was read without its digest, which a manifest records");
            }
            inputs.add(new Manifest.Input(source.uri(), source.rows(), source.sha256()));
        }
        Manifest.HyperparameterValues values = new Manifest.HyperparameterValues(
                hyperparameters.loss().name().toLowerCase(Locale.ROOT), hyperparameters.alpha(),
                hyperparameters.maxIter(), hyperparameters.tol(), hyperparameters.nIterNoChange(),
                hyperparameters.seed());
        Manifest.Training training = new Manifest.Training(table.rowCount(), result.epochsRun(),
                result.converged(), result.finalLoss(), seconds);
        return new Manifest(ModelBundle.FORMAT_VERSION, ModelBundle.MODEL_FILE, ModelBundle.sha256(modelBytes),
                createdAt.toString(), Tribuo.VERSION, table.schema().labelColumn(), labels,
                result.scaling(), categorical, features, values, training, inputs);
    }
}
