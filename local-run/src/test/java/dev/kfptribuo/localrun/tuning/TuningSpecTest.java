package dev.kfptribuo.localrun.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.tuning.Goal;
import dev.kfptribuo.tuning.ParameterSpec;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TuningSpecTest {
    @Test
    void theLabsSpec() throws IOException {
        TuningSpec spec = TuningSpec.parse(PythonLiteralTest.labSettings(), "lab");
        assertEquals(Goal.MAXIMIZE, spec.goal());
        assertEquals("accuracy", spec.metricTag());
        assertEquals(6, spec.maxTrials());
        assertEquals(3, spec.maxParallelTrials());
        assertEquals(0, spec.maxFailedTrials());
        assertTrue(spec.earlyStopping());
        assertEquals(TuningSpec.Algorithm.ALGORITHM_UNSPECIFIED, spec.algorithm());
        ParameterSpec maxIter = spec.params().get(0);
        assertEquals("max_iter", maxIter.name());
        assertEquals(ParameterSpec.Type.DISCRETE, maxIter.type());
        assertEquals(List.of(500.0, 1000.0), maxIter.discreteValues());
        assertTrue(maxIter.wholeValued());
        ParameterSpec alpha = spec.params().get(1);
        assertEquals(ParameterSpec.Type.DOUBLE, alpha.type());
        assertEquals(0.0001, alpha.min());
        assertEquals(0.001, alpha.max());
        assertEquals(ParameterSpec.Scale.UNIT_LINEAR_SCALE, alpha.scale());
        assertTrue(spec.document().get("enableTrialEarlyStopping").booleanValue());
    }

    @Test
    void bareSpecAndDefaults() {
        TuningSpec spec =
                TuningSpec.parse(
                        "{'goal': 'minimize', 'params': [{'parameterName': 'loss', 'type': 'CATEGORICAL',"
                                + " 'categoricalValues': ['log', 'hinge']}, {'parameterName': 'n', 'type': 'INTEGER', 'minValue': 1,"
                                + " 'maxValue': 8, 'scaleType': 'UNIT_LOG_SCALE'}]}",
                        "bare");
        assertEquals(Goal.MINIMIZE, spec.goal());
        assertEquals(TuningSpec.DEFAULT_METRIC_TAG, spec.metricTag());
        assertEquals(1, spec.maxTrials());
        assertEquals(1, spec.parallelism());
        assertFalse(spec.earlyStopping());
        assertEquals(List.of("log", "hinge"), spec.params().get(0).categoricalValues());
        assertFalse(spec.params().get(0).numeric());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{'hyperparameters': {'params': []}} | s: hyperparameters.goal is missing",
                "{'hyperparameters': {'goal': 'UP', 'params': []}} | s: hyperparameters.goal is 'UP', expected MAXIMIZE or MINIMIZE",
                "{'goal': 'MAXIMIZE', 'params': []} | s.params must be a non-empty list",
                "{'goal': 'MAXIMIZE', 'maxTrials': 0, 'params': [{}]} | s.maxTrials must be a whole number >= 1, found 0",
                "{'goal': 'MAXIMIZE', 'params': [{'parameterName': 'a', 'type': 'REAL'}]} | s.params[0] (a).type 'REAL' is not DOUBLE, INTEGER, DISCRETE or CATEGORICAL",
                "{'goal': 'MAXIMIZE', 'params': [{'parameterName': 'a', 'type': 'DOUBLE', 'minValue': 1, 'maxValue': 1}]} | s.params[0] (a): minValue 1.0 must be below maxValue 1.0",
                "{'goal': 'MAXIMIZE', 'params': [{'parameterName': 'a', 'type': 'DOUBLE', 'minValue': 0, 'maxValue': 1, 'scaleType': 'UNIT_LOG_SCALE'}]} | s.params[0] (a): UNIT_LOG_SCALE needs minValue > 0",
                "{'goal': 'MAXIMIZE', 'params': [{'parameterName': 'a', 'type': 'INTEGER', 'minValue': 1.5, 'maxValue': 3}]} | s.params[0] (a): an INTEGER parameter needs whole minValue and maxValue",
                "{'goal': 'MAXIMIZE', 'params': [{'parameterName': 'a', 'type': 'DISCRETE', 'discreteValues': [3, 2]}]} | s.params[0] (a).discreteValues must be in increasing order",
                "{'goal': 'MAXIMIZE', 'params': [{'parameterName': 'a', 'type': 'CATEGORICAL', 'categoricalValues': [1]}]} | s.params[0] (a).categoricalValues holds 1, not a string",
                "{'goal': 'MAXIMIZE', 'algorithm': 'GRID_SEARCH', 'params': [{'parameterName': 'a', 'type': 'DOUBLE', 'minValue': 0, 'maxValue': 1}]} | s.params[0] (a): GRID_SEARCH needs INTEGER, DISCRETE or CATEGORICAL parameters, not DOUBLE",
                "{'goal': 'MAXIMIZE', 'resumePreviousJobId': 'j', 'params': [{}]} | s.resumePreviousJobId: resuming a previous study is not supported locally",
                "{'goal': 'MAXIMIZE', 'params': [{'parameterName': 'a', 'type': 'DISCRETE', 'discreteValues': [1]}, {'parameterName': 'a', 'type': 'DISCRETE', 'discreteValues': [1]}]} | s.params[1]: parameter a appears twice",
                "[1] | s: expected a dict, found ARRAY"
            })
    void invalidSpecsFailNamingTheField(String text, String message) {
        assertEquals(
                message,
                assertThrows(IllegalArgumentException.class, () -> TuningSpec.parse(text, "s"))
                        .getMessage());
    }
}
