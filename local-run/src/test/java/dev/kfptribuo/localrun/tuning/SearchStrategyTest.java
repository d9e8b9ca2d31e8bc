package dev.kfptribuo.localrun.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.tuning.ParameterSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchStrategyTest {
    @Test
    void labSpecCoversBothMaxIterValuesAndTheAlphaRange() throws IOException {
        TuningSpec spec = TuningSpec.parse(PythonLiteralTest.labSettings(), "lab");
        List<Map<String, SearchStrategy.Value>> trials = SearchStrategy.suggest(spec, 0);
        assertEquals(6, trials.size());
        Set<String> maxIters = new HashSet<>();
        boolean[] alphaThirds = new boolean[3];
        for (Map<String, SearchStrategy.Value> t : trials) {
            assertEquals(List.of("max_iter", "alpha"), new ArrayList<>(t.keySet()));
            maxIters.add(t.get("max_iter").text());
            double alpha = Double.parseDouble(t.get("alpha").text());
            assertTrue(alpha >= 0.0001 && alpha <= 0.001, "alpha " + alpha);
            alphaThirds[(int) Math.min(2, (alpha - 0.0001) / 0.0003)] = true;
        }
        assertEquals(Set.of("500", "1000"), maxIters);
        assertTrue(
                alphaThirds[0] && alphaThirds[1] && alphaThirds[2],
                "6 Halton points reach every third of the range");
        assertEquals(trials, SearchStrategy.suggest(spec, 0), "a seed gives the same study");
        assertNotEquals(trials, SearchStrategy.suggest(spec, 1));
    }

    @Test
    void haltonRadicalInverse() {
        assertEquals(0.5, SearchStrategy.halton(1, 2));
        assertEquals(0.25, SearchStrategy.halton(2, 2));
        assertEquals(0.75, SearchStrategy.halton(3, 2));
        assertEquals(1.0 / 3, SearchStrategy.halton(1, 3), 1e-15);
        assertEquals(1.0 / 9 + 1.0 / 3, SearchStrategy.halton(4, 3), 1e-15);
    }

    @Test
    void scalesMapTheUnitInterval() {
        TuningSpec spec =
                TuningSpec.parse(
                        "{'goal': 'MAXIMIZE', 'params': ["
                                + "{'parameterName': 'lin', 'type': 'DOUBLE', 'minValue': 1, 'maxValue': 3},"
                                + "{'parameterName': 'log', 'type': 'DOUBLE', 'minValue': 1, 'maxValue': 100, 'scaleType': 'UNIT_LOG_SCALE'},"
                                + "{'parameterName': 'rev', 'type': 'DOUBLE', 'minValue': 1, 'maxValue': 100, 'scaleType': 'UNIT_REVERSE_LOG_SCALE'},"
                                + "{'parameterName': 'int', 'type': 'INTEGER', 'minValue': 2, 'maxValue': 4},"
                                + "{'parameterName': 'dis', 'type': 'DISCRETE', 'discreteValues': [1, 10, 100], 'scaleType': 'UNIT_LOG_SCALE'},"
                                + "{'parameterName': 'cat', 'type': 'CATEGORICAL', 'categoricalValues': ['a', 'b']}]}",
                        "s");
        ParameterSpec lin = spec.params().get(0);
        assertEquals("2.0", SearchStrategy.value(lin, 0.5).text());
        assertEquals("10.0", SearchStrategy.value(spec.params().get(1), 0.5).text());
        assertEquals(
                91.0,
                SearchStrategy.value(spec.params().get(2), 0.5).number(),
                1e-9); // dense near the top
        assertEquals("2", SearchStrategy.value(spec.params().get(3), 0.0).text());
        assertEquals("4", SearchStrategy.value(spec.params().get(3), 0.999).text());
        assertEquals("3", SearchStrategy.value(spec.params().get(3), 0.5).text());
        assertEquals("10", SearchStrategy.value(spec.params().get(4), 0.45).text());
        assertEquals("100", SearchStrategy.value(spec.params().get(4), 0.8).text());
        assertEquals("a", SearchStrategy.value(spec.params().get(5), 0.49).text());
        assertEquals("b", SearchStrategy.value(spec.params().get(5), 0.5).text());
        assertEquals(null, SearchStrategy.value(spec.params().get(5), 0.5).number());
    }

    @Test
    void gridAndRandomSearch() {
        TuningSpec grid =
                TuningSpec.parse(
                        "{'goal': 'MAXIMIZE', 'maxTrials': 10, 'algorithm': 'GRID_SEARCH', 'params': ["
                                + "{'parameterName': 'loss', 'type': 'CATEGORICAL', 'categoricalValues': ['log', 'hinge']},"
                                + "{'parameterName': 'n', 'type': 'INTEGER', 'minValue': 1, 'maxValue': 3}]}",
                        "g");
        List<String> seen = new ArrayList<>();
        SearchStrategy.suggest(grid, 0)
                .forEach(t -> seen.add(t.get("loss").text() + t.get("n").text()));
        assertEquals(
                List.of("log1", "log2", "log3", "hinge1", "hinge2", "hinge3"),
                seen,
                "the whole grid, then stop");

        TuningSpec random =
                TuningSpec.parse(
                        "{'goal': 'MAXIMIZE', 'maxTrials': 50, 'algorithm': 'RANDOM_SEARCH', 'params': ["
                                + "{'parameterName': 'x', 'type': 'DOUBLE', 'minValue': 0, 'maxValue': 1}]}",
                        "r");
        List<Map<String, SearchStrategy.Value>> draws = SearchStrategy.suggest(random, 7);
        assertEquals(50, draws.size());
        assertEquals(draws, SearchStrategy.suggest(random, 7));
        assertTrue(
                draws.stream().allMatch(t -> t.get("x").number() >= 0 && t.get("x").number() <= 1));
    }
}
