package dev.kfptribuo.componentyaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.helpers.HelperComponents;
import dev.kfptribuo.trainer.Train;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.reflect.Constructor;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The contract between each {@code component.yaml} template and the program its command runs: every
 * flag the spec passes is an option of the program's picocli command, every required option is
 * passed whatever the optional inputs, each default is the program's own, the command is the
 * image's Jib entrypoint and the image placeholder names that image; and, running the spec's
 * command line (resolved as KFP resolves it) through the programs' {@code run} seams on real
 * covertype rows, every output path is written.
 *
 * <p>The images by digest are checked after a Jib build, on the generated copies ({@code
 * .ci/kfp-tests}, {@code pipeline/tests}).
 */
class ComponentSpecContractTest {
    /**
     * The java command every spec's command starts with, before the main class: the images' Jib
     * entrypoint (the JVM flags of the image's /app/jvm-flags, the classpath Jib wrote).
     */
    private static final List<String> JAVA_COMMAND =
            List.of("java", "-XX:Flags=/app/jvm-flags", "-cp", "@/app/jib-classpath-file");

    /** The module directory surefire runs in is component-yaml/; the project root is its parent. */
    private static final Path SPECS = Path.of("").toAbsolutePath();

    private static final Path ROOT = SPECS.getParent();
    private static final Path DATA = ROOT.resolve("data/covertype");
    private static final Path TUNING_JOBS = ROOT.resolve("components/src/test/resources/tuning");
    private static final Set<String> COMPONENTS =
            Set.of("train", "retrieve_best_run", "evaluate_model", "batch_predict");

    /** The types KFP SDK 2.x keeps as parameters (any other type becomes an artifact). */
    private static final Set<String> PARAMETER_TYPES =
            Set.of("String", "Integer", "Float", "Bool", "JsonObject", "JsonArray", "Dict", "List");

    /**
     * Outputs that are artifacts, not values, by component: the KFP v1 metrics and UI metadata
     * files of evaluate_model, and batch_predict's predictions directory, a Dataset (system.Dataset
     * in KFP SDK 2.x). Every other output is a value of a parameter type.
     */
    private static final Map<String, Map<String, String>> ARTIFACT_OUTPUTS =
            Map.of(
                    "evaluate_model",
                            Map.of(
                                    "mlpipeline_metrics",
                                    "Metrics",
                                    "mlpipeline_ui_metadata",
                                    "UI_metadata"),
                    "batch_predict", Map.of("predictions", "Dataset"));

    /** Artifact outputs that are directories (of files), not files. */
    private static final Map<String, Set<String>> DIRECTORY_OUTPUTS =
            Map.of("batch_predict", Set.of("predictions"));

    private static final Pattern IMAGE_PLACEHOLDER = Pattern.compile("\\{\\{image:([a-z_]+)}}");

    /**
     * The output names pipeline code reads: the lab's, and those of batch_predict (not in the lab).
     */
    private static final Map<String, List<String>> PIPELINE_OUTPUTS =
            Map.of(
                    "retrieve_best_run", List.of("metric_value", "alpha", "max_iter"),
                    "evaluate_model",
                            List.of(
                                    "metric_name",
                                    "metric_value",
                                    "baseline_metric_value",
                                    "metric_improvement",
                                    "mlpipeline_metrics"),
                    "train", List.of("job_dir"),
                    "batch_predict", List.of("predictions", "predicted_rows", "bad_rows"));

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;

    private static Path smallTrain;
    private static Path smallValid;

    @TempDir Path tmp;

    @BeforeAll
    static void data() throws IOException {
        Logger.getLogger("").setLevel(Level.WARNING);
        List<String> lines =
                Files.readAllLines(DATA.resolve("covertype_small.csv"), StandardCharsets.UTF_8);
        smallTrain = shared.resolve("train.csv");
        smallValid = shared.resolve("valid.csv");
        Files.write(smallTrain, lines.subList(0, 3001), StandardCharsets.UTF_8);
        List<String> valid = new ArrayList<>(List.of(lines.get(0)));
        valid.addAll(lines.subList(3001, 4001));
        Files.write(smallValid, valid, StandardCharsets.UTF_8);
    }

    static Stream<ComponentSpec> specs() throws IOException {
        List<ComponentSpec> specs = new ArrayList<>();
        for (String component : new TreeSet<>(COMPONENTS)) {
            specs.add(
                    ComponentSpec.read(
                            component, SPECS.resolve(component).resolve("component.yaml")));
        }
        return specs.stream();
    }

    // ---------------------------------------------------------------- layout and shape

