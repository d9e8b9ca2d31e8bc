package dev.kfptribuo.model;

/**
 * The binary losses of scikit-learn's {@code SGDClassifier}, applied one class against the rest.
 *
 * <p>{@code p} is the decision value {@code w·x + b} and {@code y} is +1 for the positive class, -1
 * otherwise. The formulas, including the overflow guards, are those of scikit-learn's {@code
 * sklearn/linear_model/_sgd_fast} {@code Log} and {@code Hinge(threshold=1)}.
 */
public enum BinaryLoss {
    /**
     * Logistic loss {@code log(1 + exp(-y p))}: scikit-learn's {@code loss='log_loss'} (formerly
     * {@code 'log'}).
     */
    LOG,
    /** Hinge loss {@code max(0, 1 - y p)}: scikit-learn's {@code loss='hinge'}, a linear SVM. */
    HINGE;

    // Plain constants without bodies: Tribuo's provenance can only restore enums whose constants
    // are of the enum class itself.

    /**
     * @param p the decision value
     * @param y +1 or -1
     * @return the loss, non-negative
     */
    public double loss(double p, double y) {
        double z = p * y;
        if (this == HINGE) {
            return Math.max(0, 1 - z);
        }
        if (z > 18) {
            return Math.exp(-z);
        }
        if (z < -18) {
            return -z;
        }
        return log1p(Math.exp(-z));
    }

    /**
     * @param p the decision value
     * @param y +1 or -1
     * @return the derivative of the loss with respect to {@code p}
     */
    public double dloss(double p, double y) {
        double z = p * y;
        if (this == HINGE) {
            return z <= 1 ? -y : 0;
        }
        if (z > 18) {
            return -y * Math.exp(-z);
        }
        if (z < -18) {
            return -y;
        }
        return -y / (Math.exp(z) + 1);
    }

    /**
     * The loss and its derivative at once, sharing the one {@code exp} they need: the SGD loop
     * needs both for every example and class.
     *
     * @param p the decision value
     * @param y +1 or -1
     * @param losses receives the loss, added to {@code losses[index]}
     * @param index where to add it
     * @return the derivative of the loss with respect to {@code p}
     */
    public double addLossAndDerivative(double p, double y, double[] losses, int index) {
        double z = p * y;
        if (this == HINGE) {
            losses[index] += Math.max(0, 1 - z);
            return z <= 1 ? -y : 0;
        }
        if (z > 18) {
            double e = Math.exp(-z);
            losses[index] += e;
            return -y * e;
        }
        if (z < -18) {
            losses[index] += -z;
            return -y;
        }
        double e = Math.exp(-z);
        losses[index] += log1p(e);
        return -y * e / (1 + e);
    }

    /**
     * {@code log(1 + x)} for {@code x >= 0}, accurate to a few ulps, through {@link Math#log}: on
     * JDK 17 {@link Math#log1p} is a native fdlibm call that costs about three times as much, and
     * the loop calls it for every example and class. The correction is Goldberg's ("What every
     * computer scientist should know about floating-point arithmetic", theorem 4).
     */
    static double log1p(double x) {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.log(u) * x / (u - 1.0);
    }

    /**
     * Parses the names the lab and scikit-learn use.
     *
     * @param name {@code log}, {@code log_loss} or {@code hinge}, any case
     * @return the loss
     * @throws IllegalArgumentException for any other name
     */
    public static BinaryLoss parse(String name) {
        return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "log", "log_loss" -> LOG;
            case "hinge" -> HINGE;
            default ->
                    throw new IllegalArgumentException(
                            "unknown loss '" + name + "' (expected log, log_loss or hinge)");
        };
    }
}
