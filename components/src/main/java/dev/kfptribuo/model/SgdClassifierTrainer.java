package dev.kfptribuo.model;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.provenance.ModelProvenance;

/**
 * A Tribuo trainer for the model of scikit-learn's {@code SGDClassifier} in the lab's pipeline:
 * numeric features standardised, one linear classifier per class against the rest, plain SGD with
 * the {@code 'optimal'} learning rate, an L2 penalty of strength {@code alpha}, at most {@code
 * max_iter} epochs and early stopping on {@code tol}.
 *
 * <p>Early stopping follows scikit-learn: after each epoch, a class's binary problem counts an
 * epoch without improvement when its summed training loss is above {@code best - tol * n}; after
 * {@code n_iter_no_change} such epochs in a row it stops. Training ends when every class has
 * stopped or after {@code max_iter} epochs; the epochs run is the largest count of any class. A
 * tolerance of {@link Double#NEGATIVE_INFINITY} switches early stopping off.
 *
 * <p>Why this subclass: Tribuo 4.3.2's SGD trainers always run a fixed number of epochs, with no
 * convergence test (oracle/tribuo#293), and have no L2 penalty (oracle/tribuo#344). This class
 * keeps Tribuo's dataset, feature and output maps, objective ({@link OneVsRestObjective}),
 * optimiser settings ({@link OptimalL2SGD}, recorded in the provenance) and model type, and
 * replaces the epoch loop of {@code AbstractSGDTrainer.train}. The loop ({@link OneVsRestSgd})
 * works on primitive arrays with scikit-learn's lazily scaled weight vectors, the classes shared
 * out between threads ({@link #setThreads}): Tribuo's per-example tensors cost about ten times more
 * per step, which dominated a whole training run. Each epoch visits the rows in one shuffled order
 * for all classes (scikit-learn shuffles each class's problem with its own seed). It standardises
 * the listed features itself (see {@link StandardScaling}) and folds the standardisation into the
 * final weights, so the returned {@link LinearSGDModel} predicts from raw feature values.
 */
public final class SgdClassifierTrainer extends LinearSGDTrainer {
    /**
     * What a saved model's provenance names as its trainer, in the instance value {@code
     * trained-by}.
     */
    static final String TRAINED_BY =
            "kfp-tribuo: scikit-learn SGDClassifier semantics (one-vs-rest binary loss,"
                    + " learning_rate='optimal', L2 penalty alpha sparing the intercept, numeric features standardised"
                    + " and the scaling folded into the weights)";

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

    // Not part of the provenance: the model is the same for any number of threads.
    private volatile int threads = Runtime.getRuntime().availableProcessors();

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
    public SgdClassifierTrainer(
            BinaryLoss loss,
            double alpha,
            int maxIter,
            double tol,
            int nIterNoChange,
            long seed,
            Collection<String> standardizedFeatures) {
        this(
                loss,
                new OptimalL2SGD(alpha, OptimalL2SGD.initialOffset(loss, alpha)),
                alpha,
                maxIter,
                tol,
                nIterNoChange,
                seed,
                standardizedFeatures);
    }

    /**
     * With an explicit optimiser: for tests that need a schedule the public constructor never
     * makes.
     */
    SgdClassifierTrainer(
            BinaryLoss loss,
            OptimalL2SGD optimiser,
            double alpha,
            int maxIter,
            double tol,
            int nIterNoChange,
            long seed,
            Collection<String> standardizedFeatures) {
        super(new OneVsRestObjective(loss), optimiser, maxIter, -1, 1, seed);
        if (maxIter < 1) {
            throw new IllegalArgumentException("max_iter must be at least 1, got " + maxIter);
        }
        if (nIterNoChange < 1) {
            throw new IllegalArgumentException(
                    "n_iter_no_change must be at least 1, got " + nIterNoChange);
        }
        if (Double.isNaN(tol)) {
            throw new IllegalArgumentException("tol must be a number or -Infinity");
        }
        this.alpha = alpha;
        this.tol = tol;
        this.nIterNoChange = nIterNoChange;
        this.standardizedFeatures = List.copyOf(standardizedFeatures);
    }

