package dev.kfptribuo.localrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.componentyaml.ComponentSpec;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.registry.ModelRegistry;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.prediction.Predictor;
import dev.kfptribuo.prediction.TablePredictions;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline through {@link ContinuousTraining#run}, with the real train and helpers
 * programs (from trainer-image/target and base-image/target, which the reactor builds first) on the
 * bundled 10,000-row covertype sample.
 */
class ContinuousTrainingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "../data/covertype/covertype_small.csv";
    private static final String TWO_TRIALS =
            "{'hyperparameters': {'goal': 'MAXIMIZE', 'maxTrials': 2, 'maxParallelTrials': 2,"
                    + " 'hyperparameterMetricTag': 'accuracy', 'params': [{'parameterName': 'alpha', 'type': 'DOUBLE',"
                    + " 'minValue': 0.0001, 'maxValue': 0.001, 'scaleType': 'UNIT_LOG_SCALE'}]}}";

    @TempDir Path dir;

    private record Result(int exit, String out, String err, Path runDir) {}

    private Result run(String runId, String... extra) throws IOException {
        return run(System.getenv(), runId, extra);
    }

    private Result run(Map<String, String> env, String runId, String... extra) throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--source",
                                SOURCE,
                                "--runs-dir",
                                dir.resolve("runs").toString(),
                                "--registry",
                                dir.resolve("registry").toString(),
                                "--run-id",
                                runId));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                ContinuousTraining.run(
                        args.toArray(String[]::new),
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        env);
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
        for (String step :
                List.of(
                        "[1/6] split",
                        "[2/6] tune",
                        "[3/6] best-run",
                        "[4/6] train",
                        "[5/6] evaluate",
                        "[6/6] deploy")) {
            assertTrue(r.out().contains(step), step + " in\n" + r.out());
        }
        for (int trial = 1; trial <= 6; trial++) {
            assertTrue(r.out().contains("trial " + trial + " started"), r.out());
            assertTrue(r.out().contains("trial " + trial + " SUCCEEDED"), r.out());
        }
        JsonNode log = JSON.readTree(r.runDir().resolve("run.json").toFile());
        assertEquals("succeeded", log.get("status").asText());
        assertEquals(6, log.get("steps").size());
        log.get("steps")
                .forEach(s -> assertEquals("succeeded", s.get("status").asText(), s.toString()));

        JsonNode split = JSON.readTree(r.runDir().resolve("1-split/split.json").toFile());
        assertEquals(10000, split.get("rows").asLong());
        long training = split.at("/splits/0/rows").asLong();
        assertTrue(training > 3500 && training < 4500, "about 4 lots in 10: " + training);
        assertEquals(
                training + 1,
                Files.readAllLines(r.runDir().resolve("1-split/training.csv")).size());

        JsonNode job = JSON.readTree(r.runDir().resolve("2-tune/job.json").toFile());
        assertEquals("SUCCEEDED", job.get("state").asText());
        assertEquals(6, job.at("/trainingOutput/trials").size());
        assertTrue(
                job.at("/trainingInput/hyperparameters/enableTrialEarlyStopping").booleanValue());

        String bestTrial = Files.readString(r.runDir().resolve("3-best-run/outputs/trial_id"));
        double best =
                Double.parseDouble(
                        Files.readString(r.runDir().resolve("3-best-run/outputs/metric_value")));
        for (JsonNode t : job.at("/trainingOutput/trials")) {
            assertTrue(t.at("/finalMetric/objectiveValue").asDouble() <= best);
        }
        String trainCommand = Files.readString(r.runDir().resolve("4-train/command.txt"));
        assertTrue(
                trainCommand.contains(
                        "--alpha\n"
                                + Files.readString(r.runDir().resolve("3-best-run/outputs/alpha"))
                                + "\n"),
                trainCommand);
        assertTrue(trainCommand.contains("--hptune\nFalse\n"), trainCommand);
        // The train step runs the train template's command line, resolved as the contract tests
        // resolve it.
        ComponentSpec trainSpec = ComponentSpec.load("train");
        List<String> trainLines = Files.readAllLines(r.runDir().resolve("4-train/command.txt"));
        List<String> expected = new ArrayList<>(trainSpec.entrypoint());
        expected.addAll(
                trainSpec.resolve(
                        Map.of(
                                "training_dataset_path",
                                        r.runDir().resolve("1-split/training.csv").toString(),
                                "validation_dataset_path",
                                        r.runDir().resolve("1-split/validation.csv").toString(),
                                "job_dir", r.runDir().resolve("4-train/job-dir").toString(),
                                "alpha",
                                        Files.readString(
                                                        r.runDir()
                                                                .resolve(
                                                                        "3-best-run/outputs/alpha"))
                                                .strip(),
                                "max_iter",
                                        Files.readString(
                                                        r.runDir()
                                                                .resolve(
                                                                        "3-best-run/outputs/max_iter"))
                                                .strip()),
                        Map.of(
                                "job_dir",
                                r.runDir().resolve("4-train/outputs/job_dir").toString())));
        assertEquals(
                expected,
                trainLines.subList(trainLines.indexOf(trainSpec.mainClass()), trainLines.size()));
        assertEquals(
                r.runDir().resolve("4-train/job-dir").toString(),
                Files.readString(r.runDir().resolve("4-train/outputs/job_dir")),
                "train's job_dir output");
        ComponentSpec evaluateSpec = ComponentSpec.load("evaluate_model");
        List<String> evaluateLines =
                Files.readAllLines(r.runDir().resolve("5-evaluate/command.txt"));
        assertEquals(
                evaluateSpec.entrypoint(),
                evaluateLines.subList(
                        evaluateLines.indexOf(evaluateSpec.mainClass()),
                        evaluateLines.indexOf(evaluateSpec.mainClass()) + 2));
        assertTrue(
                evaluateLines.contains("--model-path")
                        && evaluateLines
                                .get(evaluateLines.indexOf("--model-path") + 1)
                                .equals(r.runDir().resolve("4-train/job-dir").toString()),
                "model_path is train's job_dir output");
        JsonNode manifest =
                JSON.readTree(r.runDir().resolve("4-train/job-dir/manifest.json").toFile());
        assertEquals(
                training + split.at("/splits/1/rows").asLong(),
                manifest.at("/training/rows").asLong());

        double accuracy =
                Double.parseDouble(
                        Files.readString(r.runDir().resolve("5-evaluate/outputs/metric_value")));
        assertTrue(accuracy > 0.69, "accuracy " + accuracy);
        assertTrue(
                r.out().contains("on the testing split; no baseline (nothing deployed yet)"),
                r.out());
        JsonNode decision = JSON.readTree(r.runDir().resolve("6-deploy/decision.json").toFile());
        assertTrue(decision.get("deployed").asBoolean());
        assertTrue(decision.get("baseline").isNull());
        assertEquals(0.0, decision.get("baseline_metric_value").asDouble());
        assertEquals(accuracy, decision.get("metric_improvement").asDouble(), 0.0, "accuracy - 0");
        List<String> lines = r.out().lines().toList();
        assertTrue(
                lines.get(lines.size() - 3)
                        .startsWith("serve covertype_classifier/v01 (deployed by this run)"),
                r.out());
        assertTrue(
                lines.get(lines.size() - 1).startsWith("  curl -s localhost:"),
                "ends with the curl line: " + r.out());
        Path version = registry().version("covertype_classifier", "v01").directory();
        assertEquals(registry().current("covertype_classifier").directory(), version);
        assertEquals(decision.get("version_dir").asText(), version.toString());
        assertEquals(
                Files.readString(
                        r.runDir().resolve("4-train/job-dir/" + ModelBundle.MANIFEST_FILE)),
                Files.readString(version.resolve(ModelBundle.MANIFEST_FILE)),
                "the final model is the published one");

        String report = Files.readString(r.runDir().resolve("report.html"));
        assertTrue(report.startsWith("<!DOCTYPE html>"));
        assertTrue(report.contains("<svg"), "charts");
        assertTrue(report.contains("Deployed."));
        assertTrue(report.contains("true \\ predicted"), "confusion matrix");
        assertTrue(report.contains("trial " + bestTrial + ": "), "best trial in a chart tooltip");
        assertFalse(report.contains("<script") || report.contains("src=\"http"), "self-contained");
        try {
            // Written through an XML writer: well-formed, every text and attribute escaped.
            javax.xml.parsers.DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(r.runDir().resolve("report.html").toFile());
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new AssertionError("report.html is not well-formed: " + e.getMessage(), e);
        }
    }

    @Test
    void belowTheThresholdNothingIsDeployed() throws IOException {
        Result r =
                run(
                        "high-bar",
                        "--hypertune-settings",
                        TWO_TRIALS,
                        "--evaluation-metric-threshold",
                        "0.99");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("not deployed: accuracy=0."), r.out());
        assertTrue(r.out().contains("is not above the threshold 0.99"), r.out());
        assertThrows(
                ModelRegistryReader.NotDeployedException.class,
                () -> registry().current("covertype_classifier"));
        assertTrue(Files.readString(r.runDir().resolve("report.html")).contains("Not deployed."));
        List<String> lines = r.out().lines().toList();
        assertTrue(
                lines.get(lines.size() - 1)
                        .startsWith(
                                "nothing to serve: no version of model covertype_classifier is "
                                        + "deployed in "),
                r.out());
    }

    @Test
    void anExistingVersionIsReplacedOnlyWhenAllowed() throws IOException {
        assertEquals(0, run("one", "--hypertune-settings", TWO_TRIALS).exit());
        // --baseline none: the threshold alone decides (the same settings train the same model
        // again).
        Result refused =
                run(
                        "two",
                        "--hypertune-settings",
                        TWO_TRIALS,
                        "--replace-existing-version",
                        "False",
                        "--baseline",
                        "none");
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(
                refused.err()
                        .startsWith(
                                "continuous-training: error: step 6 (deploy) failed: Existing version conflicts"),
                refused.err());
        assertEquals(
                "failed",
                JSON.readTree(refused.runDir().resolve("run.json").toFile())
                        .get("status")
                        .asText());
        Result replaced = run("three", "--hypertune-settings", TWO_TRIALS, "--baseline", "none");
        assertEquals(0, replaced.exit(), replaced.out() + replaced.err());
        assertTrue(replaced.out().contains("replacing the previous model"), replaced.out());
        assertTrue(
                JSON.readTree(
                                registry()
                                        .version("covertype_classifier", "v01")
                                        .directory()
                                        .resolve("version.json")
                                        .toFile())
                        .get("run_id")
                        .asText()
                        .equals("three"));
    }

    private String versionRun() throws IOException {
        return JSON.readTree(
                        registry()
                                .current("covertype_classifier")
                                .directory()
                                .resolve("version.json")
                                .toFile())
                .get("run_id")
                .asText();
    }

    @Test
    void theVersionDeployedNowIsTheBaselineTheNewModelMustBeat() throws IOException {
        Result first = run("first", "--hypertune-settings", TWO_TRIALS);
        assertEquals(0, first.exit(), first.out() + first.err());
        Path production = registry().current("covertype_classifier").directory();

        // The same settings, from a file (@FILE as its own argument), train the same model: it
        // does not beat the one in production.
        Path settings = Files.writeString(dir.resolve("hypertune_settings.txt"), TWO_TRIALS);
        Result again = run("again", "--hypertune-settings", "@" + settings);
        assertEquals(0, again.exit(), again.out() + again.err());
        assertTrue(
                Files.readString(again.runDir().resolve("5-evaluate/command.txt"))
                        .contains("--baseline-model-path\n" + production + "\n"),
                "the version deployed now is the baseline");
        assertTrue(
                again.out()
                        .contains(
                                "; baseline covertype_classifier/v01 (deployed now): accuracy=0."),
                again.out());
        assertTrue(
                again.out().contains("not deployed: accuracy=0.")
                        && again.out()
                                .contains(
                                        " does not beat the baseline covertype_classifier/v01 (deployed now): accuracy=0."),
                again.out());
        assertTrue(again.out().contains(", improvement 0.0 ("), again.out());
        JsonNode decision =
                JSON.readTree(again.runDir().resolve("6-deploy/decision.json").toFile());
        assertFalse(decision.get("deployed").asBoolean());
        assertEquals(production.toString(), decision.get("baseline").asText());
        assertEquals("first", versionRun(), "the model in production stays");
        assertTrue(
                again.out().contains("serve covertype_classifier/v01 (deployed before this run)"),
                again.out());
        assertTrue(
                Files.readString(again.runDir().resolve("report.html"))
                        .contains("does not beat the baseline"));

        // An explicit --baseline: the first run's job dir, the same model again.
        Result explicit =
                run(
                        "explicit",
                        "--hypertune-settings",
                        TWO_TRIALS,
                        "--baseline",
                        first.runDir().resolve("4-train/job-dir").toString());
        assertEquals(0, explicit.exit(), explicit.out() + explicit.err());
        assertTrue(
                explicit.out()
                        .contains(
                                "does not beat the baseline "
                                        + first.runDir().resolve("4-train/job-dir")),
                explicit.out());
        assertEquals("first", versionRun());
    }

    @Test
    void aModelThatBeatsTheBaselineReplacesIt() throws IOException {
        // In production: a model of one epoch, deployed with a low threshold.
        String oneEpoch =
                "{'hyperparameters': {'goal': 'MAXIMIZE', 'maxTrials': 1, 'maxParallelTrials': 1,"
                        + " 'hyperparameterMetricTag': 'accuracy', 'params': [{'parameterName': 'max_iter', 'type': 'DISCRETE',"
                        + " 'discreteValues': [1]}]}}";
        Result weak =
                run(
                        "weak",
                        "--hypertune-settings",
                        oneEpoch,
                        "--evaluation-metric-threshold",
                        "0.1");
        assertEquals(0, weak.exit(), weak.out() + weak.err());
        assertEquals("weak", versionRun());
        double weakAccuracy =
                Double.parseDouble(
                        Files.readString(weak.runDir().resolve("5-evaluate/outputs/metric_value")));

        Result better = run("better", "--hypertune-settings", TWO_TRIALS);
        assertEquals(0, better.exit(), better.out() + better.err());
        assertTrue(
                better.out()
                        .contains(
                                "beats the baseline covertype_classifier/v01 (deployed now) by 0."),
                better.out());
        assertTrue(better.out().contains("replacing the previous model"), better.out());
        assertEquals("better", versionRun());
        JsonNode version =
                JSON.readTree(
                        registry()
                                .current("covertype_classifier")
                                .directory()
                                .resolve("version.json")
                                .toFile());
        assertEquals(weakAccuracy, version.get("baseline_metric_value").asDouble(), 0.0);
        assertTrue(version.get("metric_improvement").asDouble() > 0, version.toString());
        assertTrue(
                better.out().contains("serve covertype_classifier/v01 (deployed by this run)"),
                better.out());
    }

    @Test
    void thePrintedServeAndCurlLinesWorkAsPrinted() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        // bin/serve listens on $AIP_HTTP_PORT when it is set; the printed curl line follows it.
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("AIP_HTTP_PORT", Integer.toString(port));
        Result r = run(env, "curl", "--hypertune-settings", TWO_TRIALS);
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        String serveLine = lines.get(lines.size() - 2).strip();
        String curlLine = lines.get(lines.size() - 1).strip();
        assertTrue(
                serveLine.matches("/\\S+/bin/serve --registry \\S+ --model covertype_classifier"),
                serveLine);
        assertTrue(
                curlLine.startsWith(
                        "curl -s localhost:"
                                + port
                                + "/predict -H 'Content-Type: application/json' -d "),
                curlLine);

        // Both lines as printed, through a shell, as a user pastes them.
        ProcessBuilder serveBuilder =
                new ProcessBuilder("bash", "-c", serveLine)
                        .redirectOutput(dir.resolve("serve.out").toFile())
                        .redirectError(dir.resolve("serve.err").toFile());
        serveBuilder.environment().putAll(env);
        Process serve = serveBuilder.start();
        try {
            String answer = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && serve.isAlive()) {
                Process curl =
                        new ProcessBuilder("bash", "-c", curlLine)
                                .redirectErrorStream(true)
                                .start();
                String body =
                        new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (curl.waitFor() == 0 && body.startsWith("{\"predictions\"")) {
                    answer = body;
                    break;
                }
                Thread.sleep(200);
            }
            assertTrue(
                    answer != null,
                    "no predictions from the printed lines; serve: "
                            + Files.readString(dir.resolve("serve.out"))
                            + Files.readString(dir.resolve("serve.err")));
            JsonNode prediction = JSON.readTree(answer).get("predictions").get(0);
            assertEquals(1, JSON.readTree(answer).get("predictions").size());

            // The first testing row's prediction by the deployed model, through the one prediction
            // path.
            Path deployed = registry().current("covertype_classifier").directory();
            Predictor predictor =
                    Predictor.of(ModelBundle.load(Location.parse(deployed.toString())));
            Table testing =
                    new CsvTableReader(predictor.inputSchema(true))
                            .read(
                                    InputFiles.expand(
                                            r.runDir().resolve("1-split/testing.csv").toString()));
            TablePredictions expected = TablePredictions.of(predictor, testing, true);
            assertEquals(
                    predictor.classes().get(expected.predicted()[0]),
                    prediction.get("label").asText(),
                    answer);
            for (int k = 0; k < predictor.classes().size(); k++) {
                assertEquals(
                        expected.scores()[0][k],
                        prediction.get("scores").get(k).asDouble(),
                        0.0,
                        answer);
            }
            assertTrue(
                    Files.readString(dir.resolve("serve.out"))
                            .contains("serving covertype_classifier/v01"));
        } finally {
            serve.descendants().forEach(ProcessHandle::destroy);
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSourceCellTheTrainerWouldRefuseFailsTheSplitNamingTheSource() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(SOURCE), StandardCharsets.UTF_8);
        lines.set(501, "abc" + lines.get(501).substring(lines.get(501).indexOf(',')));
        Path source = Files.write(dir.resolve("typo.csv"), lines, StandardCharsets.UTF_8);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                ContinuousTraining.run(
                        new String[] {
                            "--source", source.toString(),
                            "--runs-dir", dir.resolve("runs").toString(),
                            "--registry", dir.resolve("registry").toString(),
                            "--run-id", "typo"
                        },
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        Map.of());
        assertEquals(1, exit, out.toString());
        assertEquals(
                "continuous-training: error: step 1 (split) failed: "
                        + source
                        + ": line 502: column Elevation: \"abc\" is not a number; the train step reads"
                        + " every column but the label and Soil_Type,Wilderness_Area (categorical_columns of"
                        + " component-yaml/train/component.yaml) as numbers",
                err.toString().strip().lines().findFirst().orElseThrow());
        assertFalse(out.toString().contains("[2/6]"), "no trial is started");
    }

    @Test
    void aFailedStepStopsTheRunWithOneLine() throws IOException {
        // A trainer that cannot start: every trial fails, the study fails, the run stops at step 2.
        Result r =
                run(
                        "broken",
                        "--hypertune-settings",
                        TWO_TRIALS,
                        "--trainer-classpath",
                        dir.resolve("nothing").toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(
                r.out().contains("ClassNotFoundException: dev.kfptribuo.trainer.Train"), r.out());
        assertTrue(
                r.err()
                        .startsWith(
                                "continuous-training: error: step 2 (tune) failed: no trial succeeded: trial "),
                r.err());
        assertEquals(1, r.err().strip().lines().count());
        JsonNode log = JSON.readTree(r.runDir().resolve("run.json").toFile());
        assertEquals("failed", log.get("status").asText());
        assertEquals(2, log.get("steps").size());
        assertTrue(
                Files.readString(r.runDir().resolve("report.html"))
                        .contains("Run failed at step 2 (tune)."));
        assertFalse(Files.exists(dir.resolve("registry/covertype_classifier")));
    }

    @Test
    void usageErrors() throws IOException {
        Result bad =
                run(
                        "x",
                        "--hypertune-settings",
                        "{'hyperparameters': {'goal': 'MAXIMIZE', 'params': [}}");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--hypertune-settings: line 1, column 53: "), bad.err());
        assertFalse(Files.exists(dir.resolve("runs/x")), "nothing is started on a usage error");
        assertEquals(2, run("y", "--replace-existing-version", "maybe").exit());
        // picocli reads a boolean option's empty value as false; an empty KFP parameter must not
        // turn replacing off.
        Result empty = run("y2", "--replace-existing-version", "");
        assertEquals(2, empty.exit(), empty.err());
        assertTrue(
                empty.err().contains("--replace-existing-version: '' is not True or False"),
                empty.err());
        assertEquals(2, run("z", "--schema", "a:BLOB").exit());
        // JVM options are tried before the run, not found bad in every trial.
        Result badJvm = run("v", "--trainer-jvm-options", "-XX:NoSuchFlag");
        assertEquals(2, badJvm.exit(), badJvm.err());
        assertTrue(
                badJvm.err()
                        .startsWith(
                                "continuous-training: error: --trainer-jvm-options: the train JVM does not"
                                        + " start: Unrecognized VM option 'NoSuchFlag'"),
                badJvm.err());
        assertFalse(Files.exists(dir.resolve("runs/v")), "nothing is started on a usage error");
        Result noBaseline = run("u", "--baseline", dir.resolve("no-such-model").toString());
        assertEquals(2, noBaseline.exit(), noBaseline.err());
        assertTrue(
                noBaseline.err().contains("no-such-model holds no model (no manifest.json)"),
                noBaseline.err());
        assertFalse(Files.exists(dir.resolve("runs/u")), "nothing is started on a usage error");
        // A tuned parameter the train component has no input for: the final training could not take
        // it.
        Result untrainable =
                run(
                        "w",
                        "--hypertune-settings",
                        "{'hyperparameters': {'goal': 'MAXIMIZE', 'maxTrials': 1,"
                                + " 'hyperparameterMetricTag': 'accuracy', 'params': [{'parameterName': 'momentum', 'type': 'DOUBLE',"
                                + " 'minValue': 0.1, 'maxValue': 0.9}]}}");
        assertEquals(2, untrainable.exit(), untrainable.err());
        assertTrue(
                untrainable
                        .err()
                        .contains(
                                "--hypertune-settings: parameter 'momentum' is not an input of the train "
                                        + "component (component-yaml/train/component.yaml)"),
                untrainable.err());
        assertFalse(Files.exists(dir.resolve("runs/w")), "nothing is started on a usage error");
    }
}
