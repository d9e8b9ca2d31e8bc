package dev.kfptribuo.model;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;

/**
 * Plain SGD with scikit-learn's {@code learning_rate='optimal'} schedule and an L2 penalty {@code
 * alpha/2 * ||w||²} on the weights but not on the bias, as in {@code SGDClassifier}.
 *
 * <p>Step {@code t} (1-based, counted over all examples of all epochs) uses the learning rate
 * {@code eta = 1 / (alpha * (t0 + t - 1))}, first shrinks every weight by {@code max(0, 1 - eta *
 * alpha)} and then adds {@code eta} times the loss gradient. {@code t0} is Bottou's heuristic as
 * scikit-learn computes it, see {@link #initialOffset}.
 *
 * <p>Why this exists: Tribuo 4.3.2's linear SGD trainer has no regularisation term
 * (oracle/tribuo#344); {@code Pegasos}, the only optimiser with a penalty, also shrinks the bias
 * and is broken in 4.3.2 (its {@code copy()} swaps its arguments). It is written against Tribuo's
 * {@link StochasticGradientOptimiser} extension point and expects {@link LinearParameters} whose
 * last column is the bias.
 *
 * <p>{@link SgdClassifierTrainer} uses its schedule ({@link #learningRate}) in its own loop. {@link
 * #initialise} and {@link #step} are supported API all the same: a Tribuo {@code LinearSGDTrainer}
 * takes its optimiser as a {@link StochasticGradientOptimiser}, and they are that interface's
 * contract, the same update for Tribuo's stock SGD trainers (tested in {@code OptimalL2SGDTest}).
 */
public final class OptimalL2SGD implements StochasticGradientOptimiser {
    @Config(mandatory = true, description = "L2 penalty strength, scikit-learn's alpha.")
    private double alpha;

    @Config(mandatory = true, description = "Offset t0 of the optimal learning-rate schedule.")
    private double t0;

    private DenseMatrix weights;
    private long t;
    private double lastRate;

    /** For OLCUT configuration only. */
    private OptimalL2SGD() {}

    /**
     * @param alpha L2 penalty strength, positive
     * @param t0 schedule offset, see {@link #initialOffset}
     * @throws IllegalArgumentException if alpha or t0 is not positive and finite
     */
    public OptimalL2SGD(double alpha, double t0) {
        if (!(alpha > 0) || !Double.isFinite(alpha) || !(t0 > 0) || !Double.isFinite(t0)) {
            throw new IllegalArgumentException(
                    "alpha and t0 must be positive and finite: " + alpha + ", " + t0);
        }
        this.alpha = alpha;
        this.t0 = t0;
    }

    /**
     * scikit-learn's offset for the optimal schedule: {@code typw = sqrt(1 / sqrt(alpha))}, {@code
     * eta0 = typw / max(1, |dloss(-typw, 1)|)}, {@code t0 = 1 / (eta0 * alpha)}.
     *
     * @param loss the binary loss
     * @param alpha the L2 penalty strength
     * @return t0
     */
    public static double initialOffset(BinaryLoss loss, double alpha) {
        double typw = Math.sqrt(1.0 / Math.sqrt(alpha));
        double eta0 = typw / Math.max(1.0, Math.abs(loss.dloss(-typw, 1.0)));
        return 1.0 / (eta0 * alpha);
    }

    /**
     * @param t the 1-based step number, counted over all examples of all epochs
     * @return the learning rate of that step, {@code 1 / (alpha * (t0 + t - 1))}
     */
    public double learningRate(long t) {
        return 1.0 / (alpha * (t0 + t - 1));
    }

    @Override
    public void initialise(Parameters parameters) {
        if (!(parameters instanceof LinearParameters linear)) {
            throw new IllegalArgumentException(
                    "OptimalL2SGD needs LinearParameters, got " + parameters.getClass().getName());
        }
        weights = linear.getWeightMatrix();
        t = 0;
    }

    /**
     * @return the learning rate of the last step, 0 before the first
     */
    public double lastLearningRate() {
        return lastRate;
    }

    /**
     * Shrinks the weights in place and scales the gradients by the learning rate.
     *
     * @param updates the loss gradients (negative derivatives), scaled in place
     * @param weight the example weight
     * @return {@code updates}, ready for {@link Parameters#update}
     */
    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        t++;
        double eta = learningRate(t);
        lastRate = eta;
        double shrink = Math.max(0.0, 1.0 - eta * alpha);
        int rows = weights.getDimension1Size();
        int bias = weights.getDimension2Size() - 1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < bias; c++) {
                weights.set(r, c, weights.get(r, c) * shrink);
            }
        }
        for (Tensor update : updates) {
            update.scaleInPlace(eta * weight);
        }
        return updates;
    }

    @Override
    public void reset() {
        weights = null;
        t = 0;
        lastRate = 0;
    }

    @Override
    public OptimalL2SGD copy() {
        return new OptimalL2SGD(alpha, t0);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "StochasticGradientOptimiser");
    }

    @Override
    public String toString() {
        return "OptimalL2SGD(alpha=" + alpha + ",t0=" + t0 + ")";
    }
}
