package dev.kfptribuo.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.io.Location;
import org.junit.jupiter.api.Test;

/** Parsing KFP's executor input: what a program reads from it, and every way it can be unusable. */
class ExecutorInputTest {
    /** An executor input as KFP's launcher writes it, with one parameter and one artifact. */
    static String executorInput(String outputFile, String metricsUri) {
        return """
                {"inputs": {"parameterValues": {"dataset_path": "gs://b/testing.csv", "max_iter": 5.0}},
                 "outputs": {
                   "parameters": {"metric_value": {"outputFile": "/tmp/kfp/outputs/metric_value"}},
                   "artifacts": {"metrics": {"artifacts": [{"name": "projects/1/locations/l/metadataStores/default/artifacts/7",
                       "type": {"schemaTitle": "system.Metrics", "schemaVersion": "0.0.1"},
                       "uri": "%s", "metadata": {"kept": 1.0}}]}},
                   "outputFile": "%s"}}
                """
                .formatted(metricsUri, outputFile);
    }

    @Test
    void readsTheOutputFileParametersAndArtifacts() {
        ExecutorInput input =
                ExecutorInput.parse(
                        executorInput(
                                "/gcs/b/root/task/executor_output.json",
                                "gs://b/root/task/metrics"));
        assertEquals("/gcs/b/root/task/executor_output.json", input.outputFile());
        input.requireParameters("metric_value");
        ObjectNode artifact = input.artifact("metrics", "system.Metrics");
        assertEquals(
                "projects/1/locations/l/metadataStores/default/artifacts/7",
                artifact.get("name").asText());
        assertEquals("system.Metrics", artifact.at("/type/schemaTitle").asText());
        assertEquals("gs://b/root/task/metrics", artifact.get("uri").asText());
        assertEquals(1.0, artifact.at("/metadata/kept").asDouble());
        // A copy: changing it changes nothing in the input.
        artifact.put("uri", "elsewhere");
        assertEquals(
                "gs://b/root/task/metrics",
                input.artifact("metrics", "system.Metrics").get("uri").asText());
    }

    @Test
    void mapsArtifactUrisToWhereTheProgramWrites() {
        String[][] cases = {
            {"gs://b/root/task/predictions", "gs://b/root/task/predictions"},
            {
                "minio://mlpipeline/v2/artifacts/run/task/predictions",
                "/minio/mlpipeline/v2/artifacts/run/task/predictions"
            },
            {"s3://bucket/root/task/predictions", "/s3/bucket/root/task/predictions"},
            {
                "/tmp/local-root/train-2026/task/predictions",
                "/tmp/local-root/train-2026/task/predictions"
            },
        };
        for (String[] c : cases) {
            Location location =
                    ExecutorInput.parse(executorInput("/o/executor_output.json", c[0]))
                            .artifactLocation("metrics", "system.Metrics");
            assertEquals(c[1], location.toString(), c[0]);
            assertEquals(c[0].startsWith("gs://"), location.isGcs(), c[0]);
        }
        ExecutorInputException e =
                assertThrows(
                        ExecutorInputException.class,
                        () ->
                                ExecutorInput.parse(
                                                executorInput("/o/x.json", "https://example.com/a"))
                                        .artifactLocation("metrics", "system.Metrics"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "--executor-input: output artifact metrics: unsupported URI scheme"),
                e.getMessage());
    }

    @Test
    void refusesTextThatIsNotAnExecutorInputOnOneLine() {
        String[][] cases = {
            {"", "--executor-input: is empty"},
            {"   ", "--executor-input: is empty"},
            {"{{$}}", "--executor-input: is not JSON: "},
            {"{\"outputs\": {\"outputFile\": \"/o\"}} trailing", "--executor-input: is not JSON: "},
            {
                "{\"outputs\": {\"outputFile\": \"/o\", \"outputFile\": \"/p\"}}",
                "--executor-input: is not JSON: Duplicate field"
            },
            {"[1, 2]", "--executor-input: is a JSON array, not an object"},
            {"\"text\"", "--executor-input: is a JSON string, not an object"},
            {"{}", "--executor-input: names no executor output file (outputs.outputFile)"},
            {
                "{\"outputs\": {\"outputFile\": \"\"}}",
                "--executor-input: names no executor output file"
            },
            {
                "{\"outputs\": {\"outputFile\": 7}}",
                "--executor-input: names no executor output file"
            },
            {
                "{\"outputs\": {\"outputFile\": \"ftp://host/x.json\"}}",
                "--executor-input: outputs.outputFile: unsupported URI scheme"
            },
        };
        for (String[] c : cases) {
            ExecutorInputException e =
                    assertThrows(
                            ExecutorInputException.class, () -> ExecutorInput.parse(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith(c[1]), c[0] + " -> " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        assertThrows(ExecutorInputException.class, () -> ExecutorInput.parse(null));
    }

    @Test
    void refusesAnInputWithoutAnOutputTheProgramWrites() {
        ExecutorInput input =
                ExecutorInput.parse(executorInput("/o/executor_output.json", "gs://b/m"));
        ExecutorInputException parameter =
                assertThrows(
                        ExecutorInputException.class,
                        () -> input.requireParameters("metric_value", "metric_name"));
        assertEquals(
                "--executor-input: declares no output parameter metric_name (outputs.parameters has "
                        + "[metric_value]): is the step's spec this component's v2 spec?",
                parameter.getMessage());
        ExecutorInputException artifact =
                assertThrows(
                        ExecutorInputException.class,
                        () ->
                                input.artifact(
                                        "classification_metrics", "system.ClassificationMetrics"));
        assertTrue(
                artifact.getMessage()
                        .startsWith(
                                "--executor-input: declares no output artifact classification_metrics"
                                        + " (outputs.artifacts has [metrics])"),
                artifact.getMessage());
        ExecutorInputException type =
                assertThrows(
                        ExecutorInputException.class,
                        () -> input.artifact("metrics", "system.ClassificationMetrics"));
        assertEquals(
                "--executor-input: output artifact metrics is a system.Metrics, not a system.ClassificationMetrics",
                type.getMessage());
        ExecutorInputException noUri =
                assertThrows(
                        ExecutorInputException.class,
                        () ->
                                ExecutorInput.parse(executorInput("/o/x.json", ""))
                                        .artifact("metrics", "system.Metrics"));
        assertEquals("--executor-input: output artifact metrics has no uri", noUri.getMessage());
        String emptyList =
                "{\"outputs\": {\"outputFile\": \"/o\", \"artifacts\": {\"metrics\": {\"artifacts\": []}}}}";
        assertThrows(
                ExecutorInputException.class,
                () -> ExecutorInput.parse(emptyList).artifact("metrics", "system.Metrics"));
    }
}
