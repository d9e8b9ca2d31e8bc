package dev.kfptribuo.model;

/**
 * The settings of one training run, with scikit-learn {@code SGDClassifier}'s meanings.
 *
 * @param loss binary loss of each one-vs-rest problem
 * @param alpha L2 penalty strength, positive and finite
 * @param maxIter maximum number of epochs, at least 1
 * @param tol stopping tolerance on the epoch loss, or null for none (scikit-learn's {@code
 *     tol=None})
 * @param nIterNoChange epochs without improvement before a class stops, at least 1
 * @param seed seed of the per-epoch shuffles
 */
public record Hyperparameters(
        BinaryLoss loss, double alpha, int maxIter, Double tol, int nIterNoChange, long seed) {
    /**
     * @throws IllegalArgumentException naming the offending hyperparameter
     */
    public Hyperparameters {
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException(
                    "alpha must be a positive finite number, got " + alpha);
        }
        if (maxIter < 1) {
            throw new IllegalArgumentException("max_iter must be at least 1, got " + maxIter);
        }
        if (tol != null && (tol.isNaN() || tol.isInfinite())) {
            throw new IllegalArgumentException("tol must be a finite number or none, got " + tol);
        }
        if (nIterNoChange < 1) {
            throw new IllegalArgumentException(
                    "n_iter_no_change must be at least 1, got " + nIterNoChange);
        }
    }

    /**
     * @return {@link #tol()} as the trainer takes it: {@code -Infinity} when early stopping is off
     */
    public double effectiveTol() {
        return tol == null ? Double.NEGATIVE_INFINITY : tol;
    }
}
