package dev.kfptribuo.model;

import java.util.List;
import org.tribuo.classification.sgd.linear.LinearSGDModel;

/**
 * A trained model and what happened while training it.
 *
 * @param model the Tribuo model; it takes raw (unscaled) feature values, the standardisation is
 *     folded into its weights
 * @param epochsRun epochs actually run: the most any one-vs-rest problem needed, as scikit-learn's
 *     {@code n_iter_}
 * @param converged true if every problem met the tolerance before {@code max_iter}
 * @param finalLoss the mean training loss of the last epoch
 * @param scaling the standardisation applied to the numeric features
 */
public record TrainingResult(
        LinearSGDModel model,
        int epochsRun,
        boolean converged,
        double finalLoss,
        List<FeatureScale> scaling) {}
