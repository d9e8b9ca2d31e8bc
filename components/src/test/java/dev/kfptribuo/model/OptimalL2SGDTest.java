package dev.kfptribuo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;

class OptimalL2SGDTest {
    @Test
    void offsetIsScikitLearnsHeuristic() {
        double alpha = 1e-4;
        double typw = Math.sqrt(1.0 / Math.sqrt(alpha));
        // |dloss(-typw, 1)| < 1 for the log loss and = 1 for hinge, so eta0 = typw for both.
        assertEquals(1.0 / (typw * alpha), OptimalL2SGD.initialOffset(BinaryLoss.LOG, alpha), 1e-9);
        assertEquals(
                1.0 / (typw * alpha), OptimalL2SGD.initialOffset(BinaryLoss.HINGE, alpha), 1e-9);
    }

    @Test
    void shrinksWeightsButNotBiasAndScalesUpdatesByTheOptimalRate() {
        double alpha = 0.01;
        double t0 = 50;
        LinearParameters parameters = new LinearParameters(3, 2); // 2 features + bias, 2 classes
        DenseMatrix w = parameters.getWeightMatrix();
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                w.set(r, c, 1.0);
            }
        }
        OptimalL2SGD sgd = new OptimalL2SGD(alpha, t0);
        sgd.initialise(parameters);
        for (int t = 1; t <= 3; t++) {
            DenseMatrix gradient = new DenseMatrix(2, 3);
            gradient.set(0, 0, 1.0);
            Tensor[] update = sgd.step(new Tensor[] {gradient}, 1.0);
            double eta = 1.0 / (alpha * (t0 + t - 1));
            assertEquals(eta, sgd.lastLearningRate(), 1e-15);
            assertEquals(eta, ((DenseMatrix) update[0]).get(0, 0), 1e-15);
        }
        double shrink = 1;
        for (int t = 1; t <= 3; t++) {
            shrink *= 1 - alpha / (alpha * (t0 + t - 1));
        }
        assertEquals(shrink, w.get(0, 0), 1e-12);
        assertEquals(shrink, w.get(0, 1), 1e-12);
        assertEquals(1.0, w.get(0, 2), 0.0, "the bias column is not penalised");
        assertEquals(shrink, w.get(1, 0), 1e-12, "every class's weights shrink");
    }

    @Test
    void lossDerivativesMatchFiniteDifferences() {
        for (BinaryLoss loss : BinaryLoss.values()) {
            for (double y : new double[] {-1, 1}) {
                for (double p : new double[] {-20, -3, -0.4, 0.3, 2.5, 25}) {
                    if (loss == BinaryLoss.HINGE && Math.abs(1 - p * y) < 1e-3) {
                        continue;
                    }
                    double h = 1e-6;
                    double numeric = (loss.loss(p + h, y) - loss.loss(p - h, y)) / (2 * h);
                    assertEquals(numeric, loss.dloss(p, y), 1e-5, loss + " p=" + p + " y=" + y);
                    double[] sum = {1.0};
                    assertEquals(loss.dloss(p, y), loss.addLossAndDerivative(p, y, sum, 0), 1e-15);
                    assertEquals(1.0 + loss.loss(p, y), sum[0], 1e-12);
                }
            }
        }
    }
}
