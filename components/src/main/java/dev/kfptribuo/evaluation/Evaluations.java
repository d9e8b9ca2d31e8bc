package dev.kfptribuo.evaluation;

import dev.kfptribuo.data.SourceFile;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.data.TribuoDatasets;
import java.util.stream.Collectors;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;

/** Scores a classification model on labelled rows with Tribuo's {@link LabelEvaluator}. */
public final class Evaluations {
    private Evaluations() {}

    /**
     * @param model a trained model
     * @param table labelled rows with the columns the model was trained on
     * @return Tribuo's evaluation: accuracy, per-class precision/recall/F1, confusion matrix
     */
    public static LabelEvaluation evaluate(Model<Label> model, Table table) {
        String description = table.sources().stream().map(SourceFile::uri).collect(Collectors.joining(","));
        return new LabelEvaluator().evaluate(model, TribuoDatasets.toDataset(table, description));
    }
}