    /**
     * Sets how many threads a fit uses; by default, as many as the JVM sees processors (a
     * container's CPU limit, or {@code -XX:ActiveProcessorCount}). The classes' binary problems are
     * shared out between them, so more threads than classes do not help, and the model is the same,
     * bit for bit, for any count.
     *
     * @param threads at least 1
     * @return this trainer
     * @throws IllegalArgumentException if threads is below 1
     */
    public SgdClassifierTrainer setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        return this;
    }

    @Override
    public LinearSGDModel train(
            Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        if (invocationCount != INCREMENT_INVOCATION_COUNT) {
            setInvocationCount(invocationCount);
        }
        return fit(examples, runProvenance, (e, l, a, t) -> {}).model();
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
    public TrainingResult fit(
            Dataset<Label> examples,
            Map<String, Provenance> runProvenance,
            EpochListener listener) {
        if (examples.getOutputInfo().getUnknownCount() > 0) {
            throw new IllegalArgumentException("the training data has unknown labels");
        }
        return fit(TrainingRows.of(examples), runProvenance, listener);
    }

    /**
     * Trains on rows encoded without Tribuo examples (see {@link
     * TrainingRows#of(dev.kfptribuo.data.Table)}), reporting each epoch.
     *
     * @param training the training rows, with raw feature values
     * @param runProvenance extra provenance recorded with the model
     * @param listener receives one call per epoch
     * @return the model and the training summary
     * @throws IllegalArgumentException if there are no rows
     * @throws TrainingDivergedException if the loss or the weights stop being finite
     */
    public TrainingResult fit(
            TrainingRows training, Map<String, Provenance> runProvenance, EpochListener listener) {
        if (training.size() == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        SplittableRandom localRng;
        OptimalL2SGD optimiserCopy;
        synchronized (this) {
            int count = getInvocationCount();
            localRng = rng.split();
            optimiserCopy = (OptimalL2SGD) optimiser.copy();
            setInvocationCount(count + 1);
        }
        BinaryLoss loss = ((OneVsRestObjective) getObjective()).loss();
        ImmutableFeatureMap featureMap = training.featureMap;
        ImmutableOutputInfo<Label> outputInfo = training.outputInfo;
        int numFeatures = featureMap.size();
        int numClasses = outputInfo.size();
        int n = training.size();

        TrainingRows.Standardized standardized = training.standardized(standardizedFeatures);
        StandardScaling scaling = standardized.scaling();
        SparseRows data = standardized.rows();

        boolean earlyStopping = tol > Double.NEGATIVE_INFINITY;
        double[] bestLoss = new double[numClasses];
        Arrays.fill(bestLoss, Double.POSITIVE_INFINITY);
        int[] noImprovement = new int[numClasses];
        boolean[] active = new boolean[numClasses];
        Arrays.fill(active, true);
        int activeCount = numClasses;
        // A stopped class's weights no longer change, so its epoch loss stays as last measured.
        double[] epochLoss = new double[numClasses];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double meanLoss = Double.NaN;
        long start = System.nanoTime();
        int epoch = 0;
        double[][] weights;
        try (OneVsRestSgd problems =
                new OneVsRestSgd(numClasses, numFeatures, loss, optimiserCopy, alpha, threads)) {
            while (epoch < epochs && activeCount > 0) {
                shuffle(order, localRng);
                problems.epoch(
                        data,
                        order,
                        (long) epoch * n,
                        activeClasses(active, activeCount),
                        epochLoss);
                epoch++;
                double total = 0;
                for (double l : epochLoss) {
                    total += l;
                }
                meanLoss = total / n;
                if (!Double.isFinite(meanLoss)) {
                    throw new TrainingDivergedException(
                            "training diverged in epoch "
                                    + epoch
                                    + ": the loss is not finite (alpha="
                                    + alpha
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
                        activeCount--;
                    }
                }
                listener.onEpoch(epoch, meanLoss, activeCount, System.nanoTime() - start);
            }
            weights = problems.weights();
        }
        fold(weights, scaling, numFeatures, epoch);
        LinearParameters parameters = new LinearParameters(DenseMatrix.createDenseMatrix(weights));
        boolean converged = activeCount == 0;
        ModelProvenance provenance =
                StockProvenance.model(
                        training.provenance,
                        instanceValues(loss, epoch, converged, meanLoss, runProvenance));
        // createModel gives the model the objective's normalizer: Tribuo's NoopNormalizer, so its
        // scores are the decision values and its label their first largest, as scikit-learn's
        // predict.
        LinearSGDModel model =
                createModel(getName(), provenance, featureMap, outputInfo, parameters);
        return new TrainingResult(model, epoch, converged, meanLoss, scaling.scales());
    }

    /**
     * What this fit was, as primitive provenances a stock Tribuo reads: the settings under
     * scikit-learn's names, and what the loop did.
     */
    private Map<String, Provenance> instanceValues(
            BinaryLoss loss,
            int epochsRun,
            boolean converged,
            double finalLoss,
            Map<String, Provenance> runProvenance) {
        Map<String, Provenance> values = new java.util.LinkedHashMap<>(runProvenance);
        values.put("trained-by", new StringProvenance("trained-by", TRAINED_BY));
        values.put(
                "loss",
                new StringProvenance("loss", loss.name().toLowerCase(java.util.Locale.ROOT)));
        values.put("alpha", new DoubleProvenance("alpha", alpha));
        values.put("max_iter", new IntProvenance("max_iter", epochs));
        values.put(
                "tol",
                tol > Double.NEGATIVE_INFINITY
                        ? new DoubleProvenance("tol", tol)
                        : new StringProvenance("tol", "none"));
        values.put("n_iter_no_change", new IntProvenance("n_iter_no_change", nIterNoChange));
        values.put("seed", new LongProvenance("seed", seed));
        values.put(
                "standardized_features",
                new StringProvenance(
                        "standardized_features", String.join(",", standardizedFeatures)));
        values.put("epochs_run", new IntProvenance("epochs_run", epochsRun));
        values.put("converged", new BooleanProvenance("converged", converged));
        values.put("final_loss", new DoubleProvenance("final_loss", finalLoss));
        return values;
    }

    private static int[] activeClasses(boolean[] active, int count) {
        int[] classes = new int[count];
        int next = 0;
        for (int k = 0; k < active.length; k++) {
            if (active[k]) {
                classes[next++] = k;
            }
        }
        return classes;
    }

    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length; i > 1; i--) {
            int j = rng.nextInt(i);
            int swap = order[i - 1];
            order[i - 1] = order[j];
            order[j] = swap;
        }
    }

    /**
     * Rewrites weights learnt on standardised features as weights on raw features: {@code w' = w /
     * scale} and {@code b' = b - sum(w * mean / scale)}.
     */
    private static void fold(
            double[][] weights, StandardScaling scaling, int numFeatures, int epoch) {
        int bias = numFeatures;
        for (int i = 0; i < scaling.size(); i++) {
            int id = scaling.featureId(i);
            FeatureScale scale = scaling.scales().get(i);
            for (double[] row : weights) {
                double w = row[id];
                row[id] = w / scale.scale();
                row[bias] -= w * scale.mean() / scale.scale();
            }
        }
        for (double[] row : weights) {
            for (int c = 0; c <= bias; c++) {
                if (!Double.isFinite(row[c])) {
                    throw new TrainingDivergedException(
                            "training diverged by epoch "
                                    + epoch
                                    + ": a weight is not finite; try a larger alpha");
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SgdClassifierTrainer(loss="
                + ((OneVsRestObjective) getObjective()).loss()
                + ",alpha="
                + alpha
                + ",max_iter="
                + epochs
                + ",tol="
                + tol
                + ",seed="
                + seed
                + ")";
    }
}
