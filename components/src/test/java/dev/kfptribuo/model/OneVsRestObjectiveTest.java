package dev.kfptribuo.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oracle.labs.mlrg.olcut.util.Pair;
import org.junit.jupiter.api.Test;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;

/**
 * The objective through Tribuo's {@code LabelObjective} contract, as a stock SGD trainer calls it.
 */
class OneVsRestObjectiveTest {
    private static final double[] DECISION_VALUES = {2.0, -0.5, 0.0};

    @Test
    void logLossIsEachClassAgainstTheRest() {
        // Class 1 is true: it is the positive of its own problem, the negative of the others'.
        Pair<Double, SGDVector> result =
                new OneVsRestObjective(BinaryLoss.LOG)
                        .lossAndGradient(1, DenseVector.createDenseVector(DECISION_VALUES));
        double[] y = {-1, 1, -1};
        double expectedLoss = 0;
        double[] expectedGradient = new double[3];
        for (int k = 0; k < 3; k++) {
            double margin = y[k] * DECISION_VALUES[k];
            expectedLoss += Math.log1p(Math.exp(-margin));
            // Tribuo adds the gradient: the negative derivative of log(1 + e^(-y f)) in f.
            expectedGradient[k] = y[k] / (1 + Math.exp(margin));
        }
        assertEquals(expectedLoss, result.getA(), 1e-12);
        assertArrayEquals(expectedGradient, result.getB().toArray(), 1e-12);
    }

    @Test
    void hingeLossIsZeroBeyondTheMargin() {
        // Class 0 is true with value 2 (beyond the margin): no loss, no gradient. Class 1 at -0.5
        // (the rest, y = -1) is inside the margin; class 2 at 0 is on the boundary.
        Pair<Double, SGDVector> result =
                new OneVsRestObjective(BinaryLoss.HINGE)
                        .lossAndGradient(0, DenseVector.createDenseVector(DECISION_VALUES));
        assertEquals(0 + 0.5 + 1.0, result.getA(), 1e-12);
        assertArrayEquals(new double[] {0, -1, -1}, result.getB().toArray(), 1e-12);
    }
}
