package dev.kfptribuo.localrun.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.registry.FakeJobDirs;
import dev.kfptribuo.localrun.registry.ModelRegistry;
import dev.kfptribuo.localrun.run.Console;
import dev.kfptribuo.localrun.run.RunDirectory;
import dev.kfptribuo.localrun.run.StepFailed;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy step against a real registry, with the evaluation's baseline chosen as the pipeline
 * chooses it ({@link Baseline#choose}) and the registry changed between the evaluation and the
 * deploy through its API, as a concurrent run changes it.
 */
class DeployStepTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigDecimal THRESHOLD = new BigDecimal("0.69");

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();

    private Path registry() {
        return dir.resolve("registry");
    }

    /** A job dir as a final training leaves it (the manifest and the files it names). */
    private TrainedModel model(String name, String modelText) throws IOException {
        Path jobDir = FakeJobDirs.write(dir, name, modelText);
        return new TrainedModel(
                jobDir, ModelBundle.readManifest(Location.parse(jobDir.toString())), Map.of());
    }

    private DeployStep step(String runId, TrainedModel model, Evaluation evaluation)
            throws IOException {
        return new DeployStep(
                new Console(new PrintWriter(out, true)),
                RunDirectory.create(dir.resolve("runs"), runId),
                registry(),
                THRESHOLD,
                "covertype_classifier",
                "v01",
                true,
                model,
                evaluation);
    }

    /** The evaluation's numbers, with the baseline the pipeline chooses by default. */
    private Evaluation evaluated(String value, String baselineValue) {
        Baseline baseline = Baseline.choose(null, registry(), "covertype_classifier");
        BigDecimal v = new BigDecimal(value);
        BigDecimal b = new BigDecimal(baselineValue);
        return new Evaluation("accuracy", v, b, v.subtract(b), baseline);
    }

    private JsonNode decision(Path stepDir) throws IOException {
        return JSON.readTree(stepDir.resolve("decision.json").toFile());
    }

    @Test
    void aModelEvaluatedAgainstNothingIsNotDeployedOverOnePublishedSince() throws Exception {
        TrainedModel worse = model("worse", "the worse model");
        Evaluation evaluation = evaluated("0.6924603174603174", "0.0");
        assertEquals("nothing deployed yet", evaluation.baseline().description());

        // Between this run's evaluation and its deploy, another run publishes a better model.
        ModelRegistry.Outcome better =
                new ModelRegistry(registry(), note -> {})
                        .deploy(
                                model("better", "the better model").jobDir(),
                                "covertype_classifier",
                                "v01",
                                true,
                                JSON.createObjectNode());

        Path stepDir = dir.resolve("6-deploy");
        DeployStep.Result<DeployDecision> result = step("worse", worse, evaluation).run(stepDir);
        assertFalse(result.value().deployed());
        assertEquals(
                "not deployed: the model in production changed since the evaluation, which found"
                        + " nothing deployed: covertype_classifier/v01 is deployed now ("
                        + Console.shown(better.versionDir())
                        + "); run again to compare with it",
                result.summary());
        assertEquals(
                better.versionDir(),
                new ModelRegistryReader(registry()).current("covertype_classifier").directory(),
                "the better model stays in production");
        JsonNode decision = decision(stepDir);
        assertFalse(decision.path("deployed").asBoolean());
        assertEquals("production_changed", decision.path("status").asText());
        assertEquals(better.versionDir().toString(), decision.path("deployed_now").asText());
        assertEquals(result.summary(), decision.path("reason").asText());
    }

    @Test
    void aModelEvaluatedAgainstAVersionReplacedSinceIsNotDeployed() throws Exception {
        ModelRegistry registry = new ModelRegistry(registry(), note -> {});
        Path first =
                registry.deploy(
                                model("first", "first").jobDir(),
                                "covertype_classifier",
                                "v01",
                                true,
                                JSON.createObjectNode())
                        .versionDir();
        Evaluation evaluation = evaluated("0.71", "0.70");
        assertEquals(first, evaluation.baseline().path());
        Path second =
                registry.deploy(
                                model("second", "second").jobDir(),
                                "covertype_classifier",
                                "v01",
                                true,
                                JSON.createObjectNode())
                        .versionDir();

        Path stepDir = dir.resolve("6-deploy");
        DeployStep.Result<DeployDecision> result =
                step("late", model("late", "late"), evaluation).run(stepDir);
        assertFalse(result.value().deployed());
        assertEquals(
                "not deployed: the model in production changed since the evaluation, which"
                        + " compared with covertype_classifier/v01 ("
                        + Console.shown(first)
                        + "): covertype_classifier/v01 is deployed now ("
                        + Console.shown(second)
                        + "); run again to compare with it",
                result.summary());
        assertEquals("production_changed", decision(stepDir).path("status").asText());
        assertEquals(
                second,
                new ModelRegistryReader(registry()).current("covertype_classifier").directory());
    }

    @Test
    void whenProductionIsWhatTheEvaluationSawTheModelIsDeployedAndVersionJsonRecordsTheDecision()
            throws Exception {
        Evaluation evaluation = evaluated("0.7063", "0.0");
        Path stepDir = dir.resolve("6-deploy");
        DeployStep.Result<DeployDecision> result =
                step("first", model("first", "first"), evaluation).run(stepDir);
        assertTrue(result.value().deployed(), result.summary());
        assertTrue(
                result.summary()
                        .startsWith(
                                "accuracy=0.7063 > 0.69, no baseline (nothing deployed yet):"
                                        + " published as covertype_classifier/v01 in "),
                result.summary());
        JsonNode decision = decision(stepDir);
        assertEquals("deployed", decision.path("status").asText());
        JsonNode version =
                JSON.readTree(
                        result.value().versionDir().resolve(ModelRegistry.VERSION_FILE).toFile());
        for (String field :
                new String[] {
                    "metric_name",
                    "metric_value",
                    "threshold",
                    "baseline",
                    "baseline_description",
                    "baseline_metric_value",
                    "metric_improvement",
                    "condition"
                }) {
            assertTrue(version.has(field), field + " in " + version);
            assertEquals(decision.get(field), version.get(field), field);
        }
        assertEquals("0.69", version.path("threshold").asText());
        assertEquals(
                "metric_value > evaluation_metric_threshold and metric_improvement > 0",
                version.path("condition").asText());

        // The next run compares with it, and it is still there at the deploy.
        DeployStep.Result<DeployDecision> next =
                step("next", model("next", "next"), evaluated("0.71", "0.7063"))
                        .run(dir.resolve("6-deploy-next"));
        assertTrue(next.value().deployed(), next.summary());
        assertTrue(
                next.summary()
                        .contains(
                                "beats the baseline covertype_classifier/v01 (deployed now) by"
                                        + " 0.0037: published (replacing the previous model of"
                                        + " that version)"),
                next.summary());
    }

    @Test
    void aCurrentJsonNamingAVersionThatIsNotDeployedFailsTheChoiceOfTheBaseline() throws Exception {
        new ModelRegistry(registry(), note -> {})
                .deploy(
                        model("first", "first").jobDir(),
                        "covertype_classifier",
                        "v01",
                        true,
                        JSON.createObjectNode());
        Path currentFile = registry().resolve("covertype_classifier/current.json");
        Files.writeString(currentFile, "{\"version\":\"v99\"}\n");
        StepFailed failed =
                assertThrows(
                        StepFailed.class,
                        () -> Baseline.choose(null, registry(), "covertype_classifier"));
        assertTrue(
                failed.getMessage()
                        .contains(
                                currentFile.toAbsolutePath()
                                        + ": names version v99, which is not deployed"),
                failed.getMessage());
        assertTrue(failed.getMessage().endsWith("(--baseline none deploys without one)"));
    }
}
