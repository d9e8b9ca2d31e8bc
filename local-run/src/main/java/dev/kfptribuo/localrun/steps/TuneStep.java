package dev.kfptribuo.localrun.steps;

import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.localrun.run.Console;
import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.run.Step;
import dev.kfptribuo.localrun.run.StepFailed;
import dev.kfptribuo.localrun.tuning.LocalTrial;
import dev.kfptribuo.localrun.tuning.LocalTuningService;
import dev.kfptribuo.localrun.tuning.SearchStrategy;
import dev.kfptribuo.localrun.tuning.TuningSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Step 2, tune: the local tuning service ({@link LocalTuningService}) runs the study, each trial
 * the trainer image's program as its own process with the job's arguments, as the lab's pipeline
 * passes them to the tuning job ({@code --training_dataset_path ... --validation_dataset_path ...
 * --hptune True}); the study goes to {@code job.json} and {@code trials.json}.
 */
public final class TuneStep implements Step<Study> {
    private final Console console;
    private final RunDirectory run;
    private final TuningSpec tuning;
    private final String settingsText;
    private final long searchSeed;
    private final ProgramLauncher trainer;
    private final Splits splits;

    /**
     * @param console the run's lines
     * @param run the run
     * @param tuning the tuning spec
     * @param settingsText its text, as given
     * @param searchSeed the search's seed
     * @param trainer the trainer image's program
     * @param splits the split step's files
     */
    public TuneStep(
            Console console,
            RunDirectory run,
            TuningSpec tuning,
            String settingsText,
            long searchSeed,
            ProgramLauncher trainer,
            Splits splits) {
        this.console = console;
        this.run = run;
        this.tuning = tuning;
        this.settingsText = settingsText;
        this.searchSeed = searchSeed;
        this.trainer = trainer;
        this.splits = splits;
    }

    @Override
    public String name() {
        return "tune";
    }

    @Override
    public Result<Study> run(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("hypertune_settings.txt"), settingsText, StandardCharsets.UTF_8);
        List<Map<String, SearchStrategy.Value>> suggestions =
                SearchStrategy.suggest(tuning, searchSeed);
        console.say(
                "      %d trials, %d at a time, %s %s; %s search, seed %d",
                suggestions.size(),
                tuning.parallelism(),
                tuning.goal(),
                tuning.metricTag(),
                tuning.algorithm() == TuningSpec.Algorithm.ALGORITHM_UNSPECIFIED
                        ? "Halton"
                        : tuning.algorithm().name().toLowerCase(Locale.ROOT),
                searchSeed);
        List<String> args =
                List.of(
                        "--training_dataset_path",
                        splits.training().toString(),
                        "--validation_dataset_path",
                        splits.validation().toString(),
                        "--hptune",
                        "True");
        String jobId = "local_tuning_" + run.id().replaceAll("[^0-9a-zA-Z_]", "_");
        LocalTuningService service =
                new LocalTuningService(
                        tuning,
                        trainer,
                        args,
                        dir,
                        jobId,
                        new LocalTuningService.Listener() {
                            @Override
                            public void started(LocalTrial trial) {
                                console.say(
                                        "      trial %s started: %s",
                                        trial.id(), trial.describeValues());
                            }

                            @Override
                            public void ended(LocalTrial trial) {
                                if (trial.succeeded()) {
                                    console.say(
                                            "      trial %s SUCCEEDED: %s=%.4f (step %s, %.1fs)",
                                            trial.id(),
                                            tuning.metricTag(),
                                            trial.metric(),
                                            trial.trainingStep(),
                                            trial.seconds());
                                } else {
                                    console.say(
                                            "      trial %s %s: %s (%.1fs; log %s)",
                                            trial.id(),
                                            trial.state(),
                                            trial.error(),
                                            trial.seconds(),
                                            run.relative(trial.dir().resolve("stderr.log")));
                                }
                            }
                        });
        List<LocalTrial> trials = service.run(suggestions);
        List<Map<String, Object>> summary = new ArrayList<>();
        for (LocalTrial t : trials) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("trial_id", t.id());
            entry.put("state", t.state());
            Map<String, Object> values = new LinkedHashMap<>();
            t.values().forEach((k, v) -> values.put(k, v.text()));
            entry.put("hyperparameters", values);
            entry.put("metric", t.metric());
            entry.put("training_step", t.trainingStep());
            entry.put("seconds", t.seconds());
            entry.put("error", t.error());
            entry.put("dir", run.relative(t.dir()));
            summary.add(entry);
        }
        Map<String, Object> study = new LinkedHashMap<>();
        study.put("metric_tag", tuning.metricTag());
        study.put("goal", tuning.goal().name());
        study.put("algorithm", tuning.algorithm().name());
        study.put(
                "search",
                tuning.algorithm() == TuningSpec.Algorithm.ALGORITHM_UNSPECIFIED
                        ? "Halton sequence with a seeded random shift"
                        : tuning.algorithm().name());
        study.put("seed", searchSeed);
        study.put("max_parallel_trials", tuning.parallelism());
        study.put("early_stopping", tuning.earlyStopping());
        study.put("params", tuning.params());
        study.put("trials", summary);
        AtomicFiles.writeJson(dir.resolve("trials.json"), study);
        long ok = trials.stream().filter(LocalTrial::succeeded).count();
        long failed = trials.stream().filter(t -> "FAILED".equals(t.state())).count();
        if (ok == 0) {
            throw new StepFailed(
                    "no trial succeeded: "
                            + trials.stream()
                                    .filter(t -> t.error() != null)
                                    .map(t -> "trial " + t.id() + ": " + t.error())
                                    .findFirst()
                                    .orElse("(no trial ran)"));
        }
        return new Result<>(
                new Study(service.jobFile(), trials),
                ok
                        + " trial(s) succeeded, "
                        + failed
                        + " failed; study in "
                        + run.relative(service.jobFile()));
    }
}
