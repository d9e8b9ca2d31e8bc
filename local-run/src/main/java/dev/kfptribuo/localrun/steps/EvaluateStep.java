package dev.kfptribuo.localrun.steps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.run.Step;
import dev.kfptribuo.localrun.run.StepProcess;
import dev.kfptribuo.localrun.spec.ComponentProgram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Step 5, evaluate: the {@code evaluate_model} component on the testing split with the final model
 * ({@code model_path}: {@code train}'s {@code job_dir} output, as in the lab's pipeline), and the
 * baseline ({@code baseline_model_path}) on the same rows when there is one; the baseline goes to
 * {@code baseline.json}.
 */
public final class EvaluateStep implements Step<Evaluation> {
    private final ComponentProgram program;
    private final RunDirectory run;
    private final Splits splits;
    private final TrainedModel model;
    private final String metricName;
    private final Supplier<Baseline> baseline;

    /**
     * @param program the {@code evaluate_model} template and its launcher
     * @param run the run
     * @param splits the split step's files
     * @param model the final model
     * @param metricName the metric to output
     * @param baseline chooses the baseline as the step starts
     */
    public EvaluateStep(
            ComponentProgram program,
            RunDirectory run,
            Splits splits,
            TrainedModel model,
            String metricName,
            Supplier<Baseline> baseline) {
        this.program = program;
        this.run = run;
        this.splits = splits;
        this.model = model;
        this.metricName = metricName;
        this.baseline = baseline;
    }

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public Result<Evaluation> run(Path dir) throws IOException, InterruptedException {
        Baseline used = baseline.get();
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("dataset_path", splits.testing().toString());
        arguments.put("model_path", model.jobDir().toString());
        arguments.put("metric_name", metricName);
        if (used.path() != null) {
            arguments.put("baseline_model_path", used.path().toString());
        }
        Map<String, Path> outputs =
                program.outputPaths(
                        dir.resolve("outputs"),
                        Map.of(
                                "mlpipeline_metrics",
                                "mlpipeline-metrics.json",
                                "mlpipeline_ui_metadata",
                                "mlpipeline-ui-metadata.json"));
        List<String> command = program.command(arguments, outputs, Set.of());
        Files.createDirectories(dir);
        ObjectNode record = AtomicFiles.JSON.createObjectNode();
        record.put("baseline", used.path() == null ? null : used.path().toString());
        record.put("description", used.description());
        AtomicFiles.writeJson(dir.resolve("baseline.json"), record);
        StepProcess.run(run, program.launcher().name(), command, dir);
        Evaluation evaluation = Evaluation.read(outputs, used);
        String line =
                evaluation.metricName()
                        + "="
                        + evaluation.metricValue().toPlainString()
                        + " on the testing split";
        if (used.path() == null) {
            return new Result<>(evaluation, line + "; no baseline (" + used.description() + ")");
        }
        return new Result<>(
                evaluation,
                line
                        + "; baseline "
                        + used.description()
                        + ": "
                        + evaluation.metricName()
                        + "="
                        + evaluation.baselineMetricValue().toPlainString()
                        + ", improvement "
                        + evaluation.metricImprovement().toPlainString());
    }
}
