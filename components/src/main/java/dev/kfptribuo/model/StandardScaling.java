package dev.kfptribuo.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.Label;

/**
 * Per-feature standardisation with scikit-learn {@code StandardScaler} semantics: the mean and the
 * population standard deviation (divisor n) over every row, counting a row where the feature is
 * absent as a zero; a zero standard deviation becomes 1.
 *
 * <p>Why this exists: Tribuo's {@code MeanStdDevTransformation} skips features absent from an
 * example (Tribuo examples are sparse, so zeros are usually absent), and its {@code
 * includeImplicitZeroFeatures} option does not centre correctly in 4.3.2. Two passes keep the
 * variance exact for large means.
 */
public final class StandardScaling {
    private final int[] ids;
    private final List<FeatureScale> scales;

    private StandardScaling(int[] ids, List<FeatureScale> scales) {
        this.ids = ids;
        this.scales = List.copyOf(scales);
    }

    /**
     * Computes the statistics of the named features over a dataset.
     *
     * @param data the training rows
     * @param features names of the features to standardise; names unknown to the dataset are
     *     skipped
     * @return the scaling, in the order of the dataset's feature ids
     */
    public static StandardScaling fit(Dataset<Label> data, Collection<String> features) {
        return fit(
                SparseRows.of(data, data.getFeatureIDMap(), data.getOutputIDInfo()),
                data.getFeatureIDMap(),
                features);
    }

    static StandardScaling fit(
            SparseRows rows, ImmutableFeatureMap map, Collection<String> features) {
        int size = map.size();
        boolean[] wanted = new boolean[size];
        for (String name : features) {
            int id = map.getID(name);
            if (id >= 0) {
                wanted[id] = true;
            }
        }
        double n = rows.size();
        double[] sum = new double[size];
        for (int j = 0; j < rows.rowStart[rows.size()]; j++) {
            sum[rows.indices[j]] += rows.values[j];
        }
        double[] mean = new double[size];
        for (int id = 0; id < size; id++) {
            mean[id] = sum[id] / n;
        }
        double[] squares = new double[size];
        long[] present = new long[size];
        for (int j = 0; j < rows.rowStart[rows.size()]; j++) {
            int id = rows.indices[j];
            double d = rows.values[j] - mean[id];
            squares[id] += d * d;
            present[id]++;
        }
        List<Integer> idList = new ArrayList<>();
        List<FeatureScale> scales = new ArrayList<>();
        for (int id = 0; id < size; id++) {
            if (wanted[id]) {
                // Absent rows are zeros: each adds (0 - mean)^2.
                double variance = (squares[id] + (n - present[id]) * mean[id] * mean[id]) / n;
                double std = Math.sqrt(variance);
                idList.add(id);
                scales.add(new FeatureScale(map.get(id).getName(), mean[id], std > 0 ? std : 1.0));
            }
        }
        return new StandardScaling(idList.stream().mapToInt(Integer::intValue).toArray(), scales);
    }

    /**
     * @param ids feature ids
     * @param scales the scale of the feature with the id at the same index
     * @return the scaling, in feature-id order
     */
    static StandardScaling of(int[] ids, FeatureScale[] scales) {
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> ids[i]));
        int[] sortedIds = new int[ids.length];
        List<FeatureScale> sortedScales = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            sortedIds[i] = ids[order[i]];
            sortedScales.add(scales[order[i]]);
        }
        return new StandardScaling(sortedIds, sortedScales);
    }

    /**
     * @return the scale of each standardised feature, in feature-id order
     */
    public List<FeatureScale> scales() {
        return scales;
    }

    /**
     * @param i index into {@link #scales()}
     * @return the feature id of that scale in the dataset's feature map
     */
    int featureId(int i) {
        return ids[i];
    }

    /**
     * @return how many features are standardised
     */
    int size() {
        return ids.length;
    }
}