    @Test
    void oneFolderPerComponentWithSpecAndReadme() throws IOException {
        Set<String> found = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(SPECS)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("component.yaml")))
                    .forEach(d -> found.add(d.getFileName().toString()));
        }
        assertEquals(new TreeSet<>(COMPONENTS), found);
        for (String component : COMPONENTS) {
            assertTrue(
                    Files.isRegularFile(SPECS.resolve(component).resolve("README.md")),
                    component + "/README.md");
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void nameDescriptionAndTypedDescribedPorts(ComponentSpec spec) {
        assertFalse(isBlank(spec.name()), "name");
        assertFalse(isBlank(spec.description()), "description");
        assertFalse(spec.inputs().isEmpty(), "inputs");
        assertFalse(spec.outputs().isEmpty(), "outputs");
        for (ComponentSpec.Port input : spec.inputs().values()) {
            assertFalse(isBlank(input.description()), "description of input " + input.name());
            assertTrue(
                    PARAMETER_TYPES.contains(input.type()),
                    "input "
                            + input.name()
                            + " has type "
                            + input.type()
                            + ", not one KFP 2.x keeps as a parameter");
            Object rawDefault = input.raw().get("default");
            if (rawDefault != null) {
                // Typed YAML scalars: KFP SDK 1.8's v2 compiler emits a default's constant with the
                // YAML
                // value's type (a quoted '5' becomes a stringValue of an INT parameter).
                Class<?> yamlType =
                        switch (input.type()) {
                            case "Integer" -> Integer.class;
                            case "Float" -> Double.class;
                            case "Bool" -> Boolean.class;
                            default -> String.class;
                        };
                assertEquals(
                        yamlType,
                        rawDefault.getClass(),
                        "YAML type of the default of " + input.name());
                assertParses(input.type(), input.defaultValue(), "default of " + input.name());
            }
        }
        for (ComponentSpec.Port output : spec.outputs().values()) {
            assertFalse(isBlank(output.description()), "description of output " + output.name());
            String artifactType =
                    ARTIFACT_OUTPUTS.getOrDefault(spec.component(), Map.of()).get(output.name());
            if (artifactType != null) {
                assertEquals(artifactType, output.type(), "type of " + output.name());
            } else {
                assertTrue(
                        PARAMETER_TYPES.contains(output.type()),
                        "output "
                                + output.name()
                                + " is a value: its type "
                                + output.type()
                                + " must be a parameter type");
            }
        }
        assertTrue(
                spec.outputs()
                        .keySet()
                        .containsAll(
                                ARTIFACT_OUTPUTS.getOrDefault(spec.component(), Map.of()).keySet()),
                "the artifact outputs "
                        + ARTIFACT_OUTPUTS.get(spec.component())
                        + " in "
                        + spec.outputs().keySet());
        assertNotNull(
                PIPELINE_OUTPUTS.get(spec.component()),
                "the output names pipeline code reads, of " + spec);
        assertTrue(
                spec.outputs().keySet().containsAll(PIPELINE_OUTPUTS.get(spec.component())),
                "the output names "
                        + PIPELINE_OUTPUTS.get(spec.component())
                        + " in "
                        + spec.outputs().keySet());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void everyOutputIsWrittenThroughOneOutputPathAndEveryInputIsPassed(ComponentSpec spec) {
        Map<String, Integer> outputPaths = new HashMap<>();
        Map<String, Integer> inputValues = new HashMap<>();
        spec.visit(
                (part, guard) -> {
                    if (part instanceof Map<?, ?> map) {
                        assertFalse(
                                map.containsKey("inputPath"),
                                "values are passed by inputValue: " + map);
                        if (map.get("outputPath") instanceof String name) {
                            outputPaths.merge(name, 1, Integer::sum);
                        }
                        if (map.get("inputValue") instanceof String name) {
                            inputValues.merge(name, 1, Integer::sum);
                            ComponentSpec.Port input = spec.inputs().get(name);
                            assertNotNull(input, "inputValue of an undeclared input " + name);
                            if (input.optional() && input.defaultValue() == null) {
                                assertEquals(
                                        name,
                                        guard,
                                        "optional input " + name + " is passed only when present");
                            }
                        }
                    }
                });
        for (String output : spec.outputs().keySet()) {
            assertEquals(1, outputPaths.getOrDefault(output, 0), "outputPath of " + output);
        }
        assertEquals(
                spec.outputs().keySet(), outputPaths.keySet(), "outputPath of undeclared outputs");
        assertEquals(spec.inputs().keySet(), inputValues.keySet(), "every input is passed");
    }

    // ---------------------------------------------------------------- command and image

    @ParameterizedTest
    @MethodSource("specs")
    void commandIsTheImagesJibEntrypointAndTheImageIsThatModules(ComponentSpec spec)
            throws Exception {
        List<String> command = spec.command();
        int java = JAVA_COMMAND.size();
        assertEquals(JAVA_COMMAND, command.subList(0, java), "command " + command);
        // The JVM flags of the command are the image entrypoint's: Jib's <jvmFlags> in the parent
        // pom.
        assertEquals(
                jibJvmFlags(), command.subList(1, java - 2), "the parent pom's Jib <jvmFlags>");
        String mainClass = spec.mainClass();
        Program program = Program.of(mainClass);
        assertEquals(
                java + (program.subcommand == null ? 1 : 2), command.size(), "command " + command);
        if (program.subcommand != null) {
            assertNotNull(
                    program.spec(spec.entrypoint().get(1)),
                    "subcommand " + spec.entrypoint().get(1));
        }
        assertEquals(
                command.subList(java, command.size()),
                spec.entrypoint(),
                "the program a local run starts");
        assertEquals(
                mainClass,
                jibMainClass(program.module),
                "the image main class (image.main.class) of " + program.module + "/pom.xml");
        Matcher image = IMAGE_PLACEHOLDER.matcher(spec.image());
        assertTrue(
                image.matches(),
                "the template's image is a placeholder the build fills in: " + spec.image());
        assertEquals(program.image, image.group(1), "the image built from " + program.module);
        assertEquals(
                program.image,
                jibImageName(program.module),
                "the image name (image.name) of " + program.module + "/pom.xml");
    }

    // ---------------------------------------------------------------- flags

    @ParameterizedTest
    @MethodSource("specs")
    void everyFlagIsAnOptionOfTheProgramWithAValueWhereItTakesOne(ComponentSpec spec)
            throws Exception {
        CommandSpec command = commandSpec(spec);
        for (Map.Entry<String, String> flag : spec.flags()) {
            assertNotNull(
                    command.findOption(flag.getKey()),
                    flag.getKey()
                            + " is not an option of "
                            + command.qualifiedName()
                            + " "
                            + options(command));
        }
        checkValues(spec.args(), command, spec);
    }

    @SuppressWarnings("unchecked")
    private static void checkValues(List<?> parts, CommandSpec command, ComponentSpec spec) {
        for (int i = 0; i < parts.size(); i++) {
            Object part = parts.get(i);
            if (part instanceof String text && text.startsWith("--")) {
                OptionSpec option = command.findOption(text);
                if (option.arity().min() > 0 || text.equals("--hptune")) {
                    assertTrue(i + 1 < parts.size(), spec + ": " + text + " takes a value");
                    Object next = parts.get(i + 1);
                    assertFalse(
                            next instanceof String s && s.startsWith("--"),
                            spec + ": " + text + " takes a value");
                }
            } else if (part instanceof Map<?, ?> map && map.get("if") instanceof Map<?, ?> branch) {
                checkValues(ComponentSpec.list(branch.get("then")), command, spec);
                checkValues(ComponentSpec.list(branch.get("else")), command, spec);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void everyRequiredOptionIsPassedWhateverTheOptionalInputs(ComponentSpec spec) throws Exception {
        CommandSpec command = commandSpec(spec);
        Set<OptionSpec> always = new java.util.HashSet<>();
        for (Map.Entry<String, String> flag : spec.flags()) {
            if (flag.getValue() == null) {
                always.add(command.findOption(flag.getKey()));
            }
        }
        for (OptionSpec option : command.options()) {
            if (option.required()) {
                assertTrue(
                        always.contains(option),
                        option.longestName()
                                + " is required by "
                                + command.qualifiedName()
                                + " and must be passed unconditionally");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void defaultsAreTheProgramsDefaults(ComponentSpec spec) throws Exception {
        CommandSpec command = commandSpec(spec);
        int checked = 0;
        List<?> args = spec.args();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i) instanceof String flag
                    && flag.startsWith("--")
                    && args.get(i + 1) instanceof Map<?, ?> value
                    && value.get("inputValue") instanceof String input) {
                ComponentSpec.Port port = spec.inputs().get(input);
                OptionSpec option = command.findOption(flag);
                if (port.defaultValue() == null || option == null) {
                    continue; // no default to compare, or an unknown flag (reported by the flag
                    // test)
                }
                assertNotNull(
                        option.defaultValue(),
                        flag
                                + " has no program default, so input "
                                + input
                                + " should have none either");
                assertTrue(
                        sameValue(port.type(), port.defaultValue(), option.defaultValue()),
                        "input "
                                + input
                                + " defaults to '"
                                + port.defaultValue()
                                + "', "
                                + flag
                                + " to '"
                                + option.defaultValue()
                                + "'");
                checked++;
            }
        }
        long withDefaults =
                spec.inputs().values().stream().filter(p -> p.defaultValue() != null).count();
        assertEquals(withDefaults, checked, "every default checked against its flag's");
    }

    // ---------------------------------------------------------------- running the command lines

    @Test
    void trainThenEvaluateModelWriteEveryOutput() throws Exception {
        ComponentSpec train = ComponentSpec.read("train", SPECS.resolve("train/component.yaml"));
        Path jobDir = tmp.resolve("gcs/jobdir/run-1");
        Map<String, String> trainOutputs = outputPaths(train, tmp.resolve("train-outputs"));
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("training_dataset_path", smallTrain.toString());
        arguments.put("validation_dataset_path", smallValid.toString());
        arguments.put("job_dir", jobDir.toString());
        arguments.put("alpha", "0.00042");
        arguments.put("max_iter", "20");

        run(train, arguments, trainOutputs);

        assertEquals(jobDir.toString(), read(trainOutputs.get("job_dir")));
        JsonNode manifest = JSON.readTree(jobDir.resolve("manifest.json").toFile());
        assertTrue(
                Files.size(jobDir.resolve(manifest.at("/model/file").asText())) > 0,
                "model.tribuo");
        assertEquals(
                4000,
                manifest.get("training").get("rows").asLong(),
                "training plus validation rows");

        ComponentSpec evaluate =
                ComponentSpec.read(
                        "evaluate_model", SPECS.resolve("evaluate_model/component.yaml"));
        Map<String, String> evalOutputs = outputPaths(evaluate, tmp.resolve("evaluate-outputs"));
        // The job_dir output feeds model_path, as in the lab's pipeline.
        run(
                evaluate,
                Map.of(
                        "dataset_path",
                        DATA.resolve("covertype_validation.csv").toString(),
                        "model_path",
                        read(trainOutputs.get("job_dir"))),
                evalOutputs);

        assertEquals("accuracy", read(evalOutputs.get("metric_name")));
        double accuracy = Double.parseDouble(read(evalOutputs.get("metric_value")));
        assertTrue(accuracy > 0.5 && accuracy <= 1, "accuracy " + accuracy);
        assertTrue(read(evalOutputs.get("metric_value")).matches("0\\.[0-9]+"), "a plain decimal");
        JsonNode metrics = JSON.readTree(read(evalOutputs.get("mlpipeline_metrics")));
        assertTrue(metrics.get("metrics").size() > 1, metrics.toString());
        JsonNode ui = JSON.readTree(read(evalOutputs.get("mlpipeline_ui_metadata")));
        assertEquals(1, ui.get("version").asInt());
    }

    @Test
    void evaluateModelAgainstABaselineWritesItsMetricAndTheImprovement() throws Exception {
        ComponentSpec train = ComponentSpec.read("train", SPECS.resolve("train/component.yaml"));
        Map<String, String> champion = outputPaths(train, tmp.resolve("champion-outputs"));
        Map<String, String> challenger = outputPaths(train, tmp.resolve("challenger-outputs"));
        // The model in production: two epochs on the training rows; the new one: the lab's final
        // training.
        run(
                train,
                Map.of(
                        "training_dataset_path",
                        smallTrain.toString(),
                        "job_dir",
                        tmp.resolve("champion").toString(),
                        "max_iter",
                        "2",
                        "tol",
                        "none"),
                champion);
        run(
                train,
                Map.of(
                        "training_dataset_path",
                        smallTrain.toString(),
                        "validation_dataset_path",
                        smallValid.toString(),
                        "job_dir",
                        tmp.resolve("challenger").toString(),
                        "max_iter",
                        "20"),
                challenger);
        ComponentSpec evaluate =
                ComponentSpec.read(
                        "evaluate_model", SPECS.resolve("evaluate_model/component.yaml"));
        String testing = DATA.resolve("covertype_validation.csv").toString();

        Map<String, String> gate = outputPaths(evaluate, tmp.resolve("gate"));
        run(
                evaluate,
                Map.of(
                        "dataset_path",
                        testing,
                        "model_path",
                        read(challenger.get("job_dir")),
                        "baseline_model_path",
                        read(champion.get("job_dir"))),
                gate);
        Map<String, String> alone = outputPaths(evaluate, tmp.resolve("champion-alone"));
        run(
                evaluate,
                Map.of("dataset_path", testing, "model_path", read(champion.get("job_dir"))),
                alone);
        assertEquals(
                read(alone.get("metric_value")),
                read(gate.get("baseline_metric_value")),
                "the baseline's metric on the same rows is what evaluate_model gives it alone");
        BigDecimal improvement =
                new BigDecimal(read(gate.get("metric_value")))
                        .subtract(new BigDecimal(read(gate.get("baseline_metric_value"))));
        assertEquals(
                0,
                improvement.compareTo(new BigDecimal(read(gate.get("metric_improvement")))),
                "metric_improvement " + read(gate.get("metric_improvement")) + " = " + improvement);
        assertTrue(
                read(gate.get("metric_improvement")).matches("-?[0-9]+\\.[0-9]+"),
                "a plain decimal");
        assertTrue(
                Double.parseDouble(read(gate.get("metric_improvement"))) > 0,
                "20 epochs on more rows beat 2");

        // Without a baseline (not passed, or passed empty as a pipeline's default ''), the worst
        // possible
        // model is the baseline: a condition metric_improvement > 0 holds.
        for (Map<String, String> arguments :
                List.of(
                        Map.of(
                                "dataset_path",
                                testing,
                                "model_path",
                                read(challenger.get("job_dir"))),
                        Map.of(
                                "dataset_path",
                                testing,
                                "model_path",
                                read(challenger.get("job_dir")),
                                "baseline_model_path",
                                ""))) {
            Map<String, String> none =
                    outputPaths(evaluate, tmp.resolve("none-" + arguments.size()));
            List<String> args = evaluate.resolve(arguments, none);
            assertEquals(
                    arguments.containsKey("baseline_model_path"),
                    args.contains("--baseline-model-path"),
                    args.toString());
            run(evaluate, arguments, none);
            assertEquals("0.0", read(none.get("baseline_metric_value")));
            assertEquals(read(none.get("metric_value")), read(none.get("metric_improvement")));
        }
    }

    @Test
    void trainWithoutTheOptionalValidationPath() throws Exception {
        ComponentSpec train = ComponentSpec.read("train", SPECS.resolve("train/component.yaml"));
        Path jobDir = tmp.resolve("model");
        Map<String, String> outputs = outputPaths(train, tmp.resolve("outputs"));

        run(
                train,
                Map.of(
                        "training_dataset_path",
                        smallTrain.toString(),
                        "job_dir",
                        jobDir.toString(),
                        "max_iter",
                        "5",
                        "tol",
                        "none",
                        "loss",
                        "hinge",
                        "seed",
                        "7"),
                outputs);

        assertEquals(jobDir.toString(), read(outputs.get("job_dir")));
        JsonNode manifest = JSON.readTree(jobDir.resolve("manifest.json").toFile());
        assertEquals(3000, manifest.get("training").get("rows").asLong());
    }

    @Test
    void trainThenBatchPredictWriteEveryOutput() throws Exception {
        ComponentSpec train = ComponentSpec.read("train", SPECS.resolve("train/component.yaml"));
        Path jobDir = tmp.resolve("gcs/jobdir/run-2");
        Map<String, String> trainOutputs = outputPaths(train, tmp.resolve("train-outputs"));
        run(
                train,
                Map.of(
                        "training_dataset_path",
                        smallTrain.toString(),
                        "validation_dataset_path",
                        smallValid.toString(),
                        "job_dir",
                        jobDir.toString(),
                        "max_iter",
                        "20"),
                trainOutputs);
        List<String> labels = new ArrayList<>();
        JSON.readTree(jobDir.resolve("manifest.json").toFile())
                .get("labels")
                .forEach(l -> labels.add(l.asText()));

        // 2,500 covertype rows (label column kept: the model does not read it), a bad row after the
        // first 1,000.
        List<String> rows =
                Files.readAllLines(
                        DATA.resolve("covertype_validation.csv"), StandardCharsets.UTF_8);
        List<String> instances = new ArrayList<>(rows.subList(0, 1001));
        instances.add("2596,51,3");
        instances.addAll(rows.subList(1001, 2501));
        Path csv = tmp.resolve("instances.csv");
        Files.write(csv, instances, StandardCharsets.UTF_8);

        ComponentSpec predict =
                ComponentSpec.read("batch_predict", SPECS.resolve("batch_predict/component.yaml"));
        Map<String, String> outputs = outputPaths(predict, tmp.resolve("predict-outputs"));
        // The job_dir output feeds model_path, as it feeds evaluate_model's.
        run(
                predict,
                Map.of(
                        "dataset_path",
                        csv.toString(),
                        "model_path",
                        read(trainOutputs.get("job_dir")),
                        "max_bad_rows",
                        "1",
                        "rows_per_shard",
                        "1000"),
                outputs);

        assertEquals("2500", read(outputs.get("predicted_rows")));
        assertEquals("1", read(outputs.get("bad_rows")));
        Path dir = Path.of(outputs.get("predictions"));
        assertEquals(
                List.of(
                        "prediction.errors_stats-00000-of-00001",
                        "prediction.results-00000-of-00003",
                        "prediction.results-00001-of-00003",
                        "prediction.results-00002-of-00003"),
                names(dir));
        List<String> lines = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            List<String> shardLines =
                    Files.readAllLines(
                            dir.resolve("prediction.results-0000" + shard + "-of-00003"));
            assertEquals(shard < 2 ? 1000 : 500, shardLines.size(), "lines of shard " + shard);
            lines.addAll(shardLines);
        }
        List<String> good = new ArrayList<>(rows.subList(1, 2501));
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            // In input order; the instance as read, numbers as numbers.
            String[] row = good.get(i).split(",");
            assertEquals(
                    Long.parseLong(row[0]),
                    line.get("instance").get("Elevation").asLong(),
                    "instance " + i);
            assertTrue(line.get("instance").get("Elevation").isNumber(), "instance " + i);
            assertEquals(row[11], line.get("instance").get("Soil_Type").asText(), "instance " + i);
            JsonNode prediction = line.get("prediction");
            assertEquals(
                    Set.of("label", "classes", "scores"), fieldNames(prediction), lines.get(i));
            List<String> classes = new ArrayList<>();
            prediction.get("classes").forEach(c -> classes.add(c.asText()));
            assertEquals(labels, classes, "classes of line " + i);
            double sum = 0;
            double best = -1;
            String argmax = null;
            for (int k = 0; k < classes.size(); k++) {
                double p = prediction.get("scores").get(k).asDouble();
                assertTrue(p >= 0 && p <= 1, "a probability: " + lines.get(i));
                sum += p;
                if (p > best) {
                    best = p;
                    argmax = classes.get(k);
                }
            }
            assertEquals(1, sum, 1e-9, "log-loss scores are predict_proba: " + lines.get(i));
            assertEquals(
                    argmax,
                    prediction.get("label").asText(),
                    "the label has the highest score: " + lines.get(i));
        }
        List<String> errors =
                Files.readAllLines(dir.resolve("prediction.errors_stats-00000-of-00001"));
        assertEquals(1, errors.size(), errors.toString());
        JsonNode error = JSON.readTree(errors.get(0));
        assertEquals(1002, error.get("line").asLong(), errors.get(0));
        assertEquals(3, error.get("error").get("code").asInt(), errors.get(0));
        assertTrue(error.get("file").asText().endsWith("instances.csv"), errors.get(0));

        // The inputs' defaults: JSON Lines out, one file of up to 100,000 rows, no bad row allowed
        // or written.
        Map<String, String> defaults = outputPaths(predict, tmp.resolve("predict-defaults"));
        Path validation = DATA.resolve("covertype_validation.csv");
        run(
                predict,
                Map.of("dataset_path", validation.toString(), "model_path", jobDir.toString()),
                defaults);
        assertEquals(String.valueOf(rows.size() - 1), read(defaults.get("predicted_rows")));
        assertEquals("0", read(defaults.get("bad_rows")));
        Path all = Path.of(defaults.get("predictions"));
        assertEquals(List.of("prediction.results-00000-of-00001"), names(all));
        assertEquals(
                rows.size() - 1,
                Files.readAllLines(all.resolve("prediction.results-00000-of-00001")).size());

        // JSON Lines instances (found by the name) to CSV predictions.
        Path jsonl = tmp.resolve("instances.jsonl");
        List<String> objects = new ArrayList<>();
        String[] header = rows.get(0).split(",");
        for (String row : rows.subList(1, 101)) {
            com.fasterxml.jackson.databind.node.ObjectNode object = JSON.createObjectNode();
            String[] values = row.split(",");
            for (int c = 0; c < header.length - 1; c++) {
                if (c >= 10) {
                    object.put(header[c], values[c]);
                } else {
                    object.put(header[c], Long.parseLong(values[c]));
                }
            }
            objects.add(JSON.writeValueAsString(object));
        }
        Files.write(jsonl, objects, StandardCharsets.UTF_8);
        Map<String, String> csvOutputs = outputPaths(predict, tmp.resolve("predict-csv"));
        run(
                predict,
                Map.of(
                        "dataset_path",
                        jsonl.toString(),
                        "model_path",
                        jobDir.toString(),
                        "predictions_format",
                        "csv"),
                csvOutputs);
        assertEquals("100", read(csvOutputs.get("predicted_rows")));
        Path csvDir = Path.of(csvOutputs.get("predictions"));
        assertEquals(List.of("prediction.results-00000-of-00001.csv"), names(csvDir));
        List<String> csvLines =
                Files.readAllLines(csvDir.resolve("prediction.results-00000-of-00001.csv"));
        assertEquals(101, csvLines.size());
        List<String> expectedHeader =
                new ArrayList<>(List.of(header).subList(0, header.length - 1));
        expectedHeader.add("predicted_label");
        labels.forEach(label -> expectedHeader.add("probability_" + label));
        assertEquals(String.join(",", expectedHeader), csvLines.get(0));
        // The same model on the same rows: CSV predictions equal the JSON Lines ones.
        List<String> firstJson =
                Files.readAllLines(all.resolve("prediction.results-00000-of-00001"))
                        .subList(0, 100);
        for (int i = 0; i < 100; i++) {
            JsonNode prediction = JSON.readTree(firstJson.get(i)).get("prediction");
            String[] fields = csvLines.get(i + 1).split(",");
            assertEquals(
                    prediction.get("label").asText(),
                    fields[header.length - 1],
                    "label of row " + i);
            for (int k = 0; k < labels.size(); k++) {
                assertEquals(
                        prediction.get("scores").get(k).asDouble(),
                        Double.parseDouble(fields[header.length + k]),
                        1e-12,
                        "score " + k + " of row " + i);
            }
        }
    }

    @Test
    void retrieveBestRunWritesEveryOutputForBothApis() throws Exception {
        ComponentSpec retrieve =
                ComponentSpec.read(
                        "retrieve_best_run", SPECS.resolve("retrieve_best_run/component.yaml"));
        for (String job :
                List.of("vertex/succeeded.json", "ai-platform/succeeded-unordered.json")) {
            Map<String, String> outputs = outputPaths(retrieve, tmp.resolve(job.replace('/', '-')));

            run(retrieve, Map.of("job_file", TUNING_JOBS.resolve(job).toString()), outputs);

            double metric = Double.parseDouble(read(outputs.get("metric_value")));
            assertTrue(metric > 0 && metric < 1, job + ": metric_value " + metric);
            double alpha = Double.parseDouble(read(outputs.get("alpha")));
            assertTrue(alpha >= 1e-4 && alpha <= 1e-3, job + ": alpha " + alpha);
            assertTrue(
                    Set.of("500", "1000").contains(read(outputs.get("max_iter"))),
                    job + ": max_iter");
            assertFalse(read(outputs.get("trial_id")).isBlank(), job + ": trial_id");
            JsonNode hyperparameters = JSON.readTree(read(outputs.get("hyperparameters")));
            assertEquals(alpha, hyperparameters.get("alpha").asDouble(), job);
            assertEquals(
                    read(outputs.get("max_iter")), hyperparameters.get("max_iter").asText(), job);
        }
    }

    // ---------------------------------------------------------------- the README of each component

    @ParameterizedTest
    @MethodSource("specs")
    void readmeTablesEveryInputAndOutputAndNamesTheImage(ComponentSpec spec) throws Exception {
        String readme =
                Files.readString(
                        SPECS.resolve(spec.component()).resolve("README.md"),
                        StandardCharsets.UTF_8);
        for (String port : spec.inputs().keySet()) {
            assertTrue(readme.contains("| `" + port + "` |"), "README table row of input " + port);
        }
        for (String port : spec.outputs().keySet()) {
            assertTrue(readme.contains("| `" + port + "` |"), "README table row of output " + port);
        }
        assertTrue(readme.contains(Program.of(spec.mainClass()).image), "README names the image");
        assertTrue(readme.contains("load_component"), "README shows how to load the component");
    }

    // ---------------------------------------------------------------- helpers

    /** The program a command runs: its main class, Maven module, image and subcommand spec. */
    private record Program(String mainClass, String module, String image, String subcommand) {
        static Program of(String mainClass) {
            return switch (mainClass) {
                case "dev.kfptribuo.trainer.Train" ->
                        new Program(mainClass, "trainer-image", "trainer_image", null);
                case "dev.kfptribuo.helpers.HelperComponents" ->
                        new Program(mainClass, "base-image", "base_image", "subcommand");
                default -> throw new AssertionError("no image runs main class " + mainClass);
            };
        }

        CommandSpec spec(String name) throws Exception {
            if (subcommand == null) {
                // TrainCommand is package-private: the program's own command object, made as Train
                // makes it.
                Class<?> type = Class.forName("dev.kfptribuo.trainer.TrainCommand");
                Constructor<?> constructor =
                        type.getDeclaredConstructor(PrintWriter.class, Map.class);
                constructor.setAccessible(true);
                Object command =
                        constructor.newInstance(new PrintWriter(Writer.nullWriter()), Map.of());
                return new CommandLine(command).getCommandSpec();
            }
            CommandLine sub = new CommandLine(new HelperComponents()).getSubcommands().get(name);
            return sub == null ? null : sub.getCommandSpec();
        }
    }

    private static CommandSpec commandSpec(ComponentSpec spec) throws Exception {
        Program program = Program.of(spec.mainClass());
        return program.spec(program.subcommand == null ? null : spec.entrypoint().get(1));
    }

    private static Map<String, String> outputPaths(ComponentSpec spec, Path dir) {
        // As KFP v1 lays them out: /tmp/outputs/<name>/data, parent directories not made.
        Map<String, String> paths = new LinkedHashMap<>();
        for (String output : spec.outputs().keySet()) {
            paths.put(output, dir.resolve(output).resolve("data").toString());
        }
        return paths;
    }

    /** Runs the spec's command line through the program's seam and checks it wrote every output. */
    private static void run(
            ComponentSpec spec, Map<String, String> arguments, Map<String, String> outputs)
            throws Exception {
        List<String> args = new ArrayList<>(spec.entrypoint().subList(1, spec.entrypoint().size()));
        args.addAll(spec.resolve(arguments, outputs));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        if (spec.mainClass().equals("dev.kfptribuo.trainer.Train")) {
            code =
                    Train.run(
                            args.toArray(String[]::new),
                            new PrintWriter(out),
                            new PrintWriter(err),
                            Map.of());
        } else {
            code =
                    HelperComponents.run(
                            args.toArray(String[]::new),
                            new PrintWriter(out),
                            new PrintWriter(err));
        }
        if (code != 0) {
            fail(spec + " exited " + code + " on " + args + "\nerr:\n" + err + "\nout:\n" + out);
        }
        Set<String> directories = DIRECTORY_OUTPUTS.getOrDefault(spec.component(), Set.of());
        for (Map.Entry<String, String> output : outputs.entrySet()) {
            Path path = Path.of(output.getValue());
            if (directories.contains(output.getKey())) {
                assertTrue(
                        Files.isDirectory(path) && !files(path).isEmpty(),
                        spec
                                + " wrote the files of output "
                                + output.getKey()
                                + " in "
                                + path
                                + "\nout:\n"
                                + out);
                for (Path file : files(path)) {
                    assertTrue(
                            Files.size(file) > 0,
                            spec + ": output " + output.getKey() + " has an empty " + file);
                }
            } else {
                assertTrue(
                        Files.isRegularFile(path) && Files.size(path) > 0,
                        spec
                                + " wrote output "
                                + output.getKey()
                                + " to "
                                + path
                                + "\nout:\n"
                                + out);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path file : files(dir)) {
            names.add(file.getFileName().toString());
        }
        return names;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The regular files of a directory, sorted by name; anything else in it fails. */
    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> all = entries.sorted().toList();
            for (Path entry : all) {
                assertTrue(Files.isRegularFile(entry), dir + " holds files only: " + entry);
            }
            return all;
        }
    }

    private static String read(String path) throws IOException {
        return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private static void assertParses(String type, String value, String what) {
        try {
            switch (type) {
                case "Integer" -> Long.parseLong(value);
                case "Float" -> Double.parseDouble(value);
                case "Bool" ->
                        assertTrue(Set.of("True", "False", "true", "false").contains(value), what);
                case "JsonObject", "Dict" -> assertTrue(JSON.readTree(value).isObject(), what);
                case "JsonArray", "List" -> assertTrue(JSON.readTree(value).isArray(), what);
                default -> {}
            }
        } catch (NumberFormatException | IOException e) {
            fail(what + ": '" + value + "' is not a " + type);
        }
    }

    private static boolean sameValue(String type, String specValue, String programValue) {
        if (type.equals("Integer") || type.equals("Float")) {
            return new BigDecimal(specValue).compareTo(new BigDecimal(programValue)) == 0;
        }
        return specValue.equals(programValue);
    }

    private static List<String> options(CommandSpec command) {
        List<String> names = new ArrayList<>();
        for (OptionSpec option : command.options()) {
            names.add(option.longestName());
        }
        return names;
    }

    private static org.w3c.dom.Document pom(String module) throws Exception {
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(ROOT.resolve(module).resolve("pom.xml").toFile());
    }

    /**
     * The {@code <jvmFlag>}s of the parent pom's jib-maven-plugin configuration (every image's).
     */
    private static List<String> jibJvmFlags() throws Exception {
        org.w3c.dom.NodeList nodes = pom("").getElementsByTagName("jvmFlag");
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            flags.add(nodes.item(i).getTextContent().strip());
        }
        return flags;
    }

    /**
     * The main class of the module's image: the parent's Jib {@code <mainClass>}, which is {@code
     * ${image.main.class}}, set by the module's properties.
     */
    private static String jibMainClass(String module) throws Exception {
        org.w3c.dom.NodeList nodes = pom("").getElementsByTagName("mainClass");
        assertEquals(1, nodes.getLength(), "the parent pom has one Jib <mainClass>");
        assertEquals("${image.main.class}", nodes.item(0).getTextContent().strip());
        return moduleProperty(module, "image.main.class");
    }

    /**
     * The image name of the module's Jib {@code <to><image>} (the parent's, {@code
     * ${images.registry}/${image.name}:${images.tag}}), without registry and tag.
     */
    private static String jibImageName(String module) throws Exception {
        org.w3c.dom.NodeList nodes = pom("").getElementsByTagName("to");
        assertEquals(1, nodes.getLength(), "the parent pom has one Jib <to>");
        String image =
                ((org.w3c.dom.Element) nodes.item(0))
                        .getElementsByTagName("image")
                        .item(0)
                        .getTextContent()
                        .strip();
        assertEquals("${images.registry}/${image.name}:${images.tag}", image, "Jib <to><image>");
        assertEquals("false", moduleProperty(module, "image.skip"), module + " builds its image");
        return moduleProperty(module, "image.name");
    }

    /** A property the module's own pom sets. */
    private static String moduleProperty(String module, String name) throws Exception {
        org.w3c.dom.NodeList properties = pom(module).getElementsByTagName("properties");
        assertEquals(1, properties.getLength(), module + "/pom.xml has one <properties>");
        org.w3c.dom.NodeList values =
                ((org.w3c.dom.Element) properties.item(0)).getElementsByTagName(name);
        assertEquals(1, values.getLength(), module + "/pom.xml sets " + name);
        return values.item(0).getTextContent().strip();
    }

    @Test
    void theResolverExpandsPlaceholdersAsKfpDoes() throws Exception {
        ComponentSpec retrieve =
                ComponentSpec.read(
                        "retrieve_best_run", SPECS.resolve("retrieve_best_run/component.yaml"));
        List<String> args =
                retrieve.resolve(
                        Map.of("project_id", "p", "job_id", "j"),
                        outputPaths(retrieve, Path.of("/o")));
        assertEquals(
                List.of("--project-id", "p", "--job-id", "j", "--max-retries", "5"),
                args.subList(0, 6));
        assertFalse(args.contains("--job-name"), "absent optional inputs pass nothing");
        assertNull(retrieve.inputs().get("job_id").defaultValue());
    }
}
