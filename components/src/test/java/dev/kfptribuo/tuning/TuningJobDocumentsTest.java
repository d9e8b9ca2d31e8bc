package dev.kfptribuo.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the documented shapes of both APIs' tuning jobs, and refusing what is not one. */
class TuningJobDocumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static TuningJob read(String file) {
        return TuningJobDocuments.parse(LocalTuningServer.document(file), file);
    }

    static ObjectNode tree(String file) throws IOException {
        return (ObjectNode) JSON.readTree(LocalTuningServer.document(file));
    }

    static byte[] bytes(ObjectNode node) throws IOException {
        return JSON.writeValueAsBytes(node);
    }

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAnAiPlatformJob() {
        TuningJob job = read("ai-platform/succeeded-unordered.json");

        assertEquals(TuningJob.Service.AI_PLATFORM, job.service());
        assertEquals("forestcover_tuning_20240312_101512", job.name());
        assertEquals("SUCCEEDED", job.state());
        assertTrue(job.finished());
        assertTrue(job.succeeded());
        assertNull(job.error());
        assertEquals(List.of(new Objective("accuracy", Goal.MAXIMIZE)), job.objectives());
        assertEquals(
                List.of(
                        new ParameterSpec(
                                "max_iter", ParameterSpec.Type.DISCRETE, List.of(500.0, 1000.0)),
                        new ParameterSpec("alpha", ParameterSpec.Type.DOUBLE, List.of())),
                job.parameters());
        assertTrue(job.parameter("max_iter").orElseThrow().wholeValued());
        assertFalse(job.parameter("alpha").orElseThrow().wholeValued());

        assertEquals(
                List.of("2", "6", "4", "1", "3", "5"),
                job.trials().stream().map(Trial::id).toList());
        Trial failed = job.trials().get(1);
        assertEquals("FAILED", failed.state());
        assertFalse(failed.succeeded());
        Trial four = job.trials().get(2);
        assertTrue(four.succeeded());
        assertEquals(Map.of("accuracy", 0.7079), four.finalMetrics());
        assertEquals(
                new HyperparameterValue("0.00042394175571804614", false),
                four.hyperparameters().get("alpha"));
        assertEquals(
                new HyperparameterValue("1000", false), four.hyperparameters().get("max_iter"));
        assertEquals("stopped early", job.trials().get(4).note());
    }

    @Test
    void readsAVertexJob() {
        TuningJob job = read("vertex/succeeded.json");

        assertEquals(TuningJob.Service.VERTEX_AI, job.service());
        assertEquals(
                "projects/123456789012/locations/us-central1/hyperparameterTuningJobs/4180427633474584576",
                job.name());
        assertEquals("JOB_STATE_SUCCEEDED", job.state());
        assertEquals("SUCCEEDED", job.plainState());
        assertTrue(job.succeeded());
        assertEquals(List.of(new Objective("accuracy", Goal.MAXIMIZE)), job.objectives());
        assertEquals(ParameterSpec.Type.DOUBLE, job.parameter("alpha").orElseThrow().type());
        assertEquals(ParameterSpec.Type.DISCRETE, job.parameter("max_iter").orElseThrow().type());
        assertEquals(6, job.trials().size());

        Trial two = job.trials().get(1);
        assertEquals(
                List.of("max_iter", "alpha"),
                List.copyOf(two.hyperparameters().keySet()),
                "the document's order");
        assertEquals(new HyperparameterValue("1000", true), two.hyperparameters().get("max_iter"));
        assertEquals(0.00036712598502635956, two.hyperparameters().get("alpha").asDouble());
        assertEquals(Map.of("accuracy", 0.7092), two.finalMetrics());

        Trial infeasible = job.trials().get(3);
        assertEquals("INFEASIBLE", infeasible.state());
        assertFalse(infeasible.succeeded());
        assertTrue(infeasible.finalMetrics().isEmpty());
        assertTrue(infeasible.note().startsWith("The trial job failed"), infeasible.note());
    }

    @Test
    void readsVertexValuesSpelledAsStrings() {
        TuningJob job = read("vertex/minimize-string-values.json");

        assertEquals(List.of(new Objective("log_loss", Goal.MINIMIZE)), job.objectives());
        assertEquals(ParameterSpec.Type.INTEGER, job.parameter("max_iter").orElseThrow().type());
        Trial one = job.trials().get(0);
        assertEquals(new HyperparameterValue("750", false), one.hyperparameters().get("max_iter"));
        assertEquals(
                Map.of("log_loss", 0.6954), one.finalMetrics(), "a metric value sent as a string");
        assertEquals(912, job.trials().get(1).hyperparameters().get("max_iter").asWholeNumber());
        assertEquals(680, job.trials().get(3).hyperparameters().get("max_iter").asWholeNumber());
    }

    @Test
    void aiPlatformTrialsWithoutAStateCountAsSucceededWhenTheyHaveAFinalMetric() {
        TuningJob job = read("ai-platform/minimize.json");

        Trial noState = job.trials().get(1);
        assertNull(noState.state());
        assertTrue(noState.succeeded());
        assertTrue(
                Double.isNaN(job.trials().get(2).finalMetrics().get("log_loss")),
                "\"NaN\" is read as NaN");
    }

    @Test
    void aiPlatformTrialsWithoutAStateOrAFinalMetricDidNotSucceed() {
        TuningJob job =
                TuningJobDocuments.parse(
                        utf8(
                                """
                {"jobId": "j", "state": "SUCCEEDED",
                 "trainingInput": {"hyperparameters": {"goal": "MAXIMIZE", "hyperparameterMetricTag": "accuracy"}},
                 "trainingOutput": {"trials": [{"trialId": "1", "hyperparameters": {"alpha": "0.0005"}}]}}
                """),
                        "doc");

        assertFalse(job.trials().get(0).succeeded());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ai-platform/succeeded-unordered.json",
                "ai-platform/succeeded-ordered.json",
                "ai-platform/minimize.json",
                "ai-platform/running.json",
                "ai-platform/failed-no-usable-trial.json"
            })
    void recognisesAiPlatformJobs(String file) {
        assertEquals(TuningJob.Service.AI_PLATFORM, read(file).service());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "vertex/succeeded.json",
                "vertex/minimize-string-values.json",
                "vertex/other-search.json"
            })
    void recognisesVertexJobs(String file) {
        assertEquals(TuningJob.Service.VERTEX_AI, read(file).service());
    }

    @Test
    void theMetricTagComesFromTheOutputThenTheInputThenTheServiceDefault() throws IOException {
        ObjectNode doc = tree("ai-platform/succeeded-unordered.json");
        ((ObjectNode) doc.path("trainingOutput")).remove("hyperparameterMetricTag");
        ((ObjectNode) doc.path("trainingInput").path("hyperparameters"))
                .put("hyperparameterMetricTag", "val_accuracy");
        assertEquals(
                "val_accuracy",
                TuningJobDocuments.parse(bytes(doc), "doc").objectives().get(0).metric());

        ((ObjectNode) doc.path("trainingInput").path("hyperparameters"))
                .remove("hyperparameterMetricTag");
        TuningJob job = TuningJobDocuments.parse(bytes(doc), "doc");
        assertEquals(
                TuningJobDocuments.AI_PLATFORM_DEFAULT_METRIC_TAG,
                job.objectives().get(0).metric());
        assertEquals(
                0.7079,
                job.trials()
                        .get(2)
                        .finalMetrics()
                        .get(TuningJobDocuments.AI_PLATFORM_DEFAULT_METRIC_TAG));
    }

    @Test
    void refusesDocumentsThatAreNeitherKind() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TuningJobDocuments.parse(
                                        utf8("{\"name\": \"projects/p/locations/l/customJobs/1\"}"),
                                        "job.json"));
        assertTrue(
                e.getMessage().startsWith("job.json: is neither an AI Platform Training job"),
                e.getMessage());

        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TuningJobDocuments.parse(
                                        utf8("{\"jobId\": \"j\", \"studySpec\": {}}"), "job.json"));
        assertTrue(e.getMessage().startsWith("job.json: has fields of both"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"jobId\": |job.json: not valid JSON",
                "[1, 2]|job.json: expected a JSON object, got array",
                "''|job.json: expected a JSON object, got nothing",
                "{\"jobId\": \"j\", \"trainingOutput\": {\"trials\": \"none\"}}|job.json: field trainingOutput.trials has the wrong shape",
                "{\"studySpec\": {\"metrics\": [{\"metricId\": \"accuracy\", \"goal\": \"MAXIMIZE\"}]}, \"trials\": [{\"id\": \"1\", "
                        + "\"parameters\": [{\"parameterId\": \"alpha\", \"value\": {\"x\": 1}}]}]}"
                        + "|job.json: Vertex AI hyperparameter tuning job (no name): trials[0].parameters[0].value: value is neither",
            })
    void refusesMalformedDocumentsNamingTheField(String json, String expectedStart) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TuningJobDocuments.parse(utf8(json), "job.json"));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    }

    @Test
    void refusesAnAiPlatformJobThatIsNotATuningJob() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TuningJobDocuments.parse(
                                        utf8(
                                                """
                        {"jobId": "forestcover_final_20240312", "state": "SUCCEEDED",
                         "trainingInput": {"scaleTier": "BASIC", "region": "us-central1"},
                         "trainingOutput": {"consumedMLUnits": 0.12}}
                        """),
                                        "job.json"));
        assertEquals(
                "job.json: AI Platform Training job forestcover_final_20240312 is not a hyperparameter tuning job"
                        + " (no trainingInput.hyperparameters)",
                e.getMessage());
    }

    @Test
    void refusesAJobWithoutAGoal() throws IOException {
        ObjectNode doc = tree("ai-platform/succeeded-unordered.json");
        ((ObjectNode) doc.path("trainingInput").path("hyperparameters"))
                .put("goal", "GOAL_TYPE_UNSPECIFIED");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TuningJobDocuments.parse(bytes(doc), "job.json"));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "trainingInput.hyperparameters.goal is 'GOAL_TYPE_UNSPECIFIED',"
                                        + " expected MAXIMIZE or MINIMIZE"),
                e.getMessage());

        ObjectNode vertex = tree("vertex/succeeded.json");
        ((ObjectNode) vertex.path("studySpec")).remove("metrics");
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TuningJobDocuments.parse(bytes(vertex), "job.json"));
        assertTrue(
                e.getMessage().endsWith("has no studySpec.metrics, so its goal is unknown"),
                e.getMessage());
    }

    @Test
    void refusesTrialsWithoutIds() throws IOException {
        ObjectNode doc = tree("ai-platform/succeeded-unordered.json");
        ((ObjectNode) doc.path("trainingOutput").path("trials").get(2)).remove("trialId");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TuningJobDocuments.parse(bytes(doc), "job.json"));
        assertTrue(
                e.getMessage().endsWith("trainingOutput.trials[2] has no trialId"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000", "1000.0", "1e3", "1.0E3", "1000.000", " 1000 ", "+1000"})
    void wholeNumbersInAnyStringSpelling(String spelling) {
        assertEquals(1000, new HyperparameterValue(spelling, false).asWholeNumber());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000", "1000.0", "1e3", "1000.00"})
    void wholeNumbersInAnyJsonNumberSpelling(String spelling) throws IOException {
        assertEquals(1000, HyperparameterValue.of(JSON.readTree(spelling)).asWholeNumber());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000.5", "abc", "", "NaN", "99999999999999999999"})
    void notWholeNumbers(String spelling) {
        assertThrows(
                IllegalArgumentException.class,
                () -> new HyperparameterValue(spelling, false).asWholeNumber());
    }

    @ParameterizedTest
    @CsvSource({
        "0.00042394175571804614, 0.00042394175571804614",
        "4.2394175571804614e-4, 0.00042394175571804614",
        "1e-4, 0.0001",
        "0.001, 0.001"
    })
    void doublesInAnySpelling(String spelling, double expected) {
        assertEquals(expected, new HyperparameterValue(spelling, false).asDouble());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1e400", "Infinity", "NaN"})
    void notFiniteDoubles(String spelling) {
        assertThrows(
                IllegalArgumentException.class,
                () -> new HyperparameterValue(spelling, false).asDouble());
    }

    @Test
    void jsonNumbersKeepTheirValueAndShortestText() throws IOException {
        assertEquals(
                new HyperparameterValue("0.00042", true),
                HyperparameterValue.of(JSON.readTree("0.00042")));
        assertEquals(
                new HyperparameterValue("1e-05", true),
                HyperparameterValue.of(JSON.readTree("0.00001")));
        assertEquals(
                new HyperparameterValue("500", true), HyperparameterValue.of(JSON.readTree("500")));
        assertThrows(
                IllegalArgumentException.class,
                () -> HyperparameterValue.of(JSON.readTree("true")));
        assertThrows(
                IllegalArgumentException.class,
                () -> HyperparameterValue.of(JSON.readTree("null")));
    }
}
