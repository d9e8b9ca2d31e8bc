package dev.kfptribuo.localrun.steps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.localrun.run.Console;
import dev.kfptribuo.localrun.run.Step;
import dev.kfptribuo.localrun.run.StepFailed;
import dev.kfptribuo.localrun.split.LotSplitter;
import dev.kfptribuo.localrun.split.RowSchema;
import dev.kfptribuo.localrun.split.TrainerColumns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Step 1, split: the source into {@code training.csv}, {@code validation.csv} and {@code
 * testing.csv} as the lab's BigQuery queries make them ({@link LotSplitter}), and {@code
 * split.json} with the rows per lot and each split's query.
 */
public final class SplitStep implements Step<Splits> {
    private final Console console;
    private final String source;
    private final List<InputFile> sources;
    private final RowSchema givenSchema;
    private final int numLots;
    private final List<Integer> trainingLots;
    private final List<Integer> validationLots;
    private final List<Integer> testingLots;
    private final TrainerColumns trainer;

    /**
     * @param console the run's lines
     * @param source the source as given ({@code --source})
     * @param sources its files
     * @param givenSchema the column types given ({@code --schema}), or null to infer them
     * @param numLots the number of lots
     * @param trainingLots the training split's lots
     * @param validationLots the validation split's
     * @param testingLots the testing split's
     * @param trainer what the train step reads of the splits, checked in every source row
     */
    public SplitStep(
            Console console,
            String source,
            List<InputFile> sources,
            RowSchema givenSchema,
            int numLots,
            List<Integer> trainingLots,
            List<Integer> validationLots,
            List<Integer> testingLots,
            TrainerColumns trainer) {
        this.console = console;
        this.source = source;
        this.sources = List.copyOf(sources);
        this.givenSchema = givenSchema;
        this.numLots = numLots;
        this.trainingLots = List.copyOf(trainingLots);
        this.validationLots = List.copyOf(validationLots);
        this.testingLots = List.copyOf(testingLots);
        this.trainer = trainer;
    }

    @Override
    public String name() {
        return "split";
    }

    @Override
    public Result<Splits> run(Path dir) throws IOException {
        Path training = dir.resolve("training.csv");
        Path validation = dir.resolve("validation.csv");
        Path testing = dir.resolve("testing.csv");
        LotSplitter splitter;
        try {
            splitter =
                    new LotSplitter(
                            numLots,
                            List.of(
                                    new LotSplitter.Split("training", trainingLots, training),
                                    new LotSplitter.Split("validation", validationLots, validation),
                                    new LotSplitter.Split("testing", testingLots, testing)));
        } catch (IllegalArgumentException e) {
            throw new StepFailed(e.getMessage());
        }
        console.say(
                "      %s by MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(row))), %d)", source, numLots);
        LotSplitter.Result result;
        try {
            result = splitter.split(sources, givenSchema, trainer);
        } catch (IllegalArgumentException e) {
            throw new StepFailed(e.getMessage());
        }
        ObjectNode record = AtomicFiles.JSON.createObjectNode();
        record.put("source", source);
        record.put("schema", result.schema().toString());
        record.put("schema_inferred", result.schemaInferred());
        record.put("rows", result.rows());
        record.put("num_lots", numLots);
        var perLot = record.putArray("rows_per_lot");
        Arrays.stream(result.rowsPerLot()).forEach(perLot::add);
        var splits = record.putArray("splits");
        for (int s = 0; s < splitter.splits().size(); s++) {
            LotSplitter.Split split = splitter.splits().get(s);
            ObjectNode node = splits.addObject();
            node.put("name", split.name());
            var lots = node.putArray("lots");
            split.lots().forEach(lots::add);
            node.put("rows", result.rowsPerSplit()[s]);
            node.put("file", split.output().toString());
            node.put("query", split.query("source", numLots));
        }
        AtomicFiles.writeJson(dir.resolve("split.json"), record);
        if (result.schemaInferred()) {
            Map<String, List<String>> byType = new LinkedHashMap<>();
            result.schema()
                    .columns()
                    .forEach(
                            c ->
                                    byType.computeIfAbsent(c.type().name(), t -> new ArrayList<>())
                                            .add(c.name()));
            console.say(
                    "      column types inferred: %s",
                    byType.entrySet().stream()
                            .map(
                                    e ->
                                            e.getKey()
                                                    + " "
                                                    + (e.getValue().size() <= 3
                                                            ? String.join(", ", e.getValue())
                                                            : "("
                                                                    + e.getValue().size()
                                                                    + " columns)"))
                            .collect(Collectors.joining("; ")));
        }
        List<String> parts = new ArrayList<>();
        for (int s = 0; s < splitter.splits().size(); s++) {
            LotSplitter.Split split = splitter.splits().get(s);
            parts.add(
                    String.format(
                            Locale.ROOT,
                            "%s %d rows (lot%s %s)",
                            split.name(),
                            result.rowsPerSplit()[s],
                            split.lots().size() > 1 ? "s" : "",
                            lots(split.lots())));
            if (result.rowsPerSplit()[s] == 0) {
                throw new StepFailed(
                        "the "
                                + split.name()
                                + " split is empty: no row of "
                                + source
                                + " falls in lot(s) "
                                + lots(split.lots())
                                + " of "
                                + numLots);
            }
        }
        return new Result<>(
                new Splits(training, validation, testing, result.rows()),
                result.rows() + " rows -> " + String.join(", ", parts));
    }

    private static String lots(List<Integer> lots) {
        return lots.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
