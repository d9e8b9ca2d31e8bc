package dev.kfptribuo.localrun.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import dev.kfptribuo.localrun.run.RunInterrupted;
import dev.kfptribuo.tuning.BestTrial;
import dev.kfptribuo.tuning.TuningJob;
import dev.kfptribuo.tuning.TuningJobDocuments;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTuningServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static ProgramLauncher fakeTrainer() {
        return ProgramLauncher.onClasspath(
                "train",
                ProgramLauncher.currentJava(),
                List.of("-XX:TieredStopAtLevel=1"),
                System.getProperty("java.class.path"),
                FakeTrainer.class.getName());
    }

    private static TuningSpec spec(String extra) {
        return TuningSpec.parse(
                "{'hyperparameters': {'goal': 'MAXIMIZE', 'hyperparameterMetricTag': 'accuracy', "
                        + "'maxTrials': 6, 'maxParallelTrials': 2, 'algorithm': 'GRID_SEARCH', "
                        + extra
                        + "'params': ["
                        + "{'parameterName': 'mode', 'type': 'CATEGORICAL', 'categoricalValues': ['ok', 'crash', 'silent']},"
                        + "{'parameterName': 'k', 'type': 'INTEGER', 'minValue': 1, 'maxValue': 2}]}}",
                "spec");
    }

    /** A listener that adds "start ID" and "end ID STATE" to events. */
    private static LocalTuningService.Listener recording(List<String> events) {
        return new LocalTuningService.Listener() {
            @Override
            public void started(LocalTrial trial) {
                events.add("start " + trial.id());
            }

            @Override
            public void ended(LocalTrial trial) {
                events.add("end " + trial.id() + " " + trial.state());
            }
        };
    }

    @Test
    void trialsRunAsProcessesAndTheStudyIsAJobsGetDocument() throws Exception {
        TuningSpec spec = spec("");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        LocalTuningService service =
                new LocalTuningService(
                        spec,
                        fakeTrainer(),
                        List.of("--live", dir.resolve("live").toString(), "--hptune", "True"),
                        dir.resolve("study"),
                        "job_1",
                        recording(events));
        List<LocalTrial> trials = service.run(SearchStrategy.suggest(spec, 0));

        assertEquals(6, trials.size());
        assertEquals(
                List.of("SUCCEEDED", "SUCCEEDED", "FAILED", "FAILED", "FAILED", "FAILED"),
                trials.stream().map(LocalTrial::state).toList(),
                "a failed trial does not stop the study");
        assertEquals(0.2, trials.get(1).metric());
        assertEquals("7", trials.get(1).trainingStep());
        assertTrue(
                trials.get(2).error().startsWith("exit code 1: train: error: simulated crash"),
                trials.get(2).error());
        assertTrue(trials.get(4).error().startsWith("no metric reported"), trials.get(4).error());
        assertEquals(12, events.size());

        // Each trial: the job's args, its own job dir, the tuned values as --name=value, the env of
        // the service.
        for (LocalTrial t : trials) {
            Path jobDir = t.dir().resolve("job-dir");
            List<String> args =
                    Files.readAllLines(jobDir.resolve("args.txt"), StandardCharsets.UTF_8);
            assertEquals(
                    List.of(
                            "--live",
                            dir.resolve("live").toString(),
                            "--hptune",
                            "True",
                            "--job-dir",
                            jobDir.toString(),
                            "--mode=" + t.values().get("mode").text(),
                            "--k=" + t.values().get("k").text()),
                    args);
            List<String> env = Files.readAllLines(jobDir.resolve("env.txt"));
            assertEquals(t.id(), env.get(0));
            assertEquals(
                    t.dir().resolve("hypertune").resolve("output.metrics").toString(), env.get(1));
            assertTrue(
                    Integer.parseInt(Files.readString(jobDir.resolve("concurrent.txt"))) <= 2,
                    "maxParallelTrials");
        }

        JsonNode job = JSON.readTree(service.jobFile().toFile());
        assertEquals("job_1", job.get("jobId").asText());
        assertEquals("SUCCEEDED", job.get("state").asText());
        assertEquals("6", job.at("/trainingOutput/completedTrialCount").asText());
        assertEquals("2", job.at("/trainingOutput/trials/1/hyperparameters/k").asText());
        assertEquals(0.2, job.at("/trainingOutput/trials/1/finalMetric/objectiveValue").asDouble());
        assertFalse(job.at("/trainingOutput/trials/2").has("finalMetric"));
        assertEquals(
                List.of("--live", dir.resolve("live").toString(), "--hptune", "True"),
                JSON.convertValue(job.at("/trainingInput/args"), List.class));
        // The components' reader takes it as an AI Platform job and picks trial 2.
        TuningJob parsed =
                TuningJobDocuments.parse(Files.readAllBytes(service.jobFile()), "job.json");
        assertEquals(TuningJob.Service.AI_PLATFORM, parsed.service());
        assertEquals("2", BestTrial.choose(parsed).trial().id());
    }

    @Test
    void maxFailedTrialsEndsTheStudy() throws Exception {
        TuningSpec spec = spec("'maxFailedTrials': 1, ");
        LocalTuningService service =
                new LocalTuningService(
                        spec,
                        fakeTrainer(),
                        List.of("--live", dir.resolve("live").toString()),
                        dir.resolve("study"),
                        "job_2",
                        new LocalTuningService.Listener() {
                            @Override
                            public void started(LocalTrial trial) {}

                            @Override
                            public void ended(LocalTrial trial) {}
                        });
        List<Map<String, SearchStrategy.Value>> crashFirst =
                new ArrayList<>(SearchStrategy.suggest(spec, 0));
        Collections.reverse(crashFirst); // silent, silent, crash, crash, ok, ok
        List<LocalTrial> trials = service.run(crashFirst);
        JsonNode job = JSON.readTree(service.jobFile().toFile());
        assertEquals("FAILED", job.get("state").asText());
        assertTrue(
                job.get("errorMessage").asText().contains("maxFailedTrials 1"),
                job.get("errorMessage").asText());
        assertTrue(
                trials.stream().anyMatch(t -> "CANCELLED".equals(t.state())),
                "trials not started are cancelled");
    }

    /**
     * A trial dead of SIGTERM (or SIGINT: a terminal's Ctrl-C reaches the trials too) interrupts
     * the study: it is no FAILED trial, no trial starts after it, the job ends CANCELLED.
     */
    @Test
    void aTrialDeadOfASignalInterruptsTheStudy() throws Exception {
        TuningSpec spec =
                TuningSpec.parse(
                        "{'hyperparameters': {'goal': 'MAXIMIZE', 'hyperparameterMetricTag': 'accuracy', "
                                + "'maxTrials': 3, 'maxParallelTrials': 1, 'algorithm': 'GRID_SEARCH', "
                                + "'params': ["
                                + "{'parameterName': 'mode', 'type': 'CATEGORICAL', 'categoricalValues': ['sigterm', 'ok', 'crash']},"
                                + "{'parameterName': 'k', 'type': 'INTEGER', 'minValue': 1, 'maxValue': 1}]}}",
                        "spec");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        LocalTuningService service =
                new LocalTuningService(
                        spec,
                        fakeTrainer(),
                        List.of("--live", dir.resolve("live").toString()),
                        dir.resolve("study"),
                        "job_3",
                        recording(events));
        RunInterrupted interrupted =
                assertThrows(
                        RunInterrupted.class, () -> service.run(SearchStrategy.suggest(spec, 0)));
        assertEquals(143, interrupted.exitCode());
        assertEquals("trial 1 ended by SIGTERM (exit code 143)", interrupted.getMessage());
        assertEquals(List.of("start 1"), events);
        JsonNode job = JSON.readTree(service.jobFile().toFile());
        assertEquals("CANCELLED", job.get("state").asText());
        assertEquals("CANCELLED", job.at("/trainingOutput/trials/0/state").asText());
        assertEquals(1, job.at("/trainingOutput/trials").size(), "no trial started after it");
        assertFalse(Files.exists(dir.resolve("study/trials/2")));
    }
}
