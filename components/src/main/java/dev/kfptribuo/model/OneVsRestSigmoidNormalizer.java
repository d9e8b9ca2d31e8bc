package dev.kfptribuo.model;

import com.google.protobuf.Any;
import java.io.Serializable;
import org.tribuo.math.protos.NormalizerProto;
import org.tribuo.math.util.VectorNormalizer;

/**
 * Turns one-vs-rest decision values into class probabilities the way scikit-learn's
 * {@code SGDClassifier.predict_proba} does for the log loss: the sigmoid of each value, divided
 * by their sum. If every sigmoid underflows to zero the result is uniform.
 *
 * <p>Tribuo's {@code SigmoidNormalizer} stops after the sigmoid, so its outputs do not sum to one.
 */
public final class OneVsRestSigmoidNormalizer implements VectorNormalizer, Serializable {
    private static final long serialVersionUID = 1L;

    /** Version of the protobuf form; see {@link #deserializeFromProto}. */
    public static final int CURRENT_VERSION = 0;

    /**
     * Tribuo's protobuf deserialisation entry point, found by reflection from the class name.
     *
     * @param version the stored version
     * @param className the stored class name
     * @param message unused: this normalizer has no state
     * @return a normalizer
     * @throws IllegalArgumentException if the version is newer than this class knows
     */
    public static OneVsRestSigmoidNormalizer deserializeFromProto(int version, String className, Any message) {
        if (version < 0 || version > CURRENT_VERSION) {
            throw new IllegalArgumentException("Unknown version " + version
                    + ", this class supports at most version " + CURRENT_VERSION);
        }
        return new OneVsRestSigmoidNormalizer();
    }

    @Override
    public NormalizerProto serialize() {
        return NormalizerProto.newBuilder()
                .setClassName(OneVsRestSigmoidNormalizer.class.getName())
                .setVersion(CURRENT_VERSION)
                .build();
    }

    @Override
    public double[] normalize(double[] input) {
        double[] output = input.clone();
        normalizeInPlace(output);
        return output;
    }

    @Override
    public void normalizeInPlace(double[] values) {
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = 1.0 / (1.0 + Math.exp(-values[i]));
            sum += values[i];
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = sum > 0 ? values[i] / sum : 1.0 / values.length;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OneVsRestSigmoidNormalizer;
    }

    @Override
    public int hashCode() {
        return OneVsRestSigmoidNormalizer.class.hashCode();
    }
}
