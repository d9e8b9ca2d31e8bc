package dev.kfptribuo.localrun.steps;

import dev.kfptribuo.componentyaml.ComponentSpec;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.run.Step;
import dev.kfptribuo.localrun.run.StepFailed;
import dev.kfptribuo.localrun.run.StepProcess;
import dev.kfptribuo.localrun.spec.ComponentProgram;
import dev.kfptribuo.localrun.split.TrainerColumns;
import dev.kfptribuo.localrun.tuning.TuningSpec;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.tuning.ParameterSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Step 4, train: the {@code train} component ({@code --hptune False}) on training plus validation
 * with the best run's {@code alpha} and {@code max_iter} outputs, as the lab's pipeline passes
 * them; any other tuned parameter is passed to the {@code train} input of its name from the {@code
 * hyperparameters} output, so that a search over other inputs trains with its best values too. The
 * model's job dir is the {@code job_dir} output.
 */
public final class TrainStep implements Step<TrainedModel> {
    /** The inputs the pipeline sets itself, which no tuned value replaces. */
    private static final Set<String> PIPELINE_INPUTS =
            Set.of("training_dataset_path", "validation_dataset_path", "job_dir");

    private final ComponentProgram program;
    private final RunDirectory run;
    private final Splits splits;
    private final BestRun best;

    /**
     * @param program the {@code train} template and its launcher
     * @param run the run
     * @param splits the split step's files
     * @param best the best run
     */
    public TrainStep(ComponentProgram program, RunDirectory run, Splits splits, BestRun best) {
        this.program = program;
        this.run = run;
        this.splits = splits;
        this.best = best;
    }

    /**
     * The {@code train} input a tuned parameter is passed to: the one of its name ({@code max-iter}
     * spelt {@code max_iter}).
     *
     * @param train the {@code train} template
     * @param parameter a tuned parameter's name
     * @return the input's name, or null if {@code train} has none that takes it
     */
    public static String input(ComponentSpec train, String parameter) {
        String name = parameter.replace('-', '_');
        return train.inputs().containsKey(name) && !PIPELINE_INPUTS.contains(name) ? name : null;
    }

    /**
     * @param train the {@code train} template
     * @return what the train step reads of the splits: its label and categorical columns, the
     *     defaults of its {@code label_column} and {@code categorical_columns} inputs (the local
     *     run passes no other)
     */
    public static TrainerColumns columns(ComponentSpec train) {
        String label = train.inputs().get("label_column").defaultValue();
        String categorical = train.inputs().get("categorical_columns").defaultValue();
        return new TrainerColumns(
                label,
                categorical == null || categorical.isBlank()
                        ? Set.of()
                        : Set.of(categorical.strip().split("\\s*,\\s*")),
                train.source());
    }

    /**
     * @param train the {@code train} template
     * @param tuning a tuning spec
     * @return why the final training could not take the spec's best values, or null if it can
     */
    public static String untrainable(ComponentSpec train, TuningSpec tuning) {
        for (ParameterSpec param : tuning.params()) {
            if (input(train, param.name()) == null) {
                return "parameter '"
                        + param.name()
                        + "' is not an input of the train component ("
                        + train.source()
                        + "), so the final training could not take its best value";
            }
        }
        return null;
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public Result<TrainedModel> run(Path dir) throws IOException, InterruptedException {
        Path jobDir = dir.resolve("job-dir");
        Map<String, String> tuned = new LinkedHashMap<>();
        if (best.alpha() != null) {
            tuned.put("alpha", best.alpha().toPlainString());
        }
        if (best.maxIter() != null) {
            tuned.put("max_iter", Long.toString(best.maxIter()));
        }
        best.hyperparameters().forEach(tuned::putIfAbsent);
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("training_dataset_path", splits.training().toString());
        arguments.put("validation_dataset_path", splits.validation().toString());
        arguments.put("job_dir", jobDir.toString());
        tuned.forEach(
                (name, value) -> {
                    String input = input(program.spec(), name);
                    if (input == null) {
                        throw new StepFailed(
                                "the best run's "
                                        + name
                                        + " is not an input of the train component ("
                                        + program.spec().source()
                                        + ")");
                    }
                    arguments.putIfAbsent(input, value);
                });
        Map<String, Path> outputs = program.outputPaths(dir.resolve("outputs"), Map.of());
        List<String> command = program.command(arguments, outputs, Set.of());
        StepProcess.run(run, program.launcher().name(), command, dir);
        Path saved = Path.of(StepOutputs.text(outputs.get("job_dir")));
        Manifest manifest = ModelBundle.readManifest(Location.parse(saved.toString()));
        Manifest.Training fit = manifest.training();
        return new Result<>(
                new TrainedModel(saved, manifest, tuned),
                String.format(
                        Locale.ROOT,
                        "%d rows, %s: %d epochs (converged %s); model in %s",
                        fit.rows(),
                        tuned.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(" ")),
                        fit.epochsRun(),
                        fit.converged(),
                        run.relative(saved)));
    }
}
