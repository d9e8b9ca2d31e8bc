package dev.kfptribuo.data;

import java.util.List;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Turns a {@link Table} into Tribuo examples: one feature per numeric column, named by the column,
 * holding the raw value; one feature {@code column@value} with value 1 per categorical column (the
 * naming of Tribuo's {@code IdentityProcessor}); the label as a Tribuo {@link Label}.
 */
public final class TribuoDatasets {
    private static final LabelFactory LABELS = new LabelFactory();

    private TribuoDatasets() {}

    /**
     * @param column a categorical column name
     * @param value one of its values
     * @return the one-hot feature name, {@code column@value}
     */
    public static String categoricalFeature(String column, String value) {
        return column + "@" + value;
    }

    /**
     * Builds a Tribuo dataset from every row of the table.
     *
     * <p>The programs train from a {@code Table} directly ({@code TrainingRows}), without Tribuo
     * examples, which cost ten times more per row; this is for Tribuo's own API: the dataset that
     * {@code SgdClassifierTrainer.train}, a Tribuo {@code Trainer}, or any other Tribuo trainer or
     * evaluator takes. Both paths train the same model ({@code SgdClassifierTrainerTest}).
     *
     * @param table the rows
     * @param description what the rows are, recorded in the dataset's provenance (e.g. the URIs)
     * @return a mutable dataset with one example per row, in table order
     */
    public static MutableDataset<Label> toDataset(Table table, String description) {
        MutableDataset<Label> dataset =
                new MutableDataset<>(new SimpleDataSourceProvenance(description, LABELS), LABELS);
        for (int row = 0; row < table.rowCount(); row++) {
            try {
                dataset.add(example(table, row));
            } catch (IllegalArgumentException e) {
                // Tribuo's feature statistics reject values whose running mean overflows.
                throw new DataFormatException(
                        description
                                + ": data row "
                                + (row + 1)
                                + ": values Tribuo cannot take ("
                                + e.getMessage()
                                + ")");
            }
        }
        return dataset;
    }

    /**
     * Builds the example for one row.
     *
     * @param table the rows
     * @param row 0-based row index
     * @return the example, labelled with the row's label
     */
    public static Example<Label> example(Table table, int row) {
        List<String> numeric = table.numericColumns();
        List<String> categorical = table.categoricalColumns();
        String[] names = new String[numeric.size() + categorical.size()];
        double[] values = new double[names.length];
        int f = 0;
        for (int c = 0; c < numeric.size(); c++, f++) {
            names[f] = numeric.get(c);
            values[f] = table.numeric(c)[row];
        }
        for (int c = 0; c < categorical.size(); c++, f++) {
            names[f] = categoricalFeature(categorical.get(c), table.categorical(c)[row]);
            values[f] = 1.0;
        }
        return new ArrayExample<>(new Label(table.labels()[row]), names, values);
    }
}
