package dev.kfptribuo.evaluation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Counts of (true label, predicted label) pairs over the classes that occur as either.
 *
 * <p>Classes are ordered by {@link #labelOrder}: numerically when every label is a number (so
 * {@code 10} follows {@code 9}), else by text.
 */
public final class ConfusionMatrix {
    private final List<String> labels;
    private final long[][] counts;

    /**
     * @param labels the classes, in display order
     * @param counts {@code counts[t][p]}: rows whose true class is {@code labels[t]} and predicted
     *     class {@code labels[p]}
     */
    ConfusionMatrix(List<String> labels, long[][] counts) {
        this.labels = List.copyOf(labels);
        this.counts = counts;
    }

    /**
     * @param truth true label per row
     * @param predicted predicted label per row, same length
     * @return the matrix over the labels seen in either
     */
    public static ConfusionMatrix of(String[] truth, String[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(
                    truth.length + " true labels but " + predicted.length + " predictions");
        }
        TreeSet<String> seen = new TreeSet<>(List.of(truth));
        seen.addAll(List.of(predicted));
        List<String> labels = labelOrder(seen);
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            index.put(labels.get(i), i);
        }
        long[][] counts = new long[labels.size()][labels.size()];
        for (int row = 0; row < truth.length; row++) {
            counts[index.get(truth[row])][index.get(predicted[row])]++;
        }
        return new ConfusionMatrix(labels, counts);
    }

    /**
     * @param labels class labels
     * @return them sorted numerically if all are numbers, else by text
     */
    public static List<String> labelOrder(Collection<String> labels) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(labels));
        boolean numeric = sorted.stream().allMatch(ConfusionMatrix::isNumber);
        if (numeric) {
            sorted.sort(
                    (a, b) -> new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(b)));
        }
        return sorted;
    }

    private static boolean isNumber(String text) {
        try {
            new java.math.BigDecimal(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * @return the classes, in display order
     */
    public List<String> labels() {
        return labels;
    }

    /**
     * @param truth index of the true class
     * @param predicted index of the predicted class
     * @return how many rows had that pair
     */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /**
     * @return the number of rows
     */
    public long total() {
        long total = 0;
        for (long[] row : counts) {
            for (long c : row) {
                total += c;
            }
        }
        return total;
    }

    /**
     * @param k class index
     * @return rows whose true class is {@code k} (the support)
     */
    public long trueCount(int k) {
        long sum = 0;
        for (long c : counts[k]) {
            sum += c;
        }
        return sum;
    }

    /**
     * @param k class index
     * @return rows predicted as {@code k}
     */
    public long predictedCount(int k) {
        long sum = 0;
        for (long[] row : counts) {
            sum += row[k];
        }
        return sum;
    }
}
