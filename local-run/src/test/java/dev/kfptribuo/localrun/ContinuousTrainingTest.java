package dev.kfptribuo.localrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.localrun.registry.ModelRegistry;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline through {@link ContinuousTraining#run}, with the real train and helpers
 * programs (from trainer-image/target and base-image/target, which the reactor builds first) on
 * the bundled 10,000-row covertype sample.
 */
class ContinuousTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "../data/covertype/covertype_small.csv";
    private static final String TWO_TRIALS = "{'hyperparameters': {'goal': 'MAXIMIZE', 'maxTrials': 2, 'maxParallelTrials': 2,"
            + " 'hyperparameterMetricTag': 'accuracy', 'params': [{'parameterName': 'alpha', 'type': 'DOUBLE',"
            + " 'minValue': 0.0001, 'maxValue': 0.001, 'scaleType': 'UNIT_LOG_SCALE'}]}}";

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err, Path runDir) {}

    private Result run(String runId, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--source", SOURCE, "--runs-dir", dir.resolve("runs").toString(),
                "--registry", dir.resolve("registry").toString(), "--run-id", runId));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ContinuousTraining.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString(), dir.resolve("runs").resolve(runId));
    }

    private ModelRegistry registry() {
        return new ModelRegistry(dir.resolve("registry"), note -> {});
    }

    @Test
    void theLabsPipelineWithItsDefaults() throws IOException {
        Result r = run("first");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("", r.err());
        for (String step : List.of("[1/6] split", "[2/6] tune", "[3/6] best-run", "[4/6] train", "[5/6] evaluate", "[6/6] deploy")) {
            assertTrue(r.out().contains(step), step + " in\n" + r.out());
        }
        for (int trial = 1; trial <= 6; trial++) {
            assertTrue(r.out().contains("trial " + trial + " started"), r.out());
            assertTrue(r.out().contains("trial " + trial + " SUCCEEDED"), r.out());
        }
        JsonNode log = JSON.readTree(r.runDir().resolve("run.json").toFile());
        assertEquals("succeeded", log.get("status").asText());
        assertEquals(6, log.get("steps").size());
        log.get("steps").forEach(s -> assertEquals("succeeded", s.get("status").asText(), s.toString()));

        JsonNode split = JSON.readTree(r.runDir().resolve("1-split/split.json").toFile());
        assertEquals(10000, split.get("rows").asLong());
        long training = split.at("/splits/0/rows").asLong();
        assertTrue(training > 3500 && training < 4500, "about 4 lots in 10: " + training);
        assertEquals(training + 1, Files.readAllLines(r.runDir().resolve("1-split/training.csv")).size());

        JsonNode job = JSON.readTree(r.runDir().resolve("2-tune/job.json").toFile());
        assertEquals("SUCCEEDED", job.get("state").asText());
        assertEquals(6, job.at("/trainingOutput/trials").size());
        assertTrue(job.at("/trainingInput/hyperparameters/enableTrialEarlyStopping").booleanValue());

        String bestTrial = Files.readString(r.runDir().resolve("3-best-run/outputs/trial_id"));
        double best = Double.parseDouble(Files.readString(r.runDir().resolve("3-best-run/outputs/metric_value")));
        for (JsonNode t : job.at("/trainingOutput/trials")) {
            assertTrue(t.at("/finalMetric/objectiveValue").asDouble() <= best);
        }
        String trainCommand = Files.readString(r.runDir().resolve("4-train/command.txt"));
        assertTrue(trainCommand.contains("--alpha\n" + Files.readString(r.runDir().resolve("3-best-run/outputs/alpha")) + "\n"),
                trainCommand);
        assertTrue(trainCommand.contains("--hptune\nFalse\n"), trainCommand);
        JsonNode manifest = JSON.readTree(r.runDir().resolve("4-train/job-dir/manifest.json").toFile());
        assertEquals(training + split.at("/splits/1/rows").asLong(), manifest.at("/training/rows").asLong());

        double accuracy = Double.parseDouble(Files.readString(r.runDir().resolve("5-evaluate/outputs/metric_value")));
        assertTrue(accuracy > 0.69, "accuracy " + accuracy);
        JsonNode decision = JSON.readTree(r.runDir().resolve("6-deploy/decision.json").toFile());
        assertTrue(decision.get("deployed").asBoolean());
        Path version = registry().version("covertype_classifier", "v01").directory();
        assertEquals(registry().current("covertype_classifier").directory(), version);
        assertEquals(decision.get("version_dir").asText(), version.toString());
        assertEquals(Files.readString(r.runDir().resolve("4-train/job-dir/" + ModelBundle.MANIFEST_FILE)),
                Files.readString(version.resolve(ModelBundle.MANIFEST_FILE)), "the final model is the published one");

        String report = Files.readString(r.runDir().resolve("report.html"));
        assertTrue(report.startsWith("<!DOCTYPE html>"));
        assertTrue(report.contains("<svg"), "charts");
        assertTrue(report.contains("Deployed."));
        assertTrue(report.contains("true \\ predicted"), "confusion matrix");
        assertTrue(report.contains("trial " + bestTrial + ": "), "best trial in a chart tooltip");
        assertFalse(report.contains("<script") || report.contains("src=\"http"), "self-contained");
        try {
            // Written through an XML writer: well-formed, every text and attribute escaped.
            javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(r.runDir().resolve("report.html").toFile());
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new AssertionError("report.html is not well-formed: " + e.getMessage(), e);
        }
    }

    @Test
    void belowTheThresholdNothingIsDeployed() throws IOException {
        Result r = run("high-bar", "--hypertune-settings", TWO_TRIALS, "--evaluation-metric-threshold", "0.99");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("not deployed: accuracy=0."), r.out());
        assertTrue(r.out().contains("is not above the threshold 0.99"), r.out());
        assertThrows(ModelRegistryReader.NotDeployedException.class, () -> registry().current("covertype_classifier"));
        assertTrue(Files.readString(r.runDir().resolve("report.html")).contains("Not deployed."));
    }

    @Test
    void anExistingVersionIsReplacedOnlyWhenAllowed() throws IOException {
        assertEquals(0, run("one", "--hypertune-settings", TWO_TRIALS).exit());
        Result refused = run("two", "--hypertune-settings", TWO_TRIALS, "--replace-existing-version", "False");
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.err().startsWith("continuous-training: error: step 6 (deploy) failed: Existing version conflicts"),
                refused.err());
        assertEquals("failed", JSON.readTree(refused.runDir().resolve("run.json").toFile()).get("status").asText());
        Result replaced = run("three", "--hypertune-settings", TWO_TRIALS);
        assertEquals(0, replaced.exit(), replaced.out() + replaced.err());
        assertTrue(replaced.out().contains("replacing the previous model"), replaced.out());
        assertTrue(JSON.readTree(registry().version("covertype_classifier", "v01").directory().resolve("version.json").toFile())
                .get("run_id").asText().equals("three"));
    }

    @Test
    void aFailedStepStopsTheRunWithOneLine() throws IOException {
        // A trainer that cannot start: every trial fails, the study fails, the run stops at step 2.
        Result r = run("broken", "--hypertune-settings", TWO_TRIALS, "--trainer-classpath", dir.resolve("nothing").toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("ClassNotFoundException: dev.kfptribuo.trainer.Train"), r.out());
        assertTrue(r.err().startsWith("continuous-training: error: step 2 (tune) failed: no trial succeeded: trial "), r.err());
        assertEquals(1, r.err().strip().lines().count());
        JsonNode log = JSON.readTree(r.runDir().resolve("run.json").toFile());
        assertEquals("failed", log.get("status").asText());
        assertEquals(2, log.get("steps").size());
        assertTrue(Files.readString(r.runDir().resolve("report.html")).contains("Run failed at step 2 (tune)."));
        assertFalse(Files.exists(dir.resolve("registry/covertype_classifier")));
    }

    @Test
    void usageErrors() throws IOException {
        Result bad = run("x", "--hypertune-settings", "{'hyperparameters': {'goal': 'MAXIMIZE', 'params': [}}");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--hypertune-settings: line 1, column 53: "), bad.err());
        assertFalse(Files.exists(dir.resolve("runs/x")), "nothing is started on a usage error");
        assertEquals(2, run("y", "--replace-existing-version", "maybe").exit());
        assertEquals(2, run("z", "--schema", "a:BLOB").exit());
    }
}
