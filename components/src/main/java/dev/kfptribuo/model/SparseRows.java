package dev.kfptribuo.model;

import java.util.Arrays;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;

/**
 * Training rows as compressed sparse rows over a dataset's feature ids, with targets and weights:
 * the primitive form the SGD loop walks. Row {@code i}'s entries are {@code
 * indices/values[rowStart[i] .. rowStart[i+1])}, ids ascending.
 */
final class SparseRows {
    final int numFeatures;
    final int[] rowStart;
    final int[] indices;
    final double[] values;
    final int[] targets;
    final double[] weights;

    SparseRows(
            int numFeatures,
            int[] rowStart,
            int[] indices,
            double[] values,
            int[] targets,
            double[] weights) {
        this.numFeatures = numFeatures;
        this.rowStart = rowStart;
        this.indices = indices;
        this.values = values;
        this.targets = targets;
        this.weights = weights;
    }

    /**
     * @return the number of rows
     */
    int size() {
        return targets.length;
    }

    /**
     * Reads every example once, looking each feature name up once.
     *
     * @param examples the dataset
     * @param featureMap its feature ids
     * @param outputInfo its label ids
     * @return the raw feature values by id
     */
    static SparseRows of(
            Dataset<Label> examples,
            ImmutableFeatureMap featureMap,
            ImmutableOutputInfo<Label> outputInfo) {
        int n = examples.size();
        int[] rowStart = new int[n + 1];
        int[] indices = new int[Math.max(16, n * 8)];
        double[] values = new double[indices.length];
        int[] targets = new int[n];
        double[] weights = new double[n];
        int row = 0;
        int nnz = 0;
        for (Example<Label> example : examples) {
            int size = example.size();
            if (nnz + size > indices.length) {
                int capacity = Math.max(indices.length * 2, nnz + size);
                indices = Arrays.copyOf(indices, capacity);
                values = Arrays.copyOf(values, capacity);
            }
            int first = nnz;
            boolean sorted = true;
            for (Feature feature : example) {
                int id = featureMap.getID(feature.getName());
                if (id >= 0) {
                    sorted &= nnz == first || indices[nnz - 1] < id;
                    indices[nnz] = id;
                    values[nnz] = feature.getValue();
                    nnz++;
                }
            }
            if (!sorted) {
                sortRow(indices, values, first, nnz);
            }
            targets[row] = outputInfo.getID(example.getOutput());
            weights[row] = example.getWeight();
            rowStart[++row] = nnz;
        }
        return new SparseRows(featureMap.size(), rowStart, indices, values, targets, weights);
    }

    /**
     * @param scaling the standardisation of some features
     * @return new rows where those features are {@code (x - mean) / scale}, absent ones included
     */
    SparseRows standardize(StandardScaling scaling) {
        double[] base = new double[numFeatures];
        double[] mean = new double[numFeatures];
        double[] inverseScale = new double[numFeatures];
        Arrays.fill(inverseScale, 1.0);
        for (int i = 0; i < scaling.size(); i++) {
            int id = scaling.featureId(i);
            FeatureScale scale = scaling.scales().get(i);
            mean[id] = scale.mean();
            inverseScale[id] = 1.0 / scale.scale();
            base[id] = -scale.mean() / scale.scale();
        }
        int n = size();
        double[] dense = new double[numFeatures];
        int[] newStart = new int[n + 1];
        int[] newIndices = new int[Math.max(16, values.length + n * scaling.size())];
        double[] newValues = new double[newIndices.length];
        int nnz = 0;
        for (int row = 0; row < n; row++) {
            System.arraycopy(base, 0, dense, 0, numFeatures);
            for (int j = rowStart[row]; j < rowStart[row + 1]; j++) {
                int id = indices[j];
                dense[id] = (values[j] - mean[id]) * inverseScale[id];
            }
            if (nnz + numFeatures > newIndices.length) {
                int capacity = Math.max(newIndices.length * 2, nnz + numFeatures);
                newIndices = Arrays.copyOf(newIndices, capacity);
                newValues = Arrays.copyOf(newValues, capacity);
            }
            for (int id = 0; id < numFeatures; id++) {
                if (dense[id] != 0) {
                    newIndices[nnz] = id;
                    newValues[nnz] = dense[id];
                    nnz++;
                }
            }
            newStart[row + 1] = nnz;
        }
        return new SparseRows(numFeatures, newStart, newIndices, newValues, targets, weights);
    }

    static void sortRow(int[] indices, double[] values, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int id = indices[i];
            double value = values[i];
            int j = i - 1;
            while (j >= from && indices[j] > id) {
                indices[j + 1] = indices[j];
                values[j + 1] = values[j];
                j--;
            }
            indices[j + 1] = id;
            values[j + 1] = value;
        }
    }
}
