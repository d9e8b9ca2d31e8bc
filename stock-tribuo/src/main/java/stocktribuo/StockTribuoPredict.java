package stocktribuo;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/**
 * What a Tribuo user does with a model file that kfp-tribuo's {@code train} saved, with stock
 * Tribuo 4.3.2 alone: load it, encode each CSV row as the manifest's {@code feature_encoding} says
 * (a numeric column's feature is the column's name with the raw value; a categorical column sets
 * {@code column@value} to 1), predict, and write the label and the model's scores per row.
 *
 * <p>Usage: {@code StockTribuoPredict MODEL_FILE CSV LABEL_COLUMN OUT_CSV PROVENANCE_TXT}. The
 * output has a header {@code label,<each label in output-ID order>}, then one line per data row.
 */
public final class StockTribuoPredict {
    private StockTribuoPredict() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println(
                    "usage: StockTribuoPredict MODEL_FILE CSV LABEL_COLUMN OUT_CSV PROVENANCE_TXT");
            System.exit(2);
        }
        @SuppressWarnings("unchecked")
        Model<Label> model = (Model<Label>) Model.deserializeFromFile(Path.of(args[0]));
        if (!model.validate(Label.class)) {
            throw new IllegalStateException(args[0] + " is not a classification model");
        }
        ImmutableFeatureMap features = model.getFeatureIDMap();
        List<String> labels = new ArrayList<>();
        for (int id = 0; id < model.getOutputIDInfo().size(); id++) {
            labels.add(model.getOutputIDInfo().getOutput(id).getLabel());
        }
        String labelColumn = args[2];
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        List<String> header = new ArrayList<>(List.of("label"));
        header.addAll(labels);
        long rows = 0;
        try (CSVParser parser = CSVParser.parse(Path.of(args[1]), StandardCharsets.UTF_8, format);
                Writer out = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8);
                CSVPrinter printer = new CSVPrinter(out, CSVFormat.DEFAULT)) {
            printer.printRecord(header);
            List<String> columns = parser.getHeaderNames();
            for (CSVRecord record : parser) {
                ArrayExample<Label> example = new ArrayExample<>(LabelFactory.UNKNOWN_LABEL);
                for (String column : columns) {
                    if (column.equals(labelColumn)) {
                        continue;
                    }
                    String value = record.get(column).strip();
                    if (features.get(column) != null) {
                        example.add(column, Double.parseDouble(value));
                    } else {
                        example.add(column + "@" + value, 1.0);
                    }
                }
                Prediction<Label> prediction = model.predict(example);
                List<Object> line = new ArrayList<>();
                line.add(prediction.getOutput().getLabel());
                for (String label : labels) {
                    line.add(Double.toString(prediction.getOutputScores().get(label).getScore()));
                }
                printer.printRecord(line);
                rows++;
            }
        }
        Files.writeString(
                Path.of(args[4]),
                model.getProvenance().toString()
                        + "\n"
                        + "normalizer-probabilities="
                        + model.generatesProbabilities()
                        + "\n",
                StandardCharsets.UTF_8);
        System.out.println(
                "StockTribuoPredict: "
                        + rows
                        + " rows predicted with "
                        + model.getClass().getName());
    }
}
