package dev.kfptribuo.componentyaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.helpers.HelperComponents;
import dev.kfptribuo.trainer.Train;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The contract between each template's KFP v2 part and the program its command runs: the {@code v2}
 * section holds only what a v2 spec can, its flags are options of the program, and the v2 command
 * line (resolved as {@code component-yaml/generate} derives it and KFP resolves it, with an
 * executor input KFP's launcher would make from the v2 outputs) makes the program write an executor
 * output holding exactly the v2 spec's output parameters and artifacts, of their types. An executor
 * input without any one of those outputs fails with exit 2, one line, nothing written.
 *
 * <p>The generated v2 specs themselves are loaded, compiled and run with KFP SDK 2.x by {@code
 * .ci/kfp-tests} ({@code pipeline/tests}).
 */
class V2ComponentSpecContractTest {
    private static final Path SPECS = Path.of("").toAbsolutePath();
    private static final Path ROOT = SPECS.getParent();
    private static final Path DATA = ROOT.resolve("data/covertype");
    private static final Path TUNING_JOBS = ROOT.resolve("components/src/test/resources/tuning");
    private static final List<String> COMPONENTS =
            List.of("batch_predict", "evaluate_model", "retrieve_best_run", "train");
    private static final Set<String> PARAMETER_TYPES =
            Set.of("String", "Integer", "Float", "Bool", "JsonObject", "JsonArray", "Dict", "List");
    private static final Pattern ARTIFACT_TYPE =
            Pattern.compile("[a-z]+\\.[A-Za-z]+@\\d+\\.\\d+\\.\\d+");
    private static final Set<String> V2_KEYS = Set.of("inputs", "args", "outputs", "without");
    private static final String SERVING_IMAGE =
            "127.0.0.1:5000/kfp-tribuo/serving_image@sha256:" + "5".repeat(64);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;
    private static Path training;

    @TempDir Path tmp;

    @BeforeAll
    static void data() throws IOException {
        List<String> lines =
                Files.readAllLines(DATA.resolve("covertype_small.csv"), StandardCharsets.UTF_8);
        training = shared.resolve("train.csv");
        Files.write(training, lines.subList(0, 2001), StandardCharsets.UTF_8);
    }

    static Stream<V2ComponentSpec> specs() throws IOException {
        List<V2ComponentSpec> specs = new ArrayList<>();
        for (String component : COMPONENTS) {
            specs.add(spec(component));
        }
        return specs.stream();
    }

    private static V2ComponentSpec spec(String component) throws IOException {
        return V2ComponentSpec.readV2(
                component, SPECS.resolve(component).resolve("component.yaml"));
    }

    // ---------------------------------------------------------------- the v2 section

    @ParameterizedTest
    @MethodSource("specs")
    void theV2SectionHoldsOnlyWhatAV2SpecCan(V2ComponentSpec spec) {
        assertTrue(V2_KEYS.containsAll(spec.v2.keySet()), "v2 keys " + spec.v2.keySet());
        for (ComponentSpec.Port input : spec.v2Inputs.values()) {
            assertFalse(
                    spec.inputs().containsKey(input.name()),
                    "v2 input " + input.name() + " is an input already");
            assertTrue(
                    PARAMETER_TYPES.contains(input.type()),
                    "v2 input " + input.name() + ": " + input.type());
            assertFalse(
                    input.description() == null || input.description().isBlank(),
                    "description of " + input.name());
        }
        for (ComponentSpec.Port output : spec.v2AddedOutputs.values()) {
            assertFalse(
                    spec.outputs().containsKey(output.name()),
                    "v2 output " + output.name() + " is an output already");
            assertTrue(
                    ARTIFACT_TYPE.matcher(output.type()).matches()
                            || PARAMETER_TYPES.contains(output.type()),
                    "v2 output "
                            + output.name()
                            + " type "
                            + output.type()
                            + ": a parameter type or schemaTitle@version");
            assertFalse(
                    output.description() == null || output.description().isBlank(),
                    "description of " + output.name());
        }
        assertTrue(
                spec.outputs().keySet().containsAll(spec.v2Without),
                "v2.without " + spec.v2Without);
        // A KFP v1 file the v2 UIs never open (UI metadata) has no v2 form: the v2 spec leaves it
        // out.
        spec.v2Outputs()
                .forEach(
                        (name, type) ->
                                assertTrue(
                                        PARAMETER_TYPES.contains(type)
                                                || ARTIFACT_TYPE.matcher(type).matches(),
                                        "v2 output " + name + " of type " + type));
        for (String input : spec.v2Inputs.keySet()) {
            assertTrue(
                    spec.v2Args.contains(Map.of("inputValue", input)),
                    "v2 input " + input + " is passed by v2.args");
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void theV2FlagsAreOptionsOfTheProgram(V2ComponentSpec spec) throws Exception {
        CommandSpec command = commandSpec(spec);
        assertNotNull(
                command.findOption("--executor-input"),
                command.qualifiedName() + " takes --executor-input");
        for (Object part : spec.v2Args) {
            if (part instanceof String flag && flag.startsWith("--")) {
                assertNotNull(
                        command.findOption(flag),
                        flag + " is not an option of " + command.qualifiedName());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void theReadmeTablesTheV2PortsAndLoadsTheV2Spec(V2ComponentSpec spec) throws IOException {
        String readme =
                Files.readString(
                        SPECS.resolve(spec.component()).resolve("README.md"),
                        StandardCharsets.UTF_8);
        for (String port : spec.v2Inputs.keySet()) {
            assertTrue(
                    readme.contains("| `" + port + "` |"), "README table row of v2 input " + port);
        }
        for (String port : spec.v2AddedOutputs.keySet()) {
            assertTrue(
                    readme.contains("| `" + port + "` |"), "README table row of v2 output " + port);
        }
        assertTrue(
                readme.contains("## Which spec, with which SDK"),
                "README says which spec goes with which SDK");
        assertTrue(
                readme.contains(
                        "load_component_from_url(\n    'https://raw.githubusercontent.com/OWNER/kfp-tribuo/TAG/"
                                + "component-yaml/v2/"
                                + spec.component()
                                + "/component.yaml')"),
                "README loads the v2 spec");
    }

    // ---------------------------------------------------------------- running the v2 command lines

    @Test
    void trainThenEvaluateModelWriteTheirV2Outputs() throws Exception {
        V2ComponentSpec train = spec("train");
        Path jobDir = tmp.resolve("jobdir/run-1");
        JsonNode trained =
                run(
                        train,
                        Map.of(
                                "training_dataset_path",
                                training.toString(),
                                "job_dir",
                                jobDir.toString(),
                                "max_iter",
                                "10",
                                "serving_image",
                                SERVING_IMAGE),
                        tmp.resolve("train"));
        JsonNode model = trained.at("/artifacts/model/artifacts/0");
        assertEquals(
                jobDir.toString(), model.get("uri").asText(), "the model artifact is the job dir");
        assertEquals(SERVING_IMAGE, model.at("/metadata/containerSpec/imageUri").asText());
        assertTrue(Files.isRegularFile(jobDir.resolve("manifest.json")));

        // job_dir feeds model_path, as in the lab's pipeline.
        JsonNode evaluated =
                run(
                        spec("evaluate_model"),
                        Map.of(
                                "dataset_path", DATA.resolve("covertype_validation.csv").toString(),
                                "model_path", trained.at("/parameterValues/job_dir").asText()),
                        tmp.resolve("evaluate"));
        assertTrue(
                evaluated.at("/artifacts/metrics/artifacts/0/metadata").size() > 1,
                evaluated.toString());
        assertEquals(
                evaluated.at("/parameterValues/metric_value"),
                evaluated.at("/artifacts/metrics/artifacts/0/metadata/accuracy"));

        JsonNode predicted =
                run(
                        spec("batch_predict"),
                        Map.of(
                                "dataset_path",
                                DATA.resolve("covertype_validation.csv").toString(),
                                "model_path",
                                trained.at("/parameterValues/job_dir").asText(),
                                "rows_per_shard",
                                "4000"),
                        tmp.resolve("predict"));
        assertEquals(10000, predicted.at("/parameterValues/predicted_rows").asLong());
        Path predictions = Path.of(predicted.at("/artifacts/predictions/artifacts/0/uri").asText());
        try (Stream<Path> files = Files.list(predictions)) {
            assertEquals(3, files.count(), "three shards of predictions at the Dataset's URI");
        }
    }

    @Test
    void retrieveBestRunWritesItsV2Outputs() throws Exception {
        JsonNode best =
                run(
                        spec("retrieve_best_run"),
                        Map.of(
                                "job_file",
                                TUNING_JOBS
                                        .resolve("ai-platform/succeeded-unordered.json")
                                        .toString()),
                        tmp.resolve("retrieve"));
        assertTrue(
                Set.of(500L, 1000L).contains(best.at("/parameterValues/max_iter").asLong()),
                best.toString());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void anExecutorInputWithoutOneOfTheV2OutputsIsExit2AndWritesNothing(V2ComponentSpec spec)
            throws Exception {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (ComponentSpec.Port input : spec.inputs().values()) {
            if (!input.optional() && input.defaultValue() == null) {
                arguments.put(input.name(), tmp.resolve("no-such-" + input.name()).toString());
            }
        }
        arguments.put("serving_image", SERVING_IMAGE);
        for (String missing : spec.v2Outputs().keySet()) {
            Path dir = tmp.resolve("without-" + missing);
            Map<String, String> outputs = new LinkedHashMap<>(spec.v2Outputs());
            outputs.remove(missing);
            Result result = execute(spec, arguments, executorInput(outputs, dir));
            assertEquals(2, result.code(), spec + " without " + missing + ": " + result.err());
            assertEquals(1, result.err().lines().count(), "one line: " + result.err());
            assertTrue(
                    result.err().contains("--executor-input: declares no output "), result.err());
            assertTrue(result.err().contains(missing), result.err());
            assertFalse(Files.exists(dir), "nothing written under " + dir);
        }
        Result notJson = execute(spec, arguments, "{{$}}");
        assertEquals(2, notJson.code(), notJson.err());
        assertEquals(1, notJson.err().lines().count(), notJson.err());
    }

    // ---------------------------------------------------------------- helpers

    /**
     * An executor input as KFP's launcher makes one from the v2 outputs: a parameter's output file
     * and an artifact's URI under {@code dir}, and the executor output file {@code
     * dir/executor_output.json}.
     */
    private static String executorInput(Map<String, String> outputs, Path dir) {
        ObjectNode spec = JSON.createObjectNode();
        ObjectNode parameters = spec.putObject("parameters");
        ObjectNode artifacts = spec.putObject("artifacts");
        outputs.forEach(
                (name, type) -> {
                    if (PARAMETER_TYPES.contains(type)) {
                        parameters.putObject(name).put("outputFile", dir.resolve(name).toString());
                    } else {
                        ObjectNode artifact =
                                artifacts.putObject(name).putArray("artifacts").addObject();
                        artifact.put("name", name);
                        artifact.putObject("type")
                                .put("schemaTitle", type.substring(0, type.indexOf('@')))
                                .put("schemaVersion", type.substring(type.indexOf('@') + 1));
                        artifact.put("uri", dir.resolve(name).toString());
                        artifact.putObject("metadata");
                    }
                });
        spec.put("outputFile", dir.resolve("executor_output.json").toString());
        ObjectNode root = JSON.createObjectNode();
        root.putObject("inputs").putObject("parameterValues");
        root.set("outputs", spec);
        return root.toString();
    }

    private record Result(int code, String out, String err) {}

    private static Result execute(
            V2ComponentSpec spec, Map<String, String> arguments, String executorInput) {
        List<String> args = new ArrayList<>(spec.entrypoint().subList(1, spec.entrypoint().size()));
        args.addAll(spec.resolveV2(arguments, executorInput));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                spec.mainClass().equals("dev.kfptribuo.trainer.Train")
                        ? Train.run(
                                args.toArray(String[]::new),
                                new PrintWriter(out),
                                new PrintWriter(err),
                                Map.of())
                        : HelperComponents.run(
                                args.toArray(String[]::new),
                                new PrintWriter(out),
                                new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Runs the v2 command line and checks the executor output: exactly the v2 spec's output
     * parameters, each of its type, and its output artifacts, each of its type; nothing else
     * written.
     */
    private static JsonNode run(V2ComponentSpec spec, Map<String, String> arguments, Path dir)
            throws IOException {
        Result result = execute(spec, arguments, executorInput(spec.v2Outputs(), dir));
        if (result.code() != 0) {
            fail(
                    spec
                            + " exited "
                            + result.code()
                            + "\nerr:\n"
                            + result.err()
                            + "\nout:\n"
                            + result.out());
        }
        JsonNode output = JSON.readTree(dir.resolve("executor_output.json").toFile());
        Set<String> parameters = new TreeSet<>();
        Set<String> artifacts = new TreeSet<>();
        spec.v2Outputs()
                .forEach(
                        (name, type) ->
                                (PARAMETER_TYPES.contains(type) ? parameters : artifacts)
                                        .add(name));
        assertEquals(
                parameters, names(output.path("parameterValues")), spec + ": output parameters");
        assertEquals(artifacts, names(output.path("artifacts")), spec + ": output artifacts");
        spec.v2Outputs()
                .forEach(
                        (name, type) -> {
                            if (PARAMETER_TYPES.contains(type)) {
                                JsonNode value = output.get("parameterValues").get(name);
                                boolean typed =
                                        switch (type) {
                                            case "Float" -> value.isNumber();
                                            case "Integer" -> value.isIntegralNumber();
                                            case "Bool" -> value.isBoolean();
                                            case "JsonObject", "Dict" -> value.isObject();
                                            case "JsonArray", "List" -> value.isArray();
                                            default -> value.isTextual();
                                        };
                                assertTrue(
                                        typed, spec + ": " + name + " is a " + type + ": " + value);
                            } else {
                                JsonNode artifact =
                                        output.at("/artifacts/" + name + "/artifacts/0");
                                assertEquals(
                                        type.substring(0, type.indexOf('@')),
                                        artifact.at("/type/schemaTitle").asText(),
                                        name);
                                assertFalse(
                                        artifact.path("uri").asText().isBlank(),
                                        name + " has a uri");
                                assertTrue(
                                        artifact.path("metadata").isObject(),
                                        name + " has metadata");
                            }
                        });
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                assertTrue(
                        name.equals("executor_output.json") || artifacts.contains(name),
                        spec + " wrote only the executor output and artifact files: " + file);
            }
        }
        return output;
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static CommandSpec commandSpec(V2ComponentSpec spec) throws Exception {
        if (spec.mainClass().equals("dev.kfptribuo.trainer.Train")) {
            // TrainCommand is package-private: the program's own command object, made as Train
            // makes it.
            Class<?> type = Class.forName("dev.kfptribuo.trainer.TrainCommand");
            Constructor<?> constructor = type.getDeclaredConstructor(PrintWriter.class, Map.class);
            constructor.setAccessible(true);
            return new CommandLine(
                            constructor.newInstance(new PrintWriter(Writer.nullWriter()), Map.of()))
                    .getCommandSpec();
        }
        return new CommandLine(new HelperComponents())
                .getSubcommands()
                .get(spec.entrypoint().get(1))
                .getCommandSpec();
    }
}
