package dev.kfptribuo.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor output's JSON and its one atomic file. */
class ExecutorOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private static final String INPUT =
            """
            {"outputs": {
               "parameters": {"metric_name": {"outputFile": "/k/metric_name"}, "metric_value": {"outputFile": "/k/v"},
                              "rows": {"outputFile": "/k/rows"}, "hyperparameters": {"outputFile": "/k/h"}},
               "artifacts": {"metrics": {"artifacts": [{"name": "metrics",
                   "type": {"schemaTitle": "system.Metrics", "schemaVersion": "0.0.1"},
                   "uri": "gs://b/root/task/metrics", "metadata": {}}]},
                             "model": {"artifacts": [{"name": "model",
                   "type": {"schemaTitle": "google.UnmanagedContainerModel", "schemaVersion": "0.0.1"},
                   "uri": "gs://b/root/task/model"}]}},
               "outputFile": "%s"}}
            """;

    private ExecutorInput input(Path outputFile) {
        return ExecutorInput.parse(INPUT.formatted(outputFile));
    }

    @Test
    void parametersAndArtifactsInTheMessagesJsonForm() throws IOException {
        ObjectNode hyperparameters =
                JSON.createObjectNode().put("alpha", 4.2e-4).put("max_iter", 1000);
        ObjectNode metadata =
                JSON.createObjectNode().set("accuracy", ExecutorOutput.decimal(0.7005));
        String json =
                new ExecutorOutput(input(tmp.resolve("out.json")))
                        .string("metric_name", "accuracy")
                        .number("metric_value", 1e-5)
                        .integer("rows", 10000)
                        .struct("hyperparameters", hyperparameters)
                        .artifact("metrics", "system.Metrics", null, metadata)
                        .artifact(
                                "model",
                                "google.UnmanagedContainerModel",
                                "gs://b/jobdir/run-1",
                                JSON.createObjectNode())
                        .json();
        JsonNode root = JSON.readTree(json);
        assertEquals(List.of("parameterValues", "artifacts"), names(root));
        // Plain decimals, never 1.0E-5: the same text a KFP v1 Float output file holds.
        assertTrue(json.contains("\"metric_value\":0.00001"), json);
        assertTrue(json.contains("\"accuracy\":0.7005"), json);
        assertEquals("accuracy", root.at("/parameterValues/metric_name").asText());
        assertEquals(10000, root.at("/parameterValues/rows").asLong());
        assertEquals(hyperparameters, root.at("/parameterValues/hyperparameters"));
        JsonNode metrics = root.at("/artifacts/metrics/artifacts/0");
        assertEquals(List.of("name", "type", "uri", "metadata"), names(metrics));
        assertEquals(
                "gs://b/root/task/metrics",
                metrics.get("uri").asText(),
                "the executor input's URI, kept");
        assertEquals(0.7005, metrics.at("/metadata/accuracy").asDouble());
        JsonNode model = root.at("/artifacts/model/artifacts/0");
        assertEquals(
                "gs://b/jobdir/run-1",
                model.get("uri").asText(),
                "the URI set: the files are elsewhere");
        assertEquals("google.UnmanagedContainerModel", model.at("/type/schemaTitle").asText());
        assertTrue(model.get("metadata").isObject());
    }

    @Test
    void onlyDeclaredOutputsAndFiniteNumbers() {
        ExecutorOutput output = new ExecutorOutput(input(tmp.resolve("out.json")));
        assertThrows(ExecutorInputException.class, () -> output.string("trial_id", "7"));
        assertThrows(
                ExecutorInputException.class,
                () ->
                        output.artifact(
                                "predictions", "system.Dataset", null, JSON.createObjectNode()));
        assertThrows(
                IllegalArgumentException.class, () -> output.number("metric_value", Double.NaN));
        assertThrows(
                IllegalArgumentException.class,
                () -> output.struct("hyperparameters", JSON.createArrayNode()));
        assertEquals("{}", output.json(), "nothing was added");
    }

    @Test
    void commitWritesOneWholeFileCreatingItsDirectories() throws IOException {
        Path file = tmp.resolve("task/nested/executor_output.json");
        ExecutorOutput output = new ExecutorOutput(input(file)).integer("rows", 3);
        output.commit();
        assertEquals(output.json(), Files.readString(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void aFailedCommitLeavesNoFile() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("task"));
        Path file = dir.resolve("executor_output.json");
        // A directory holding a file where the output goes: the rename fails.
        Files.writeString(Files.createDirectory(file).resolve("kept"), "x");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> new ExecutorOutput(input(file)).integer("rows", 3).commit());
        assertTrue(e.getMessage().startsWith(file + ": cannot write the output"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of(file), files.toList(), "nothing but what was there, no staged file");
        }
        assertFalse(Files.isRegularFile(file));
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
