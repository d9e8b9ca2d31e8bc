package dev.kfptribuo.model;

import dev.kfptribuo.data.SourceFile;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import java.util.ArrayList;
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
 * What {@link SgdClassifierTrainer} trains on: the rows as sparse vectors over a Tribuo feature map,
 * the label map, and the data's provenance for the model.
 *
 * <p>From a {@link Table} the rows are encoded directly, with the same features as
 * {@link TribuoDatasets#toDataset} (numeric columns by name, {@code column@value} one-hot) and the
 * feature statistics computed from the columns: building one Tribuo {@code Example} per row and
 * updating the feature map's statistics feature by feature took longer than the training itself
 * (bench/README.md, "prep").
 */
public final class TrainingRows {
    private static final LabelFactory LABELS = new LabelFactory();

    final SparseRows rows;
    final ImmutableFeatureMap featureMap;
    final ImmutableOutputInfo<Label> outputInfo;
    final DatasetProvenance provenance;

    private TrainingRows(SparseRows rows, ImmutableFeatureMap featureMap, ImmutableOutputInfo<Label> outputInfo,
            DatasetProvenance provenance) {
        this.rows = rows;
        this.featureMap = featureMap;
        this.outputInfo = outputInfo;
        this.provenance = provenance;
    }

    /** @return the number of rows */
    public int size() {
        return rows.size();
    }

    /**
     * @param examples a Tribuo dataset
     * @return its rows, feature map, label map and provenance
     */
    public static TrainingRows of(Dataset<Label> examples) {
        return new TrainingRows(SparseRows.of(examples, examples.getFeatureIDMap(), examples.getOutputIDInfo()),
                examples.getFeatureIDMap(), examples.getOutputIDInfo(), examples.getProvenance());
    }

    /**
     * @param table labelled rows
     * @return the rows encoded as {@link TribuoDatasets} would, with provenance naming the source files
     * @throws TrainingDivergedException if a numeric column's sum or variance overflows
     */
    public static TrainingRows of(Table table) {
        int n = table.rowCount();
        List<VariableInfo> infos = new ArrayList<>();
        for (int c = 0; c < table.numericColumns().size(); c++) {
            infos.add(numericInfo(table.numericColumns().get(c), table.numeric(c)));
        }
        List<Map<String, String>> names = new ArrayList<>();
        for (int c = 0; c < table.categoricalColumns().size(); c++) {
            String column = table.categoricalColumns().get(c);
            Map<String, Integer> counts = new HashMap<>();
            for (String value : table.categorical(c)) {
                counts.merge(value, 1, Integer::sum);
            }
            Map<String, String> featureNames = new HashMap<>();
            counts.forEach((value, count) -> {
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
        int width = numericIds.length + categoricalIds.size();
        int[] rowStart = new int[n + 1];
        int[] indices = new int[n * width];
        double[] values = new double[n * width];
        int[] targets = new int[n];
        double[] weights = new double[n];
        int nnz = 0;
        for (int row = 0; row < n; row++) {
            int first = nnz;
            for (int c = 0; c < numericIds.length; c++) {
                indices[nnz] = numericIds[c];
                values[nnz++] = table.numeric(c)[row];
            }
            for (int c = 0; c < categoricalIds.size(); c++) {
                indices[nnz] = categoricalIds.get(c).get(table.categorical(c)[row]);
                values[nnz++] = 1.0;
            }
            SparseRows.sortRow(indices, values, first, nnz);
            targets[row] = outputInfo.getID(labelObjects.get(table.labels()[row]));
            weights[row] = 1.0;
            rowStart[row + 1] = nnz;
        }
        String description = table.sources().stream().map(SourceFile::uri).collect(Collectors.joining(","));
        return new TrainingRows(new SparseRows(featureMap.size(), rowStart, indices, values, targets, weights),
                featureMap, outputInfo, new TableDatasetProvenance(new SimpleDataSourceProvenance(description, LABELS),
                        n, featureMap.size(), outputInfo.size()));
    }

    /** Tribuo's statistics of one numeric column: count, max, min, mean and the sum of squared deviations. */
    private static RealInfo numericInfo(String name, double[] column) {
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
            throw new TrainingDivergedException("training diverged before the first epoch: the values of column "
                    + name + " overflow (their sum or variance is not finite)");
        }
        return new RealInfo(name, column.length, max, min, mean, squares);
    }
}
