package dev.kfptribuo.localrun.steps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.localrun.registry.ModelRegistry;
import dev.kfptribuo.localrun.run.Console;
import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.run.Step;
import dev.kfptribuo.localrun.run.StepFailed;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Step 6, deploy: when {@code metric_value > threshold} and {@code metric_improvement > 0} (the
 * lab's condition and the champion/challenger gate), the model is published to the local model
 * registry ({@link ModelRegistry}); {@code decision.json} records the threshold, the baseline, both
 * metrics and the improvement either way, and a {@code status}. When the baseline is what the
 * registry had in production at the evaluation, the deploy checks under the registry's lock that it
 * still is, and deploys nothing if another deploy changed it since (status {@code
 * production_changed}).
 */
public final class DeployStep implements Step<DeployDecision> {
    /** The deploy condition, as decision.json and version.json record it. */
    static final String CONDITION =
            "metric_value > evaluation_metric_threshold and metric_improvement > 0";

    private final Console console;
    private final RunDirectory run;
    private final Path registry;
    private final BigDecimal threshold;
    private final String modelId;
    private final String versionId;
    private final boolean replace;
    private final TrainedModel model;
    private final Evaluation evaluation;

    /**
     * @param console the run's lines (the registry's notes)
     * @param run the run
     * @param registry the local model registry
     * @param threshold the metric's threshold
     * @param modelId the model's id
     * @param versionId the version's id
     * @param replace whether a version holding another model is replaced
     * @param model the final model
     * @param evaluation its evaluation
     */
    public DeployStep(
            Console console,
            RunDirectory run,
            Path registry,
            BigDecimal threshold,
            String modelId,
            String versionId,
            boolean replace,
            TrainedModel model,
            Evaluation evaluation) {
        this.console = console;
        this.run = run;
        this.registry = registry;
        this.threshold = threshold;
        this.modelId = modelId;
        this.versionId = versionId;
        this.replace = replace;
        this.model = model;
        this.evaluation = evaluation;
    }

    @Override
    public String name() {
        return "deploy";
    }

    @Override
    public Result<DeployDecision> run(Path dir) throws IOException {
        String name = evaluation.metricName();
        BigDecimal value = evaluation.metricValue();
        BigDecimal improvement = evaluation.metricImprovement();
        String text = value.toPlainString();
        Baseline baseline = evaluation.baseline();
        boolean hasBaseline = baseline.path() != null;
        ObjectNode decision = AtomicFiles.JSON.createObjectNode();
        decision.put("metric_name", name);
        decision.put("metric_value", value);
        decision.put("threshold", threshold);
        decision.put("baseline", hasBaseline ? baseline.path().toString() : null);
        decision.put("baseline_description", baseline.description());
        decision.put("baseline_metric_value", evaluation.baselineMetricValue());
        decision.put("metric_improvement", improvement);
        decision.put("condition", CONDITION);
        decision.put("model_id", modelId);
        decision.put("version_id", versionId);
        decision.put("replace_existing_version", replace);
        DeployDecision result;
        if (value.compareTo(threshold) <= 0) {
            decision.put("status", "below_threshold");
            result =
                    new DeployDecision(
                            false,
                            String.format(
                                    Locale.ROOT,
                                    "not deployed: %s=%s is not above the threshold %s",
                                    name,
                                    text,
                                    threshold.toPlainString()),
                            null);
        } else if (improvement.signum() <= 0) {
            decision.put("status", "not_better_than_baseline");
            result =
                    new DeployDecision(
                            false,
                            String.format(
                                    Locale.ROOT,
                                    "not deployed: %s=%s does not beat the baseline %s: %s=%s, improvement %s",
                                    name,
                                    text,
                                    baseline.description(),
                                    name,
                                    evaluation.baselineMetricValue().toPlainString(),
                                    improvement.toPlainString()),
                            null);
        } else {
            ObjectNode details = AtomicFiles.JSON.createObjectNode();
            details.put("run_id", run.id());
            details.put("run_dir", run.dir().toString());
            details.put("metric_name", name);
            details.put("metric_value", value);
            details.put("threshold", threshold);
            details.put("baseline", hasBaseline ? baseline.path().toString() : null);
            details.put("baseline_description", baseline.description());
            details.put("baseline_metric_value", evaluation.baselineMetricValue());
            details.put("metric_improvement", improvement);
            details.put("condition", CONDITION);
            // The evaluation compared with what was in production then; the deploy checks, under
            // the registry's lock, that it still is.
            ModelRegistry.Expected expected =
                    !baseline.deployedNow()
                            ? ModelRegistry.Expected.ANY
                            : hasBaseline
                                    ? ModelRegistry.Expected.current(baseline.path())
                                    : ModelRegistry.Expected.nothingDeployed();
            ModelRegistry.Outcome outcome;
            try {
                outcome =
                        new ModelRegistry(registry, note -> console.say("      %s", note))
                                .deploy(
                                        model.jobDir(),
                                        modelId,
                                        versionId,
                                        replace,
                                        details,
                                        expected);
            } catch (IllegalStateException e) {
                decision.put("deployed", false);
                decision.put("status", "version_conflict");
                decision.put("reason", e.getMessage());
                AtomicFiles.writeJson(dir.resolve("decision.json"), decision);
                throw new StepFailed(e.getMessage());
            } catch (ModelRegistry.ProductionChangedException e) {
                ModelRegistryReader.Version now = e.found();
                String nowText =
                        now == null
                                ? "nothing is deployed now"
                                : now.modelId()
                                        + "/"
                                        + now.versionId()
                                        + " is deployed now ("
                                        + Console.shown(now.directory())
                                        + ")";
                String thenText =
                        hasBaseline
                                ? "which compared with "
                                        + baseline.description().replace(" (deployed now)", "")
                                        + " ("
                                        + Console.shown(baseline.path())
                                        + ")"
                                : "which found nothing deployed";
                decision.put("deployed", false);
                decision.put("status", "production_changed");
                decision.put("deployed_now", now == null ? null : now.directory().toString());
                result =
                        new DeployDecision(
                                false,
                                "not deployed: the model in production changed since the evaluation, "
                                        + thenText
                                        + ": "
                                        + nowText
                                        + "; run again to compare with it",
                                null);
                decision.put("reason", result.reason());
                AtomicFiles.writeJson(dir.resolve("decision.json"), decision);
                return new Result<>(result, result.reason());
            }
            decision.put("deployed", true);
            decision.put("status", "deployed");
            decision.put("action", outcome.action().name().toLowerCase(Locale.ROOT));
            decision.put("version_dir", outcome.versionDir().toString());
            String action =
                    switch (outcome.action()) {
                        case CREATED -> "published";
                        case REPLACED -> "published (replacing the previous model of that version)";
                        case UNCHANGED -> "already published (the version holds this very model)";
                    };
            String gate =
                    hasBaseline
                            ? "beats the baseline "
                                    + baseline.description()
                                    + " by "
                                    + improvement.toPlainString()
                            : "no baseline (" + baseline.description() + ")";
            result =
                    new DeployDecision(
                            true,
                            String.format(
                                    Locale.ROOT,
                                    "%s=%s > %s, %s: %s as %s/%s in %s",
                                    name,
                                    text,
                                    threshold.toPlainString(),
                                    gate,
                                    action,
                                    outcome.modelId(),
                                    outcome.versionId(),
                                    Console.shown(outcome.versionDir())),
                            outcome.versionDir());
        }
        if (!result.deployed()) {
            decision.put("deployed", false);
        }
        decision.put("reason", result.reason());
        AtomicFiles.writeJson(dir.resolve("decision.json"), decision);
        return new Result<>(result, result.reason());
    }
}
