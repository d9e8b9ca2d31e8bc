package dev.kfptribuo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StandardScalingTest {
    @Test
    void matchesAPlainMeanAndPopulationStdOverAllRowsZerosIncluded() {
        Table table = TestData.read(TestData.COVERTYPE_SMALL);
        StandardScaling scaling =
                StandardScaling.fit(
                        TribuoDatasets.toDataset(table, "small"), table.numericColumns());
        Map<String, FeatureScale> byName =
                scaling.scales().stream()
                        .collect(Collectors.toMap(FeatureScale::feature, Function.identity()));
        assertEquals(table.numericColumns().size(), byName.size());

        int columnsWithZeros = 0;
        for (int c = 0; c < table.numericColumns().size(); c++) {
            double[] values = table.numeric(c);
            double sum = 0;
            int zeros = 0;
            for (double v : values) {
                sum += v;
                zeros += v == 0 ? 1 : 0;
            }
            double mean = sum / values.length;
            double squares = 0;
            for (double v : values) {
                squares += (v - mean) * (v - mean);
            }
            double std = Math.sqrt(squares / values.length);
            FeatureScale scale = byName.get(table.numericColumns().get(c));
            assertEquals(mean, scale.mean(), 1e-9 * Math.max(1, Math.abs(mean)), scale.feature());
            assertEquals(std, scale.scale(), 1e-9 * Math.max(1, std), scale.feature());
            columnsWithZeros += zeros > 0 ? 1 : 0;
        }
        assertTrue(columnsWithZeros >= 3, "the sample must exercise zero values");
    }

    @Test
    void constantFeatureGetsScaleOne() {
        Table table = TestData.read(TestData.COVERTYPE_SMALL);
        StandardScaling scaling =
                StandardScaling.fit(
                        TribuoDatasets.toDataset(table, "small"),
                        List.of("Wilderness_Area@Rawah", "No_Such_Feature"));
        assertEquals(1, scaling.scales().size(), "unknown names are skipped");
        FeatureScale rawah = scaling.scales().get(0);
        assertTrue(rawah.mean() > 0 && rawah.mean() < 1);
    }
}
