package dev.kfptribuo.model;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.classification.sgd.LabelObjective;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.util.NoopNormalizer;
import org.tribuo.math.util.VectorNormalizer;

/**
 * A Tribuo {@link LabelObjective} that scores each class as its own binary problem (one class
 * against the rest), as scikit-learn's {@code SGDClassifier} does for more than two classes.
 *
 * <p>Tribuo 4.3.2's own objectives are multiclass ({@code LogMulticlass} is softmax, {@code Hinge}
 * is a multiclass hinge), so they train a different model than the lab's. The gradient follows
 * Tribuo's convention: it is the negative derivative of the loss, which Tribuo's parameters add.
 *
 * <p>Supported API, though our own epoch loop ({@link OneVsRestSgd}) calls only {@link #perClass}:
 * {@link SgdClassifierTrainer} is a Tribuo {@code LinearSGDTrainer}, which takes its objective as a
 * {@link LabelObjective}, and {@link #lossAndGradient} is that interface's per-example contract,
 * what Tribuo's stock SGD trainers call when a user gives them this objective (tested against the
 * losses' closed forms in {@code OneVsRestObjectiveTest}).
 */
public final class OneVsRestObjective implements LabelObjective {
    @Config(
            mandatory = true,
            description = "The binary loss applied to each class against the rest.")
    private BinaryLoss loss;

    /** For OLCUT configuration only. */
    private OneVsRestObjective() {}

    /**
     * @param loss the binary loss applied to each class
     */
    public OneVsRestObjective(BinaryLoss loss) {
        this.loss = loss;
    }

    /**
     * @return the binary loss
     */
    public BinaryLoss loss() {
        return loss;
    }

    /**
     * Per-class losses and gradients for one example.
     *
     * @param truth index of the true class
     * @param prediction the decision values, one per class
     * @param losses receives the loss of each class's binary problem
     * @param gradient receives the negative derivative of each class's loss
     */
    public void perClass(int truth, double[] prediction, double[] losses, double[] gradient) {
        for (int k = 0; k < prediction.length; k++) {
            double y = k == truth ? 1.0 : -1.0;
            losses[k] = loss.loss(prediction[k], y);
            gradient[k] = -loss.dloss(prediction[k], y);
        }
    }

    /**
     * @param truth index of the true class
     * @param prediction the decision values, one per class
     * @return the sum of the per-class losses, and the per-class gradients
     */
    @Override
    public Pair<Double, SGDVector> lossAndGradient(Integer truth, SGDVector prediction) {
        double[] p = prediction.toArray();
        double[] losses = new double[p.length];
        double[] gradient = new double[p.length];
        perClass(truth, p, losses, gradient);
        double sum = 0;
        for (double l : losses) {
            sum += l;
        }
        return new Pair<>(sum, DenseVector.createDenseVector(gradient));
    }

    /**
     * Tribuo 4.3's deprecated form of {@link #lossAndGradient}, which the interface still declares.
     *
     * @deprecated use {@link #lossAndGradient}
     */
    @Deprecated
    @Override
    public Pair<Double, SGDVector> valueAndGradient(int truth, SGDVector prediction) {
        return lossAndGradient(truth, prediction);
    }

    /**
     * The normalizer the trained model applies to its decision values: Tribuo's {@link
     * NoopNormalizer} for either loss, so the model's scores are the one-vs-rest decision values
     * (scikit-learn's {@code decision_function}) and its label their first largest, as
     * scikit-learn's {@code predict}. Tribuo has no stock normalizer for scikit-learn's one-vs-rest
     * probabilities (each sigmoid divided by their sum; its {@code SigmoidNormalizer} stops after
     * the sigmoid and can tie labels where the sigmoid rounds to 1), so the probabilities are
     * computed from the scores by the caller: {@code dev.kfptribuo.prediction}, or any Tribuo user
     * as the manifest describes.
     *
     * @return a {@link NoopNormalizer}
     */
    @Override
    public VectorNormalizer getNormalizer() {
        return new NoopNormalizer();
    }

    /**
     * @return false: the model's scores are decision values, not probabilities
     */
    @Override
    public boolean isProbabilistic() {
        return false;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "LabelObjective");
    }

    @Override
    public String toString() {
        return "OneVsRestObjective(loss=" + loss + ")";
    }
}
