package dev.kfptribuo.model;

/** Receives a report after each training epoch, for progress logs. */
@FunctionalInterface
public interface EpochListener {
    /**
     * @param epoch 1-based epoch number
     * @param meanLoss the training loss of the epoch, summed over the one-vs-rest problems and
     *     averaged over examples (before each example's update, as scikit-learn reports it)
     * @param activeClasses classes whose binary problem has not converged yet
     * @param elapsedNanos time since training started
     */
    void onEpoch(int epoch, double meanLoss, int activeClasses, long elapsedNanos);
}
