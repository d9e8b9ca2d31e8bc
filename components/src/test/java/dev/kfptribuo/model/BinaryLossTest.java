package dev.kfptribuo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinaryLossTest {
    @Test
    void log1pMatchesTheLibraryToAFewUlps() {
        SplittableRandom random = new SplittableRandom(11);
        // The loop calls it with exp(-z) for |z| <= 18: from about 1.5e-8 to 6.6e7; and the edges.
        double[] edges = {
            0.0,
            Double.MIN_VALUE,
            1e-300,
            1e-17,
            1.1e-16,
            2.3e-16,
            1e-8,
            0.5,
            1.0,
            1e7,
            6.6e7,
            1e300
        };
        for (double x : edges) {
            assertClose(x);
        }
        for (int i = 0; i < 200_000; i++) {
            assertClose(Math.exp(random.nextDouble(-18, 18)));
        }
    }

    private static void assertClose(double x) {
        double expected = Math.log1p(x);
        double actual = BinaryLoss.log1p(x);
        assertTrue(
                Math.abs(actual - expected) <= 4 * Math.ulp(expected),
                "log1p(" + x + ") = " + actual + ", library " + expected);
    }

    @Test
    void lossAndDerivativeTogetherEqualTheSeparateFormulas() {
        SplittableRandom random = new SplittableRandom(3);
        for (BinaryLoss loss : BinaryLoss.values()) {
            for (int i = 0; i < 10_000; i++) {
                // Decision values across the overflow guards at |p y| = 18.
                double p = random.nextDouble(-40, 40);
                double y = random.nextBoolean() ? 1.0 : -1.0;
                double[] sum = {0.5};
                double dloss = loss.addLossAndDerivative(p, y, sum, 0);
                assertEquals(
                        loss.dloss(p, y), dloss, 1e-15 + 1e-12 * Math.abs(dloss), loss + " p=" + p);
                assertEquals(0.5 + loss.loss(p, y), sum[0], 1e-12 * (1 + sum[0]), loss + " p=" + p);
            }
        }
    }

    @Test
    void logLossIsScikitLearnsAtKnownPoints() {
        assertEquals(Math.log(2), BinaryLoss.LOG.loss(0, 1), 1e-15);
        assertEquals(Math.log1p(Math.exp(-3)), BinaryLoss.LOG.loss(3, 1), 1e-15);
        assertEquals(3 + Math.log1p(Math.exp(-3)), BinaryLoss.LOG.loss(3, -1), 1e-14);
        assertEquals(0.0, BinaryLoss.HINGE.loss(2, 1));
        assertEquals(3.0, BinaryLoss.HINGE.loss(2, -1));
    }
}
