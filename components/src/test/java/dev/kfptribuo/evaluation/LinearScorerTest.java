package dev.kfptribuo.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import dev.kfptribuo.model.BinaryLoss;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.ModelTraining;
import dev.kfptribuo.model.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LinearScorerTest {
    @ParameterizedTest
    @EnumSource(BinaryLoss.class)
    void predictsWhatTribuoPredictsRowForRow(BinaryLoss loss, @TempDir Path dir) throws IOException {
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 3000));
        Path heldOut = TestData.slice(dir, "test.csv", 3000, 10000);
        // Soil_Type values the training rows never had: unseen categories add nothing, in both.
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(heldOut));
        int soil = List.of(lines.get(0).split(",")).indexOf("Soil_Type");
        for (int i = 1; i < lines.size(); i += 97) {
            String[] cells = lines.get(i).split(",", -1);
            cells[soil] = "C9999";
            lines.set(i, String.join(",", cells));
        }
        Files.write(heldOut, lines);
        Table test = TestData.read(heldOut);

        TrainingResult result = ModelTraining.train(train,
                new Hyperparameters(loss, 1e-4, 15, null, 5, 2), (e, l, a, t) -> { });
        String[] fast = new LinearScorer(result.model(), result.normalizer()).predict(test);
        int agree = 0;
        for (int row = 0; row < test.rowCount(); row++) {
            String tribuo = result.model().predict(TribuoDatasets.example(test, row)).getOutput().getLabel();
            assertEquals(tribuo, fast[row], "row " + row);
            agree += tribuo.equals(test.labels()[row]) ? 1 : 0;
        }
        assertTrue(agree > test.rowCount() / 2, "a model that learnt something: " + agree);
    }

    @org.junit.jupiter.api.Test
    void refusesRowsWhoseNumericColumnsAreNotTheModels(@TempDir Path dir) throws IOException {
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 1000));
        Path renamed = TestData.slice(dir, "renamed.csv", 1000, 1100);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(renamed));
        lines.set(0, lines.get(0).replace("Elevation", "Elev"));
        Files.write(renamed, lines);
        TrainingResult result = ModelTraining.train(train,
                new Hyperparameters(BinaryLoss.LOG, 1e-4, 3, null, 5, 2), (e, l, a, t) -> { });
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new LinearScorer(result.model(), result.normalizer()).predict(TestData.read(renamed)));
        assertTrue(e.getMessage().contains("renamed.csv: the numeric columns [Aspect, Elev,"), e.getMessage());
    }
}
