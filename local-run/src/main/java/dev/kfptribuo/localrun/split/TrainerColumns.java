package dev.kfptribuo.localrun.split;

import dev.kfptribuo.data.NumericCells;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the train step will read of the splits, so that the split can refuse a source the trainer
 * would refuse only in every trial: the label column must be there, and every column but the label
 * and the categorical ones must hold a number in every row. The split names the source's file, line
 * and column, where the trainer could name only the split's file.
 *
 * @param label the label column (the train component's {@code label_column})
 * @param categorical the categorical columns ({@code categorical_columns})
 * @param origin where the two come from, for the messages: {@code
 *     component-yaml/train/component.yaml}
 */
public record TrainerColumns(String label, Set<String> categorical, String origin) {
    /** Copies the set. */
    public TrainerColumns {
        Objects.requireNonNull(label, "label");
        categorical = Set.copyOf(categorical);
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * @param file the source file, for the message
     * @param header its header
     * @return the indexes of the columns that must hold numbers
     * @throws IllegalArgumentException if the header has no label column
     */
    List<Integer> numericColumns(Object file, List<String> header) {
        if (!header.contains(label)) {
            throw new IllegalArgumentException(
                    file
                            + ": no column "
                            + label
                            + ", the label the train step reads (label_column of "
                            + origin
                            + ")");
        }
        List<Integer> numeric = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            if (!header.get(c).equals(label) && !categorical.contains(header.get(c))) {
                numeric.add(c);
            }
        }
        return numeric;
    }

    /**
     * @param cell a cell of a numeric column
     * @return why the train step would refuse it ({@link NumericCells}, the train step's own rule),
     *     or null if it is a number
     */
    String refusal(String cell) {
        try {
            NumericCells.parse(cell);
            return null;
        } catch (NumericCells.InvalidNumberException e) {
            return e.getMessage()
                    + "; the train step reads every column but the label and "
                    + String.join(",", categorical.stream().sorted().toList())
                    + " (categorical_columns of "
                    + origin
                    + ") as numbers";
        }
    }

    /**
     * @param cell a cell of the label column
     * @return why the train step would refuse it, or null if it would not
     */
    static String labelRefusal(String cell) {
        return cell.isBlank() ? "the label is blank; the train step needs one in every row" : null;
    }
}
