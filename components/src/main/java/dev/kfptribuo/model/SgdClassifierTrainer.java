package dev.kfptribuo.model;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.common.sgd.AbstractSGDTrainer;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;

/**
 * A Tribuo trainer for the model of scikit-learn's {@code SGDClassifier} in the lab's pipeline:
 * numeric features standardised, one linear classifier per class against the rest, plain SGD
 * with the {@code 'optimal'} learning rate, an L2 penalty of strength {@code alpha}, at most
 * {@code max_iter} epochs and early stopping on {@code tol}.
 *
 * <p>Early stopping follows scikit-learn: after each epoch, a class's binary problem counts an
 * epoch without improvement when its summed training loss is above {@code best - tol * n}; after
 * {@code n_iter_no_change} such epochs in a row it stops. Training ends when every class has
 * stopped or after {@code max_iter} epochs; the epochs run is the largest count of any class.
 * A tolerance of {@link Double#NEGATIVE_INFINITY} switches early stopping off.
 *
 * <p>Why this subclass: Tribuo 4.3.2's SGD trainers always run a fixed number of epochs, with no
 * convergence test (oracle/tribuo#293), and have no L2 penalty (oracle/tribuo#344). This class
 * keeps Tribuo's parameters, objective, optimiser and model types and replaces only the epoch loop
 * of {@link AbstractSGDTrainer#train}. It also standardises the listed features itself (see
 * {@link StandardScaling}) and folds the standardisation into the final weights, so the returned
 * {@link LinearSGDModel} predicts from raw feature values.
 */
public final class SgdClassifierTrainer extends LinearSGDTrainer {
    /** scikit-learn's default number of epochs without improvement before stopping. */
    public static final int DEFAULT_N_ITER_NO_CHANGE = 5;

    @Config(description = "L2 penalty strength, scikit-learn's alpha.")
    private double alpha;

    @Config(description = "Stopping tolerance on the epoch loss; -Infinity switches it off.")
    private double tol;

    @Config(description = "Epochs without improvement before a class stops.")
    private int nIterNoChange = DEFAULT_N_ITER_NO_CHANGE;

    @Config(description = "Features standardised to zero mean and unit variance.")
    private List<String> standardizedFeatures;

    /**
     * @param loss the binary loss of each one-vs-rest problem
     * @param alpha L2 penalty strength, positive
     * @param maxIter maximum number of epochs, at least 1
     * @param tol stopping tolerance, or {@link Double#NEGATIVE_INFINITY} for none
     * @param nIterNoChange epochs without improvement before a class stops, at least 1
     * @param seed seed of the per-epoch shuffles
     * @param standardizedFeatures names of the numeric features to standardise
     * @throws IllegalArgumentException if alpha is not positive and finite, maxIter or
     *     nIterNoChange is below 1, or tol is NaN
     */
    public SgdClassifierTrainer(BinaryLoss loss, double alpha, int maxIter, double tol, int nIterNoChange,
            long seed, Collection<String> standardizedFeatures) {
        this(loss, new OptimalL2SGD(alpha, OptimalL2SGD.initialOffset(loss, alpha)), alpha, maxIter, tol,
                nIterNoChange, seed, standardizedFeatures);
    }

    /** With an explicit optimiser: for tests that need a schedule the public constructor never makes. */
    SgdClassifierTrainer(BinaryLoss loss, OptimalL2SGD optimiser, double alpha, int maxIter, double tol,
            int nIterNoChange, long seed, Collection<String> standardizedFeatures) {
        super(new OneVsRestObjective(loss), optimiser, maxIter, -1, 1, seed);
        if (maxIter < 1) {
            throw new IllegalArgumentException("max_iter must be at least 1, got " + maxIter);
        }
        if (nIterNoChange < 1) {
            throw new IllegalArgumentException("n_iter_no_change must be at least 1, got " + nIterNoChange);
        }
        if (Double.isNaN(tol)) {
            throw new IllegalArgumentException("tol must be a number or -Infinity");
        }
        this.alpha = alpha;
        this.tol = tol;
        this.nIterNoChange = nIterNoChange;
        this.standardizedFeatures = List.copyOf(standardizedFeatures);
    }

