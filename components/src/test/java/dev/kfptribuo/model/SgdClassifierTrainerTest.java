package dev.kfptribuo.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kfptribuo.TestData;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.math.la.DenseMatrix;

class SgdClassifierTrainerTest {
    private static Table train;
    private static Table test;

    @BeforeAll
    static void readData(@TempDir Path dir) {
        train = TestData.read(TestData.slice(dir, "train.csv", 0, 6000));
        test = TestData.read(TestData.slice(dir, "test.csv", 8000, 10000));
    }

    private static Hyperparameters hp(double alpha, int maxIter, Double tol) {
        return new Hyperparameters(BinaryLoss.LOG, alpha, maxIter, tol, 5, 1);
    }

    @Test
    void learnsCovertypeWellAboveTheMajorityClass() {
        TrainingResult result =
                ModelTraining.train(train, hp(1e-4, 1000, 1e-3), (e, l, a, t) -> {});
        // Tribuo's own evaluator, independent of the project's metrics.
        double accuracy =
                new org.tribuo.classification.evaluation.LabelEvaluator()
                        .evaluate(result.model(), TribuoDatasets.toDataset(test, "test"))
                        .accuracy();
        long majority = java.util.Arrays.stream(test.labels()).filter("1"::equals).count();
        assertTrue(accuracy > 0.69, "accuracy " + accuracy);
        assertTrue(accuracy > majority / (double) test.rowCount() + 0.15);
        assertTrue(result.converged());
        assertTrue(
                result.epochsRun() > 5 && result.epochsRun() < 1000,
                "epochs " + result.epochsRun());
    }

    @Test
    void withoutToleranceRunsEveryEpochAndReportsEachOne() {
        List<Integer> epochs = new ArrayList<>();
        TrainingResult result =
                ModelTraining.train(
                        train,
                        hp(1e-4, 12, null),
                        (e, l, a, t) -> {
                            epochs.add(e);
                            assertTrue(Double.isFinite(l) && l > 0);
                            assertEquals(7, a);
                        });
        assertEquals(12, result.epochsRun());
        assertFalse(result.converged());
        assertEquals(12, epochs.size());
    }

    @Test
    void strongerPenaltyGivesSmallerWeights() {
        double small =
                weightNorm(ModelTraining.train(train, hp(1e-4, 5, null), (e, l, a, t) -> {}));
        double large =
                weightNorm(ModelTraining.train(train, hp(1e-1, 5, null), (e, l, a, t) -> {}));
        assertTrue(large < small / 5, small + " vs " + large);
    }

