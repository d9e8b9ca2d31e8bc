package dev.kfptribuo.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one-vs-rest binary problems that {@link SgdClassifierTrainer} solves, one per class, and the
 * epoch pass over them, run for several classes at once on separate threads.
 *
 * <p>Each class's weights are kept as {@code scale * v}, scikit-learn's {@code WeightVector}: the
 * L2 shrink of a step is then one multiplication instead of one per weight. A class's updates
 * depend only on its own weights, the row order and the step number, so splitting the classes
 * between threads gives the same weights, bit for bit, as one thread does. scikit-learn's {@code
 * SGDClassifier} runs its classes in parallel only with {@code n_jobs}; the lab leaves it at one
 * core.
 *
 * <p>Not thread-safe: one fit at a time. {@link #close()} stops the worker threads.
 */
final class OneVsRestSgd implements AutoCloseable {
    /** scikit-learn's clip of the loss derivative ({@code MAX_DLOSS} in {@code _sgd_fast}). */
    private static final double MAX_DLOSS = 1e12;

    /**
     * scikit-learn's {@code SPARSE_INTERCEPT_DECAY}: the lab's {@code ColumnTransformer} yields a
     * sparse matrix (the one-hot columns leave it about 23% dense, under its {@code
     * sparse_threshold} of 0.3), and for sparse input {@code SGDClassifier} scales each intercept
     * step by 0.01.
     */
    private static final double INTERCEPT_DECAY = 0.01;

    /** Below this the lazy weight scale is folded into the weights ({@code WeightVector}). */
    private static final double WSCALE_THRESHOLD = 1e-9;

    private final BinaryLoss loss;
    private final OptimalL2SGD schedule;
    private final double alpha;
    private final int numFeatures;
    private final double[][] v;
    private final double[] wscale;
    private final double[] bias;
    private final int threads;
    private final ExecutorService workers;

    /**
     * @param numClasses number of classes, one binary problem each
     * @param numFeatures weights per class, without the intercept
     * @param loss the binary loss
     * @param schedule the learning rate of each step
     * @param alpha L2 penalty strength
     * @param threads most threads one epoch uses, at least 1; the caller's thread is one of them
     */
    OneVsRestSgd(
            int numClasses,
            int numFeatures,
            BinaryLoss loss,
            OptimalL2SGD schedule,
            double alpha,
            int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.loss = loss;
        this.schedule = schedule;
        this.alpha = alpha;
        this.numFeatures = numFeatures;
        this.v = new double[numClasses][numFeatures];
        this.wscale = new double[numClasses];
        this.bias = new double[numClasses];
        Arrays.fill(wscale, 1.0);
        this.threads = Math.min(threads, numClasses);
        this.workers =
                this.threads == 1
                        ? null
                        : Executors.newFixedThreadPool(
                                this.threads - 1,
                                task -> {
                                    Thread thread = new Thread(task, "sgd-worker");
                                    thread.setDaemon(true);
                                    return thread;
                                });
    }

    /**
     * One pass over the rows in {@code order} for the given classes, steps {@code firstStep + 1}
     * onwards. The classes are shared out round-robin between the threads.
     *
     * @param data standardised rows
     * @param order row indices in visiting order
     * @param firstStep steps taken before this pass, over all epochs
     * @param classes the classes still training, ascending
     * @param epochLoss receives each listed class's summed loss of this pass at its index
     */
    void epoch(SparseRows data, int[] order, long firstStep, int[] classes, double[] epochLoss) {
        int groups = Math.min(threads, classes.length);
        if (groups <= 1) {
            pass(data, order, firstStep, classes, epochLoss);
            return;
        }
        List<Future<?>> running = new ArrayList<>(groups - 1);
        for (int g = 1; g < groups; g++) {
            int[] group = share(classes, g, groups);
            running.add(workers.submit(() -> pass(data, order, firstStep, group, epochLoss)));
        }
        pass(data, order, firstStep, share(classes, 0, groups), epochLoss);
        for (Future<?> future : running) {
            try {
                future.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            }
        }
    }

    private static int[] share(int[] classes, int group, int groups) {
        int[] mine = new int[(classes.length - group + groups - 1) / groups];
        for (int i = 0; i < mine.length; i++) {
            mine[i] = classes[group + i * groups];
        }
        return mine;
    }

    /**
     * The pass for one group of classes. Their state is copied into arrays this thread allocates
     * and owns for the pass, so threads never write to the same cache line.
     */
    private void pass(
            SparseRows data, int[] order, long firstStep, int[] classes, double[] epochLoss) {
        int g = classes.length;
        double[][] weights = new double[g][];
        double[] scale = new double[g];
        double[] intercept = new double[g];
        double[] sum = new double[g];
        for (int c = 0; c < g; c++) {
            weights[c] = v[classes[c]].clone();
            scale[c] = wscale[classes[c]];
            intercept[c] = bias[classes[c]];
        }
        int[] rowStart = data.rowStart;
        int[] indices = data.indices;
        double[] values = data.values;
        long t = firstStep;
        for (int i : order) {
            int from = rowStart[i];
            int to = rowStart[i + 1];
            t++;
            double eta = schedule.learningRate(t);
            double shrink = Math.max(0.0, 1.0 - eta * alpha);
            int target = data.targets[i];
            double rowWeight = data.weights[i];
            for (int c = 0; c < g; c++) {
                double[] w = weights[c];
                double dot = 0;
                for (int j = from; j < to; j++) {
                    dot += w[indices[j]] * values[j];
                }
                double p = dot * scale[c] + intercept[c];
                double y = target == classes[c] ? 1.0 : -1.0;
                double dloss = loss.addLossAndDerivative(p, y, sum, c);
                dloss = Math.max(-MAX_DLOSS, Math.min(MAX_DLOSS, dloss));
                double update = -eta * dloss * rowWeight;
                scale[c] *= shrink;
                if (scale[c] < WSCALE_THRESHOLD) {
                    for (int f = 0; f < numFeatures; f++) {
                        w[f] *= scale[c];
                    }
                    scale[c] = 1.0;
                }
                if (update != 0) {
                    double step = update / scale[c];
                    for (int j = from; j < to; j++) {
                        w[indices[j]] += values[j] * step;
                    }
                    intercept[c] += update * INTERCEPT_DECAY;
                }
            }
        }
        for (int c = 0; c < g; c++) {
            int k = classes[c];
            v[k] = weights[c];
            wscale[k] = scale[c];
            bias[k] = intercept[c];
            epochLoss[k] = sum[c];
        }
    }

    /**
     * @return per class, the weights followed by the intercept
     */
    double[][] weights() {
        double[][] out = new double[v.length][numFeatures + 1];
        for (int k = 0; k < v.length; k++) {
            for (int f = 0; f < numFeatures; f++) {
                out[k][f] = v[k][f] * wscale[k];
            }
            out[k][numFeatures] = bias[k];
        }
        return out;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
