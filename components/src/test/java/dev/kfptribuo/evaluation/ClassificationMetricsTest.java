package dev.kfptribuo.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    /**
     * Expected values from scikit-learn 1.x on the same labels: y_true = [0,0,0,1,1,2,2,2,2,9],
     * y_pred = [0,0,1,1,0,2,2,0,2,2] (class 9 is never predicted: its precision is 0/0, counted as
     * 0).
     */
    @Test
    void matchesScikitLearnOnAHandCheckedExample() {
        String[] truth = {"0", "0", "0", "1", "1", "2", "2", "2", "2", "9"};
        String[] predicted = {"0", "0", "1", "1", "0", "2", "2", "0", "2", "2"};
        ClassificationMetrics m =
                ClassificationMetrics.compute(ConfusionMatrix.of(truth, predicted), null);
        assertEquals(List.of("0", "1", "2", "9"), m.confusionMatrix().labels());
        assertEquals(0.6, m.value(Metric.ACCURACY), 1e-12);
        // per class (P, R): 0 -> (2/4, 2/3), 1 -> (1/2, 1/2), 2 -> (3/4, 3/4), 9 -> (0/0 = 0, 0/1)
        double[] p = {0.5, 0.5, 0.75, 0};
        double[] r = {2 / 3.0, 0.5, 0.75, 0};
        double[] support = {3, 2, 4, 1};
        double[] f1 = new double[4];
        double pm = 0, rm = 0, fm = 0, pw = 0, fw = 0;
        for (int k = 0; k < 4; k++) {
            f1[k] = p[k] + r[k] == 0 ? 0 : 2 * p[k] * r[k] / (p[k] + r[k]);
            pm += p[k] / 4;
            rm += r[k] / 4;
            fm += f1[k] / 4;
            pw += p[k] * support[k] / 10;
            fw += f1[k] * support[k] / 10;
        }
        assertEquals(pm, m.value(Metric.PRECISION_MACRO), 1e-12);
        assertEquals(rm, m.value(Metric.RECALL_MACRO), 1e-12);
        assertEquals(rm, m.value(Metric.BALANCED_ACCURACY), 1e-12);
        assertEquals(fm, m.value(Metric.F1_MACRO), 1e-12);
        assertEquals(pw, m.value(Metric.PRECISION_WEIGHTED), 1e-12);
        assertEquals(0.6, m.value(Metric.RECALL_WEIGHTED), 1e-12);
        assertEquals(fw, m.value(Metric.F1_WEIGHTED), 1e-12);
        assertEquals(0.6, m.value(Metric.F1_MICRO), 1e-12);
        assertEquals(0.0, m.perClass().get(3).precision());
        for (double value : m.values().values()) {
            assertTrue(Double.isFinite(value));
        }
        assertFalse(m.values().containsKey(Metric.LOG_LOSS));
        assertThrows(IllegalArgumentException.class, () -> m.value(Metric.LOG_LOSS));
    }

    @Test
    void numericLabelsSortAsNumbers() {
        ClassificationMetrics m =
                ClassificationMetrics.compute(
                        ConfusionMatrix.of(
                                new String[] {"10", "9", "2"}, new String[] {"10", "9", "2"}),
                        null);
        assertEquals(List.of("2", "9", "10"), m.confusionMatrix().labels());
    }

    @Test
    void logLossClipsZeroProbabilitiesToAFiniteValue() {
        ClassificationMetrics m =
                ClassificationMetrics.compute(
                        ConfusionMatrix.of(new String[] {"a", "b"}, new String[] {"a", "a"}),
                        new double[] {0.5, 0.0});
        assertEquals(
                (-Math.log(0.5) - Math.log(Math.ulp(1.0))) / 2, m.value(Metric.LOG_LOSS), 1e-12);
    }

    @Test
    void namesAndAliases() {
        assertEquals(Metric.RECALL_MACRO, Metric.parse("recall"));
        assertEquals(Metric.ACCURACY, Metric.parse(" Accuracy "));
        assertEquals(Metric.F1_WEIGHTED, Metric.parse("f1_weighted"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Metric.parse("auc"));
        assertTrue(e.getMessage().contains("balanced_accuracy"), e.getMessage());
    }

    @Test
    void floatOutputsArePlainDecimals() {
        assertEquals("0.00001", dev.kfptribuo.io.KfpOutputs.formatFloat(1e-5));
        assertEquals("1.0", dev.kfptribuo.io.KfpOutputs.formatFloat(1));
        assertEquals("0.7005", dev.kfptribuo.io.KfpOutputs.formatFloat(0.7005));
        assertEquals(
                "123456789012345680000.0",
                dev.kfptribuo.io.KfpOutputs.formatFloat(1.2345678901234568e20));
        assertThrows(
                IllegalArgumentException.class,
                () -> dev.kfptribuo.io.KfpOutputs.formatFloat(Double.NaN));
    }
}
