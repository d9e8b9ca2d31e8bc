package dev.kfptribuo.localrun.steps;

import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.run.Step;
import dev.kfptribuo.localrun.run.StepProcess;
import dev.kfptribuo.localrun.spec.ComponentProgram;
import dev.kfptribuo.localrun.tuning.TuningSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 3, best-run: the {@code retrieve_best_run} component on the study's job document ({@code
 * job_file}), as the lab's {@code retrieve_best_run} reads {@code projects.jobs.get}.
 *
 * <p>The {@code alpha} and {@code max_iter} outputs are asked for only when the study tunes that
 * parameter: the program fails an output the best trial has no value for, and a local study may
 * tune other parameters than the lab's (KFP passes every output, so the lab's pipeline needs both
 * tuned).
 */
public final class BestRunStep implements Step<BestRun> {
    /** The outputs that are one tuned parameter each, by the parameter's name. */
    private static final List<String> PARAMETER_OUTPUTS = List.of("alpha", "max_iter");

    private final ComponentProgram program;
    private final RunDirectory run;
    private final TuningSpec tuning;
    private final Study study;

    /**
     * @param program the {@code retrieve_best_run} template and its launcher
     * @param run the run
     * @param tuning the tuning spec (its metric and parameters)
     * @param study the tuning step's study
     */
    public BestRunStep(ComponentProgram program, RunDirectory run, TuningSpec tuning, Study study) {
        this.program = program;
        this.run = run;
        this.tuning = tuning;
        this.study = study;
    }

    @Override
    public String name() {
        return "best-run";
    }

    @Override
    public Result<BestRun> run(Path dir) throws IOException, InterruptedException {
        Map<String, Path> outputs =
                program.outputPaths(
                        dir.resolve("outputs"), Map.of("hyperparameters", "hyperparameters.json"));
        Set<String> omitted = new LinkedHashSet<>();
        for (String parameter : PARAMETER_OUTPUTS) {
            if (tuning.params().stream().noneMatch(p -> p.name().equals(parameter))) {
                omitted.add(parameter);
            }
        }
        List<String> command =
                program.command(Map.of("job_file", study.jobFile().toString()), outputs, omitted);
        StepProcess.run(run, program.launcher().name(), command, dir);
        BestRun best = BestRun.read(outputs, omitted);
        return new Result<>(
                best,
                "trial "
                        + best.trialId()
                        + ": "
                        + tuning.metricTag()
                        + "="
                        + best.metricValue().toPlainString()
                        + " "
                        + best.hyperparametersJson());
    }
}