    @Override
    public LinearSGDModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (invocationCount != INCREMENT_INVOCATION_COUNT) {
            setInvocationCount(invocationCount);
        }
        return fit(examples, runProvenance, (e, l, a, t) -> { }).model();
    }

    /**
     * Trains, reporting each epoch.
     *
     * @param examples the training rows, with raw feature values
     * @param runProvenance extra provenance recorded with the model
     * @param listener receives one call per epoch
     * @return the model and the training summary
     * @throws IllegalArgumentException if the dataset is empty or has unknown labels
     * @throws TrainingDivergedException if the loss or the weights stop being finite
     */
    public TrainingResult fit(Dataset<Label> examples, Map<String, Provenance> runProvenance,
            EpochListener listener) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        if (examples.getOutputInfo().getUnknownCount() > 0) {
            throw new IllegalArgumentException("the training data has unknown labels");
        }
        SplittableRandom localRng;
        OptimalL2SGD optimiserCopy;
        TrainerProvenance trainerProvenance;
        synchronized (this) {
            int count = getInvocationCount();
            localRng = rng.split();
            optimiserCopy = (OptimalL2SGD) optimiser.copy();
            trainerProvenance = getProvenance();
            setInvocationCount(count + 1);
        }
        OneVsRestObjective objective = (OneVsRestObjective) getObjective();
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        int numFeatures = featureMap.size();
        int numClasses = outputInfo.size();
        int n = examples.size();

        StandardScaling scaling = StandardScaling.fit(examples, standardizedFeatures);
        SGDVector[] features = new SGDVector[n];
        Integer[] targets = new Integer[n];
        double[] weights = new double[n];
        encode(examples, featureMap, outputInfo, scaling, features, targets, weights);

        LinearParameters parameters = createParameters(numFeatures, numClasses, localRng);
        optimiserCopy.initialise(parameters);

        boolean earlyStopping = tol > Double.NEGATIVE_INFINITY;
        double[] bestLoss = new double[numClasses];
        Arrays.fill(bestLoss, Double.POSITIVE_INFINITY);
        int[] noImprovement = new int[numClasses];
        boolean[] active = new boolean[numClasses];
        Arrays.fill(active, true);
        int activeCount = numClasses;
        double[] epochLoss = new double[numClasses];
        double[] losses = new double[numClasses];
        double[] gradient = new double[numClasses];
        double meanLoss = Double.NaN;
        long start = System.nanoTime();
        int epoch = 0;
        while (epoch < epochs && activeCount > 0) {
            epoch++;
            AbstractSGDTrainer.shuffleInPlace(features, targets, weights, localRng);
            Arrays.fill(epochLoss, 0);
            for (int i = 0; i < n; i++) {
                double[] prediction = parameters.predict(features[i]).toArray();
                objective.perClass(targets[i], prediction, losses, gradient);
                for (int k = 0; k < numClasses; k++) {
                    epochLoss[k] += losses[k];
                    if (!active[k]) {
                        gradient[k] = 0;
                    }
                }
                Tensor[] gradients = parameters.gradients(
                        new Pair<>(0.0, DenseVector.createDenseVector(gradient)), features[i]);
                parameters.update(optimiserCopy.step(gradients, weights[i]));
            }
            double total = 0;
            for (double l : epochLoss) {
                total += l;
            }
            meanLoss = total / n;
            if (!Double.isFinite(meanLoss)) {
                throw new TrainingDivergedException("training diverged in epoch " + epoch
                        + ": the loss is not finite (alpha=" + alpha
                        + "); try a larger alpha, or look for extreme values in the data");
            }
            for (int k = 0; k < numClasses; k++) {
                if (!active[k]) {
                    continue;
                }
                if (earlyStopping && epochLoss[k] > bestLoss[k] - tol * n) {
                    noImprovement[k]++;
                } else {
                    noImprovement[k] = 0;
                }
                bestLoss[k] = Math.min(bestLoss[k], epochLoss[k]);
                if (noImprovement[k] >= nIterNoChange) {
                    active[k] = false;
                    optimiserCopy.freeze(k);
                    activeCount--;
                }
            }
            listener.onEpoch(epoch, meanLoss, activeCount, System.nanoTime() - start);
        }
        fold(parameters.getWeightMatrix(), scaling, numFeatures, epoch);
        ModelProvenance provenance = new ModelProvenance(LinearSGDModel.class.getName(), OffsetDateTime.now(),
                examples.getProvenance(), trainerProvenance, runProvenance);
        LinearSGDModel model = createModel(getName(), provenance, featureMap, outputInfo, parameters);
        return new TrainingResult(model, epoch, activeCount == 0, meanLoss, scaling.scales());
    }

    /** Builds each example's standardised vector, with the bias feature 1 at index numFeatures. */
    private static void encode(Dataset<Label> examples, ImmutableFeatureMap featureMap,
            ImmutableOutputInfo<Label> outputInfo, StandardScaling scaling,
            SGDVector[] features, Integer[] targets, double[] weights) {
        int numFeatures = featureMap.size();
        double[] base = new double[numFeatures + 1];
        double[] mean = new double[numFeatures];
        double[] inverseScale = new double[numFeatures];
        Arrays.fill(inverseScale, 1.0);
        for (int i = 0; i < scaling.size(); i++) {
            int id = scaling.featureId(i);
            FeatureScale scale = scaling.scales().get(i);
            mean[id] = scale.mean();
            inverseScale[id] = 1.0 / scale.scale();
            base[id] = -scale.mean() / scale.scale();
        }
        base[numFeatures] = 1.0;
        double[] dense = new double[numFeatures + 1];
        int[] indices = new int[numFeatures + 1];
        double[] values = new double[numFeatures + 1];
        int row = 0;
        for (Example<Label> example : examples) {
            System.arraycopy(base, 0, dense, 0, dense.length);
            for (Feature feature : example) {
                int id = featureMap.getID(feature.getName());
                if (id >= 0) {
                    dense[id] = (feature.getValue() - mean[id]) * inverseScale[id];
                }
            }
            int nonZero = 0;
            for (int id = 0; id < dense.length; id++) {
                if (dense[id] != 0) {
                    indices[nonZero] = id;
                    values[nonZero] = dense[id];
                    nonZero++;
                }
            }
            features[row] = SparseVector.createSparseVector(dense.length,
                    Arrays.copyOf(indices, nonZero), Arrays.copyOf(values, nonZero));
            targets[row] = outputInfo.getID(example.getOutput());
            weights[row] = example.getWeight();
            row++;
        }
    }

    /**
     * Rewrites weights learnt on standardised features as weights on raw features:
     * {@code w' = w / scale} and {@code b' = b - sum(w * mean / scale)}.
     */
    private static void fold(DenseMatrix weights, StandardScaling scaling, int numFeatures, int epoch) {
        int bias = numFeatures;
        if (weights.getDimension2Size() != numFeatures + 1) {
            throw new IllegalStateException("expected a bias column at " + bias);
        }
        for (int i = 0; i < scaling.size(); i++) {
            int id = scaling.featureId(i);
            FeatureScale scale = scaling.scales().get(i);
            for (int k = 0; k < weights.getDimension1Size(); k++) {
                double w = weights.get(k, id);
                weights.set(k, id, w / scale.scale());
                weights.set(k, bias, weights.get(k, bias) - w * scale.mean() / scale.scale());
            }
        }
        for (int k = 0; k < weights.getDimension1Size(); k++) {
            for (int c = 0; c <= bias; c++) {
                if (!Double.isFinite(weights.get(k, c))) {
                    throw new TrainingDivergedException("training diverged by epoch " + epoch
                            + ": a weight is not finite; try a larger alpha");
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SgdClassifierTrainer(loss=" + ((OneVsRestObjective) getObjective()).loss()
                + ",alpha=" + alpha + ",max_iter=" + epochs + ",tol=" + tol + ",seed=" + seed + ")";
    }
}