    @Test
    void modelOnRawFeaturesEqualsStandardisedDecisionValues() {
        TrainingResult result = ModelTraining.train(train, hp(1e-3, 5, null), (e, l, a, t) -> {});
        // Scaling a numeric column by 2 must not matter after refitting on the same data twice,
        // but the folded model must score raw rows: check the decision of a raw example against
        // weights applied to the standardised vector by hand.
        DenseMatrix w = result.model().getWeightsCopy();
        Example<Label> example = TribuoDatasets.example(test, 0);
        var featureMap = result.model().getFeatureIDMap();
        double[] byHand = new double[w.getDimension1Size()];
        for (int k = 0; k < byHand.length; k++) {
            byHand[k] = w.get(k, featureMap.size());
            for (var feature : example) {
                int id = featureMap.getID(feature.getName());
                if (id >= 0) {
                    byHand[k] += w.get(k, id) * feature.getValue();
                }
            }
        }
        Prediction<Label> prediction = result.model().predict(example);
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < byHand.length; k++) {
            if (byHand[k] > bestScore) {
                bestScore = byHand[k];
                best = result.model().getOutputIDInfo().getOutput(k).getLabel();
            }
        }
        assertEquals(best, prediction.getOutput().getLabel());
        // Tribuo's scores are the decision values themselves (NoopNormalizer), not probabilities.
        assertFalse(prediction.hasProbabilities());
        for (int k = 0; k < byHand.length; k++) {
            String label = result.model().getOutputIDInfo().getOutput(k).getLabel();
            assertEquals(
                    byHand[k],
                    prediction.getOutputScores().get(label).getScore(),
                    1e-9 * (1 + Math.abs(byHand[k])));
        }
    }

    @Test
    void tableRowsTrainTheSameModelAsATribuoDataset() {
        assertTableAndDatasetAgree(train.numericColumns());
    }

    @Test
    void tableRowsStandardisingSomeColumnsOnlyTrainTheSameModelAsATribuoDataset() {
        // Not the lab's setting: the table's rows go through the raw-rows path.
        assertTableAndDatasetAgree(train.numericColumns().subList(0, 4));
    }

    private static void assertTableAndDatasetAgree(List<String> standardised) {
        SgdClassifierTrainer fromDataset =
                new SgdClassifierTrainer(BinaryLoss.LOG, 1e-4, 30, 1e-3, 5, 7, standardised);
        SgdClassifierTrainer fromTable =
                new SgdClassifierTrainer(BinaryLoss.LOG, 1e-4, 30, 1e-3, 5, 7, standardised);
        TrainingResult viaDataset =
                fromDataset.fit(
                        TribuoDatasets.toDataset(train, "train"),
                        java.util.Map.of(),
                        (e, l, a, t) -> {});
        TrainingResult viaTable =
                fromTable.fit(TrainingRows.of(train), java.util.Map.of(), (e, l, a, t) -> {});
        assertEquals(viaDataset.epochsRun(), viaTable.epochsRun());
        assertEquals(viaDataset.finalLoss(), viaTable.finalLoss(), 1e-9);
        java.util.Set<String> datasetFeatures = new java.util.TreeSet<>();
        viaDataset.model().getFeatureIDMap().forEach(info -> datasetFeatures.add(info.getName()));
        java.util.Set<String> tableFeatures = new java.util.TreeSet<>();
        viaTable.model().getFeatureIDMap().forEach(info -> tableFeatures.add(info.getName()));
        assertEquals(datasetFeatures, tableFeatures);
        for (int row = 0; row < test.rowCount(); row++) {
            Example<Label> example = TribuoDatasets.example(test, row);
            assertEquals(
                    viaDataset.model().predict(example).getOutput(),
                    viaTable.model().predict(example).getOutput());
        }
    }

    @Test
    void anyNumberOfThreadsGivesTheSameModelBitForBit() {
        List<TrainingResult> results = new ArrayList<>();
        List<List<Double>> losses = new ArrayList<>();
        java.util.Set<Integer> activeCounts = new java.util.TreeSet<>();
        // 1 thread; 2 and 3 share the 7 classes unevenly; 8 is more threads than classes.
        for (int threads : new int[] {1, 2, 3, 8}) {
            List<Double> perEpoch = new ArrayList<>();
            SgdClassifierTrainer trainer =
                    new SgdClassifierTrainer(
                                    BinaryLoss.LOG, 1e-4, 1000, 1e-3, 5, 7, train.numericColumns())
                            .setThreads(threads);
            results.add(
                    trainer.fit(
                            TrainingRows.of(train),
                            java.util.Map.of(),
                            (e, l, a, t) -> {
                                perEpoch.add(l);
                                activeCounts.add(a);
                            }));
            losses.add(perEpoch);
        }
        DenseMatrix first = results.get(0).model().getWeightsCopy();
        assertTrue(
                activeCounts.size() > 3,
                "classes stop at different epochs, so the shares change: " + activeCounts);
        for (int i = 1; i < results.size(); i++) {
            assertEquals(results.get(0).epochsRun(), results.get(i).epochsRun());
            assertEquals(losses.get(0), losses.get(i));
            DenseMatrix other = results.get(i).model().getWeightsCopy();
            for (int k = 0; k < first.getDimension1Size(); k++) {
                assertArrayEquals(first.getRow(k).toArray(), other.getRow(k).toArray(), 0.0);
            }
        }
    }

    @Test
    void threadsBelowOneAreRefused() {
        SgdClassifierTrainer trainer =
                new SgdClassifierTrainer(
                        BinaryLoss.LOG, 1e-4, 5, 1e-3, 5, 7, train.numericColumns());
        assertThrows(IllegalArgumentException.class, () -> trainer.setThreads(0));
    }

    @Test
    void aDivergingFitFailsWithAClearErrorAndNoModel() {
        // A schedule offset of 1e-300 makes the first step's learning rate 1e304: the weights and
        // then the loss overflow, the way a fit on unscaled data blows up.
        SgdClassifierTrainer trainer =
                new SgdClassifierTrainer(
                        BinaryLoss.LOG,
                        new OptimalL2SGD(1e-4, 1e-300),
                        1e-4,
                        3,
                        Double.NEGATIVE_INFINITY,
                        5,
                        1,
                        train.numericColumns());
        TrainingDivergedException e =
                assertThrows(
                        TrainingDivergedException.class,
                        () ->
                                trainer.fit(
                                        TribuoDatasets.toDataset(train, "train"),
                                        java.util.Map.of(),
                                        (ep, l, a, t) -> {}));
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1"), e.getMessage());
    }

    @Test
    void savedBundleReloadsAndPredictsTheSame(@TempDir Path dir) throws IOException {
        Hyperparameters hyperparameters = hp(1e-4, 8, 1e-3);
        TrainingResult result = ModelTraining.train(train, hyperparameters, (e, l, a, t) -> {});
        Manifest manifest =
                ModelTraining.manifest(result, hyperparameters, train, 1.5, Instant.EPOCH);
        Manifest saved =
                JobDirWriter.save(
                        new ModelBundle(result.model(), manifest),
                        List.of(Location.parse(dir.toString())));

        ModelBundle loaded = ModelBundle.load(Location.parse(dir.toString()));
        assertEquals(saved, loaded.manifest());
        assertEquals(
                ModelBundle.sha256(
                        java.nio.file.Files.readAllBytes(dir.resolve(saved.onnx().file()))),
                saved.onnx().sha256());
        for (int row = 0; row < 200; row++) {
            Example<Label> example = TribuoDatasets.example(test, row);
            assertEquals(
                    result.model().predict(example).getOutput().getLabel(),
                    loaded.model().predict(example).getOutput().getLabel());
        }
        assertEquals(
                List.of("0", "1", "2", "3", "4", "5", "6"),
                manifest.labels().stream().sorted().toList());
        assertEquals(train.rowCount(), manifest.training().rows());
        assertEquals(10, manifest.numericColumns().size());
        assertTrue(manifest.features().contains("Soil_Type@C7745"));
        assertEquals(
                manifest.features().stream().sorted().toList(),
                manifest.features(),
                "feature IDs are String order");
        assertEquals(
                List.of(
                        "Elevation",
                        "Aspect",
                        "Slope",
                        "Horizontal_Distance_To_Hydrology",
                        "Vertical_Distance_To_Hydrology",
                        "Horizontal_Distance_To_Roadways",
                        "Hillshade_9am",
                        "Hillshade_Noon",
                        "Hillshade_3pm",
                        "Horizontal_Distance_To_Fire_Points",
                        "Wilderness_Area",
                        "Soil_Type"),
                manifest.inputColumns(),
                "the training file's column order");
        assertArrayEquals(
                new String[] {"Soil_Type", "Wilderness_Area"},
                manifest.categoricalColumns().keySet().toArray(new String[0]));
        assertTrue(manifest.hasProbabilities());
        assertEquals(List.of(-1, manifest.features().size()), manifest.onnx().inputShape());
    }

    private static double weightNorm(TrainingResult result) {
        DenseMatrix w = result.model().getWeightsCopy();
        double sum = 0;
        for (int k = 0; k < w.getDimension1Size(); k++) {
            for (int c = 0; c < w.getDimension2Size() - 1; c++) {
                sum += w.get(k, c) * w.get(k, c);
            }
        }
        return Math.sqrt(sum);
    }
}
