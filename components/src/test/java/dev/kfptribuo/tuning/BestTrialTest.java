package dev.kfptribuo.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Choosing the best trial on documents of both APIs: by the job's goal and metric wherever the
 * trial is listed, skipping trials that did not succeed or have no final metric, refusing jobs that
 * have not finished or have no usable trial, and reading hyperparameters by name.
 */
class BestTrialTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BestTrial best(String file) {
        return BestTrial.choose(TuningJobDocumentsTest.read(file));
    }

    private static TuningJob withState(String file, String state) throws IOException {
        ObjectNode doc = TuningJobDocumentsTest.tree(file);
        doc.put("state", state);
        return TuningJobDocuments.parse(TuningJobDocumentsTest.bytes(doc), file);
    }

    @Test
    void aiPlatformUnorderedTrials() {
        BestTrial best = best("ai-platform/succeeded-unordered.json");

        assertEquals("4", best.trial().id(), "the best succeeded trial, though listed third");
        assertEquals(0.7079, best.metricValue());
        assertEquals(new Objective("accuracy", Goal.MAXIMIZE), best.objective());
        assertEquals(0.00042394175571804614, best.doubleHyperparameter("alpha"));
        assertEquals(1000, best.wholeHyperparameter("max_iter"));
        assertEquals(
                List.of("trial 6: state FAILED"),
                best.skipped(),
                "a FAILED trial is skipped even with a higher final metric");
    }

    @Test
    void aiPlatformOrderedTrials() {
        BestTrial best = best("ai-platform/succeeded-ordered.json");

        assertEquals("3", best.trial().id());
        assertEquals(0.7118, best.metricValue());
        assertEquals(0.00012968706232686341, best.doubleHyperparameter("alpha"));
        assertEquals(1000, best.wholeHyperparameter("max_iter"));
        assertEquals(List.of("trial 4: state CANCELLED"), best.skipped());
    }

    @Test
    void aiPlatformMinimize() {
        BestTrial best = best("ai-platform/minimize.json");

        assertEquals("2", best.trial().id(), "the smallest log_loss");
        assertEquals(0.6841, best.metricValue());
        assertEquals(List.of("trial 3: log_loss is NaN"), best.skipped());
    }

    @Test
    void vertexTrialsAreReadByParameterNameNotPosition() {
        BestTrial best = best("vertex/succeeded.json");

        assertEquals("2", best.trial().id());
        assertEquals(0.7092, best.metricValue());
        assertEquals(
                0.00036712598502635956,
                best.doubleHyperparameter("alpha"),
                "listed second in this trial");
        assertEquals(1000, best.wholeHyperparameter("max_iter"));
        assertEquals(1, best.skipped().size());
        assertTrue(
                best.skipped().get(0).startsWith("trial 4: state INFEASIBLE (The trial job failed"),
                best.skipped().toString());
    }

    @Test
    void vertexMinimizeWithStringValues() {
        BestTrial best = best("vertex/minimize-string-values.json");

        assertEquals("2", best.trial().id());
        assertEquals(0.6871, best.metricValue());
        assertEquals(912, best.wholeHyperparameter("max_iter"), "912.0 is a whole number");
        assertEquals(0.00012745813834071, best.doubleHyperparameter("alpha"));
    }

    @Test
    void theHyperparametersAsJsonAreTypedByTheJobsSpec() throws IOException {
        assertEquals(
                JSON.readTree("{\"alpha\": 0.00042394175571804614, \"max_iter\": 1000}"),
                JSON.readTree(
                        best("ai-platform/succeeded-unordered.json").hyperparametersJsonText()));
        assertEquals(
                "{\"max_iter\":912,\"alpha\":0.00012745813834071}",
                best("vertex/minimize-string-values.json").hyperparametersJsonText());
        JsonNode json =
                JSON.readTree(
                        best("ai-platform/succeeded-unordered.json").hyperparametersJsonText());
        assertTrue(
                json.get("max_iter").isIntegralNumber(),
                "DISCRETE over whole numbers is an integer");
        assertTrue(json.get("alpha").isFloatingPointNumber());
    }

    @Test
    void otherSearchesThanAlphaAndMaxIter() {
        BestTrial best = best("vertex/other-search.json");

        assertEquals("2", best.trial().id());
        assertEquals(
                "{\"loss\":\"hinge\",\"tol\":0.00023713737056616554,\"n_iter_no_change\":9}",
                best.hyperparametersJsonText());
        TuningJobException e =
                assertThrows(TuningJobException.class, () -> best.doubleHyperparameter("alpha"));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                ": best trial 2 has no hyperparameter 'alpha' (it has: loss, tol,"
                                        + " n_iter_no_change)"),
                e.getMessage());
    }

    @Test
    void aHyperparameterThatIsNotAWholeNumberFailsClearly() throws IOException {
        ObjectNode doc = TuningJobDocumentsTest.tree("ai-platform/succeeded-unordered.json");
        ((ObjectNode) doc.path("trainingOutput").path("trials").get(2).path("hyperparameters"))
                .put("max_iter", "1000.5");
        BestTrial best =
                BestTrial.choose(
                        TuningJobDocuments.parse(TuningJobDocumentsTest.bytes(doc), "doc"));

        TuningJobException e =
                assertThrows(TuningJobException.class, () -> best.wholeHyperparameter("max_iter"));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "best trial 4: hyperparameter max_iter: '1000.5' is not a whole number"),
                e.getMessage());
        assertThrows(TuningJobException.class, best::hyperparametersJsonText);
    }

    @Test
    void aRunningJobIsRefused() {
        TuningJobException e =
                assertThrows(TuningJobException.class, () -> best("ai-platform/running.json"));
        assertEquals(
                "AI Platform Training job forestcover_tuning_20240320_090412 is RUNNING, not finished: its best"
                        + " trial may still change; run this step after the job ends",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "QUEUED",
                "PREPARING",
                "RUNNING",
                "CANCELLING",
                "STATE_UNSPECIFIED",
                "SOMETHING_NEW"
            })
    void aiPlatformJobsThatHaveNotFinishedAreRefused(String state) throws IOException {
        TuningJob job = withState("ai-platform/succeeded-unordered.json", state);
        assertThrows(TuningJobException.class, () -> BestTrial.choose(job));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "JOB_STATE_QUEUED",
                "JOB_STATE_PENDING",
                "JOB_STATE_RUNNING",
                "JOB_STATE_CANCELLING",
                "JOB_STATE_PAUSED",
                "JOB_STATE_UPDATING",
                "JOB_STATE_UNSPECIFIED"
            })
    void vertexJobsThatHaveNotFinishedAreRefused(String state) throws IOException {
        TuningJob job = withState("vertex/succeeded.json", state);
        TuningJobException e = assertThrows(TuningJobException.class, () -> BestTrial.choose(job));
        assertTrue(e.getMessage().contains(" is " + state + ", not finished"), e.getMessage());
    }

    @Test
    void aJobWithoutAStateIsRefused() throws IOException {
        ObjectNode doc = TuningJobDocumentsTest.tree("vertex/succeeded.json");
        doc.remove("state");
        TuningJob job = TuningJobDocuments.parse(TuningJobDocumentsTest.bytes(doc), "doc");
        TuningJobException e = assertThrows(TuningJobException.class, () -> BestTrial.choose(job));
        assertTrue(e.getMessage().contains(" is in no state, not finished"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"FAILED", "CANCELLED"})
    void aFinishedJobThatDidNotSucceedUsesItsSucceededTrials(String state) throws IOException {
        TuningJob job = withState("ai-platform/succeeded-unordered.json", state);
        BestTrial best = BestTrial.choose(job);
        assertFalse(job.succeeded());
        assertEquals("4", best.trial().id());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "JOB_STATE_FAILED",
                "JOB_STATE_CANCELLED",
                "JOB_STATE_EXPIRED",
                "JOB_STATE_PARTIALLY_SUCCEEDED"
            })
    void finishedVertexJobsAreUsed(String state) throws IOException {
        assertEquals("2", BestTrial.choose(withState("vertex/succeeded.json", state)).trial().id());
    }

    @Test
    void aJobWithNoUsableTrialSaysWhyForEachTrial() {
        TuningJobException e =
                assertThrows(
                        TuningJobException.class,
                        () -> best("ai-platform/failed-no-usable-trial.json"));
        assertEquals(
                "AI Platform Training job forestcover_tuning_20240321_163355 (FAILED) has no usable trial:"
                        + " trial 1: state FAILED; trial 2: state FAILED; trial 3: state FAILED; job error: Too many failed"
                        + " trials: 3 out of 3 trials failed. See the logs of the failed trials for details.",
                e.getMessage());
    }

    @Test
    void aJobWithoutTrials() throws IOException {
        ObjectNode doc = TuningJobDocumentsTest.tree("vertex/succeeded.json");
        doc.remove("trials");
        TuningJob job = TuningJobDocuments.parse(TuningJobDocumentsTest.bytes(doc), "doc");
        TuningJobException e = assertThrows(TuningJobException.class, () -> BestTrial.choose(job));
        assertTrue(
                e.getMessage()
                        .endsWith("(JOB_STATE_SUCCEEDED) has no usable trial: it has no trials"),
                e.getMessage());
    }

    @Test
    void succeededTrialsWithoutTheJobsMetricAreSkipped() throws IOException {
        ObjectNode doc = TuningJobDocumentsTest.tree("vertex/succeeded.json");
        ArrayNode trials = (ArrayNode) doc.path("trials");
        ((ObjectNode) trials.get(1)).remove("finalMeasurement");
        ((ObjectNode) trials.get(4).path("finalMeasurement").path("metrics").get(0))
                .put("metricId", "loss");
        BestTrial best =
                BestTrial.choose(
                        TuningJobDocuments.parse(TuningJobDocumentsTest.bytes(doc), "doc"));

        assertEquals("1", best.trial().id());
        assertTrue(
                best.skipped().contains("trial 2: no final accuracy"), best.skipped().toString());
        assertTrue(
                best.skipped().contains("trial 5: no final accuracy (has loss)"),
                best.skipped().toString());
    }

    @Test
    void aTieGoesToTheEarliestTrial() {
        List<Trial> trials = new ArrayList<>();
        for (String id : List.of("10", "9", "11")) {
            trials.add(new Trial(id, "SUCCEEDED", true, Map.of("accuracy", 0.7), Map.of(), null));
        }
        TuningJob job =
                new TuningJob(
                        TuningJob.Service.AI_PLATFORM,
                        "j",
                        "test",
                        "SUCCEEDED",
                        null,
                        List.of(new Objective("accuracy", Goal.MAXIMIZE)),
                        List.of(),
                        trials);

        assertEquals("9", BestTrial.choose(job).trial().id(), "9 < 10 as numbers, not as strings");
    }

    @Test
    void aMultiObjectiveJobHasNoSingleBestTrial() throws IOException {
        ObjectNode doc = TuningJobDocumentsTest.tree("vertex/succeeded.json");
        ObjectNode loss = ((ArrayNode) doc.path("studySpec").path("metrics")).addObject();
        loss.put("metricId", "log_loss");
        loss.put("goal", "MINIMIZE");
        TuningJob job = TuningJobDocuments.parse(TuningJobDocumentsTest.bytes(doc), "doc");

        TuningJobException e = assertThrows(TuningJobException.class, () -> BestTrial.choose(job));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "optimises 2 metrics (accuracy, log_loss): a multi-objective job has no"
                                        + " single best trial"),
                e.getMessage());
    }
}
