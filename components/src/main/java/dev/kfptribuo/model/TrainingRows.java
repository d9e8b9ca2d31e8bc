package dev.kfptribuo.model;

import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.MutableOutputInfo;
import org.tribuo.RealInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * What {@link SgdClassifierTrainer} trains on: the rows as sparse vectors over a Tribuo feature
 * map, the label map, and the data's provenance for the model.
 *
 * <p>From a {@link Table} the rows are encoded directly, with the same features as {@link
 * TribuoDatasets#toDataset} (numeric columns by name, {@code column@value} one-hot) and the feature
 * statistics computed from the columns: building one Tribuo {@code Example} per row and updating
 * the feature map's statistics feature by feature took longer than the training itself
 * (bench/README.md, "prep").
 */
public final class TrainingRows {
    private static final LabelFactory LABELS = new LabelFactory();

    /** Rows with the listed features standardised, and the standardisation. */
    record Standardized(StandardScaling scaling, SparseRows rows) {}

    /** Encodes the rows with some features standardised. */
    private interface Encoder {
        Standardized encode(Collection<String> standardizedFeatures);
    }

    private final int size;
    private final Encoder encoder;
    final ImmutableFeatureMap featureMap;
    final ImmutableOutputInfo<Label> outputInfo;
    final DatasetProvenance provenance;

    private TrainingRows(
            int size,
            Encoder encoder,
            ImmutableFeatureMap featureMap,
            ImmutableOutputInfo<Label> outputInfo,
            DatasetProvenance provenance) {
        this.size = size;
        this.encoder = encoder;
        this.featureMap = featureMap;
        this.outputInfo = outputInfo;
        this.provenance = provenance;
    }

    /**
     * @return the number of rows
     */
    public int size() {
        return size;
    }

    /**
     * @param features names of the features to standardise ({@link StandardScaling} semantics)
     * @return the rows as the SGD loop reads them, ids ascending and exact zeros left out
     */
    Standardized standardized(Collection<String> features) {
        return encoder.encode(features);
    }

    private static Standardized standardize(
            SparseRows raw, ImmutableFeatureMap map, Collection<String> features) {
        StandardScaling scaling = StandardScaling.fit(raw, map, features);
        return new Standardized(scaling, raw.standardize(scaling));
    }

    /**
     * @param examples a Tribuo dataset
     * @return its rows, feature map, label map and provenance
     */
    public static TrainingRows of(Dataset<Label> examples) {
        SparseRows raw =
                SparseRows.of(examples, examples.getFeatureIDMap(), examples.getOutputIDInfo());
        return new TrainingRows(
                raw.size(),
                features -> standardize(raw, examples.getFeatureIDMap(), features),
                examples.getFeatureIDMap(),
                examples.getOutputIDInfo(),
                examples.getProvenance());
    }

    /**
     * @param table labelled rows
     * @return the rows encoded as {@link TribuoDatasets} would, with provenance naming the source
     *     files
     * @throws TrainingDivergedException if a numeric column's sum or variance overflows
     */
    public static TrainingRows of(Table table) {
        int n = table.rowCount();
        List<VariableInfo> infos = new ArrayList<>();
        FeatureScale[] scales = new FeatureScale[table.numericColumns().size()];
        for (int c = 0; c < scales.length; c++) {
            ColumnStatistics stats =
                    ColumnStatistics.of(table.numericColumns().get(c), table.numeric(c));
            infos.add(
                    new RealInfo(
                            stats.name,
                            stats.count,
                            stats.max,
                            stats.min,
                            stats.mean,
                            stats.squares));
            scales[c] = stats.scale();
        }
        List<Map<String, String>> names = new ArrayList<>();
        for (int c = 0; c < table.categoricalColumns().size(); c++) {
            String column = table.categoricalColumns().get(c);
            Map<String, Integer> counts = new HashMap<>();
            for (String value : table.categorical(c)) {
                counts.merge(value, 1, Integer::sum);
            }
            Map<String, String> featureNames = new HashMap<>();
            counts.forEach(
                    (value, count) -> {
                        String feature = TribuoDatasets.categoricalFeature(column, value);
                        featureNames.put(value, feature);
                        infos.add(new RealInfo(feature, count, 1.0, 1.0, 1.0, 0.0));
                    });
            names.add(featureNames);
        }
        ImmutableFeatureMap featureMap = new ImmutableFeatureMap(infos);

        MutableOutputInfo<Label> labels = LABELS.generateInfo();
        Map<String, Label> labelObjects = new HashMap<>();
        for (String label : table.labels()) {
            labels.observe(labelObjects.computeIfAbsent(label, Label::new));
        }
        ImmutableOutputInfo<Label> outputInfo = labels.generateImmutableOutputInfo();

        int[] numericIds = new int[table.numericColumns().size()];
        for (int c = 0; c < numericIds.length; c++) {
            numericIds[c] = featureMap.getID(table.numericColumns().get(c));
        }
        List<Map<String, Integer>> categoricalIds = new ArrayList<>();
        for (Map<String, String> featureNames : names) {
            Map<String, Integer> ids = new HashMap<>();
            featureNames.forEach((value, feature) -> ids.put(value, featureMap.getID(feature)));
            categoricalIds.add(ids);
        }
        int[] targets = new int[n];
        for (int row = 0; row < n; row++) {
            targets[row] = outputInfo.getID(labelObjects.get(table.labels()[row]));
        }
        TableEncoder encoder =
                new TableEncoder(table, featureMap, scales, numericIds, categoricalIds, targets);
        return new TrainingRows(
                n,
                encoder,
                featureMap,
                outputInfo,
                StockProvenance.dataset(
                        new SimpleDataSourceProvenance(describe(table), LABELS),
                        n,
                        featureMap.size(),
                        outputInfo.size()));
    }

    /**
     * @return the table's files with their rows and digests: "CSV a.csv (100 rows, sha256 ab12...);
     *     ..."
     */
    private static String describe(Table table) {
        return "CSV "
                + table.sources().stream()
                        .map(
                                s ->
                                        s.uri()
                                                + " ("
                                                + s.rows()
                                                + " rows"
                                                + (s.sha256() == null
                                                        ? ""
                                                        : ", sha256 " + s.sha256())
                                                + ")")
                        .collect(Collectors.joining("; "));
    }

    /**
     * Encodes a table's rows. When exactly its numeric columns are standardised, as the lab's model
     * does, the scaling comes from the column statistics already computed for the feature map, and
     * each row is written standardised at once, in one pass and one copy: the same values, summed
     * in the same order, as standardising raw rows ({@link SparseRows#standardize}).
     */
    private record TableEncoder(
            Table table,
            ImmutableFeatureMap featureMap,
            FeatureScale[] scales,
            int[] numericIds,
            List<Map<String, Integer>> categoricalIds,
            int[] targets)
            implements Encoder {
        @Override
        public Standardized encode(Collection<String> features) {
            if (!new java.util.HashSet<>(features)
                    .equals(new java.util.HashSet<>(table.numericColumns()))) {
                return standardize(raw(), featureMap, features);
            }
            StandardScaling scaling = StandardScaling.of(numericIds, scales);
            double[] mean = new double[numericIds.length];
            double[] inverseScale = new double[numericIds.length];
            for (int c = 0; c < numericIds.length; c++) {
                mean[c] = scales[c].mean();
                inverseScale[c] = 1.0 / scales[c].scale();
            }
            return new Standardized(scaling, rows(mean, inverseScale, true));
        }

        /** The raw rows, for a standardisation of other features than the numeric columns. */
        private SparseRows raw() {
            double[] ones = new double[numericIds.length];
            java.util.Arrays.fill(ones, 1.0);
            return rows(new double[numericIds.length], ones, false);
        }

        /**
         * @param mean subtracted from each numeric column's values
         * @param inverseScale what they are then multiplied by
         * @param dropZeros whether numeric entries that come out exactly zero are left out
         * @return the rows, ids ascending
         */
        private SparseRows rows(double[] mean, double[] inverseScale, boolean dropZeros) {
            int n = table.rowCount();
            int width = numericIds.length + categoricalIds.size();
            int[] rowStart = new int[n + 1];
            int[] indices = new int[n * width];
            double[] values = new double[n * width];
            double[] weights = new double[n];
            java.util.Arrays.fill(weights, 1.0);
            int nnz = 0;
            for (int row = 0; row < n; row++) {
                int first = nnz;
                for (int c = 0; c < numericIds.length; c++) {
                    double value = (table.numeric(c)[row] - mean[c]) * inverseScale[c];
                    if (value != 0 || !dropZeros) {
                        indices[nnz] = numericIds[c];
                        values[nnz++] = value;
                    }
                }
                for (int c = 0; c < categoricalIds.size(); c++) {
                    indices[nnz] = categoricalIds.get(c).get(table.categorical(c)[row]);
                    values[nnz++] = 1.0;
                }
                SparseRows.sortRow(indices, values, first, nnz);
                rowStart[row + 1] = nnz;
            }
            return new SparseRows(featureMap.size(), rowStart, indices, values, targets, weights);
        }
    }

    /** A numeric column's count, extremes, mean and sum of squared deviations (two passes). */
    private record ColumnStatistics(
            String name, int count, double max, double min, double mean, double squares) {
        static ColumnStatistics of(String name, double[] column) {
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            for (double v : column) {
                sum += v;
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
            double mean = sum / column.length;
            double squares = 0;
            for (double v : column) {
                squares += (v - mean) * (v - mean);
            }
            if (!Double.isFinite(mean) || !Double.isFinite(squares)) {
                throw new TrainingDivergedException(
                        "training diverged before the first epoch: the values of column "
                                + name
                                + " overflow (their sum or variance is not finite)");
            }
            return new ColumnStatistics(name, column.length, max, min, mean, squares);
        }

        /**
         * The standardisation: {@link StandardScaling}'s arithmetic over rows where the column is
         * never absent, so the same doubles.
         */
        FeatureScale scale() {
            double std = Math.sqrt(squares / count);
            return new FeatureScale(name, mean, std > 0 ? std : 1.0);
        }
    }
}
