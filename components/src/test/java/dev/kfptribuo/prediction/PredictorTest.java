package dev.kfptribuo.prediction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.model.BinaryLoss;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.model.ModelTraining;
import dev.kfptribuo.model.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

class PredictorTest {
    private static ModelBundle bundle(Table train, BinaryLoss loss) {
        Hyperparameters hyperparameters = new Hyperparameters(loss, 1e-4, 15, null, 5, 2);
        TrainingResult result = ModelTraining.train(train, hyperparameters, (e, l, a, t) -> {});
        return new ModelBundle(
                result.model(),
                ModelTraining.manifest(result, hyperparameters, train, 1, Instant.EPOCH));
    }

    /** The held-out rows with a Soil_Type the training rows never had on every 97th row. */
    private static Path heldOutWithUnseenSoil(Path dir) throws IOException {
        Path heldOut = TestData.slice(dir, "test.csv", 3000, 10000);
        List<String> lines = new ArrayList<>(Files.readAllLines(heldOut));
        int soil = List.of(lines.get(0).split(",")).indexOf("Soil_Type");
        for (int i = 1; i < lines.size(); i += 97) {
            String[] cells = lines.get(i).split(",", -1);
            cells[soil] = "C9999";
            lines.set(i, String.join(",", cells));
        }
        Files.write(heldOut, lines);
        return heldOut;
    }

    @ParameterizedTest
    @EnumSource(BinaryLoss.class)
    void predictsWhatTribuoPredictsOnEveryRowWithScikitLearnsProbabilities(
            BinaryLoss loss, @TempDir Path dir) throws IOException {
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 3000));
        Table test = TestData.read(heldOutWithUnseenSoil(dir));
        ModelBundle bundle = bundle(train, loss);
        Predictor predictor = Predictor.of(bundle);
        assertEquals(loss == BinaryLoss.LOG, predictor.hasProbabilities());

        TablePredictions predictions = TablePredictions.of(predictor, test, true);
        int agree = 0;
        for (int row = 0; row < test.rowCount(); row++) {
            Prediction<Label> tribuo = bundle.model().predict(TribuoDatasets.example(test, row));
            assertEquals(
                    tribuo.getOutput().getLabel(),
                    predictor.classes().get(predictions.predicted()[row]),
                    "row " + row);
            double[] decision = new double[predictor.classes().size()];
            for (int k = 0; k < decision.length; k++) {
                decision[k] = tribuo.getOutputScores().get(predictor.classes().get(k)).getScore();
            }
            double[] expected = decision.clone();
            if (loss == BinaryLoss.LOG) {
                // scikit-learn's _predict_proba_lr: expit, then each row divided by its sum.
                double sum = 0;
                for (int k = 0; k < expected.length; k++) {
                    expected[k] = 1 / (1 + Math.exp(-decision[k]));
                    sum += expected[k];
                }
                for (int k = 0; k < expected.length; k++) {
                    expected[k] /= sum;
                }
            }
            for (int k = 0; k < expected.length; k++) {
                // The same sums in the same order as Tribuo's: equal, not merely close.
                assertEquals(
                        expected[k],
                        predictions.scores()[row][k],
                        0.0,
                        "row " + row + " class " + k);
            }
            agree += tribuo.getOutput().getLabel().equals(test.labels()[row]) ? 1 : 0;
        }
        assertTrue(agree > test.rowCount() / 2, "a model that learnt something: " + agree);
        // Counted independently: the held-out soils the training rows never had.
        Set<String> trainedSoils = new java.util.HashSet<>(List.of(train.categorical(1)));
        Set<String> unseenSoils = new java.util.TreeSet<>();
        long rowsWithUnseen = 0;
        for (String soil : test.categorical(1)) {
            if (!trainedSoils.contains(soil)) {
                unseenSoils.add(soil);
                rowsWithUnseen++;
            }
        }
        assertTrue(unseenSoils.contains("C9999"));
        assertEquals(unseenSoils, predictions.unseenCategories().get("Soil_Type"));
        assertEquals(Set.of(), predictions.unseenCategories().get("Wilderness_Area"));
        assertEquals(rowsWithUnseen, predictions.rowsWithUnseenCategories());
    }

    @Test
    void columnsTheModelDoesNotUseAreNotReadAndAMissingModelColumnIsNamed(@TempDir Path dir)
            throws IOException {
        Table train = TestData.read(TestData.slice(dir, "train.csv", 0, 2000));
        Predictor predictor = Predictor.of(bundle(train, BinaryLoss.LOG));
        Path plain = TestData.slice(dir, "plain.csv", 2000, 2300);
        List<String> lines = Files.readAllLines(plain);
        List<String> extra = new ArrayList<>();
        extra.add("id," + lines.get(0) + ",note");
        for (int i = 1; i < lines.size(); i++) {
            extra.add("row-" + i + "," + lines.get(i) + ",\"free text, with a comma\"");
        }
        Path withExtra = dir.resolve("extra.csv");
        Files.write(withExtra, extra);

        Table expected =
                new CsvTableReader(predictor.inputSchema(true))
                        .read(InputFiles.expand(plain.toString()));
        Table table =
                new CsvTableReader(predictor.inputSchema(true))
                        .read(InputFiles.expand(withExtra.toString()));
        assertEquals(List.of("id", "note"), table.unusedColumns());
        assertEquals(List.of(), expected.unusedColumns());
        assertEquals(
                List.of(TablePredictions.of(predictor, expected, false).labels(predictor)),
                List.of(TablePredictions.of(predictor, table, false).labels(predictor)));

        Path missing = dir.resolve("missing.csv");
        Files.write(
                missing,
                lines.stream().map(line -> line.substring(line.indexOf(',') + 1)).toList());
        DataFormatException e =
                assertThrows(
                        DataFormatException.class,
                        () ->
                                new CsvTableReader(predictor.inputSchema(true))
                                        .read(InputFiles.expand(missing.toString())));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "missing.csv: line 1: the header has no numeric column Elevation (header: "
                                        + lines.get(0).substring(lines.get(0).indexOf(',') + 1)
                                        + ")"),
                e.getMessage());
        assertFalse(predictor.knowsCategory(1, "C9999"));
    }
}
