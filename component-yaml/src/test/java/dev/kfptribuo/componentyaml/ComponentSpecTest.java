package dev.kfptribuo.componentyaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The resolver on small specs of its own: each placeholder as KFP resolves it, and the entrypoint.
 */
class ComponentSpecTest {
    private static final String SPEC =
            String.join(
                    "\n",
                    "name: Example",
                    "inputs:",
                    "- {name: path, type: String}",
                    "- {name: rate, type: Float, default: 0.5}",
                    "- {name: count, type: Integer, default: 3}",
                    "- {name: extra, type: String, optional: true}",
                    "outputs:",
                    "- {name: result, type: Float}",
                    "- {name: report, type: String}",
                    "implementation:",
                    "  container:",
                    "    image: '{{image:base_image}}'",
                    "    command: [java, -cp, '@/app/jib-classpath-file', dev.example.Main, run]",
                    "    args:",
                    "    - --path",
                    "    - {inputValue: path}",
                    "    - --rate",
                    "    - {inputValue: rate}",
                    "    - {concat: [--count=, {inputValue: count}]}",
                    "    - if:",
                    "        cond: {isPresent: extra}",
                    "        then: [--extra, {inputValue: extra}]",
                    "        else: [--no-extra]",
                    "    - --result-output",
                    "    - {outputPath: result}",
                    "    - --report-output",
                    "    - {outputPath: report}",
                    "v2:",
                    "  args: [--v2-only]",
                    "");

    private static ComponentSpec spec(String yaml) {
        return new ComponentSpec("example", "example/component.yaml", yaml);
    }

    private static final Map<String, String> OUTPUTS =
            Map.of("result", "/o/result", "report", "/o/report");

    @Test
    void inputsTakeTheirArgumentOrDefaultAndOutputsTheirPath() {
        ComponentSpec spec = spec(SPEC);
        assertEquals(
                List.of(
                        "--path",
                        "/data.csv",
                        "--rate",
                        "0.5",
                        "--count=3",
                        "--no-extra",
                        "--result-output",
                        "/o/result",
                        "--report-output",
                        "/o/report"),
                spec.resolve(Map.of("path", "/data.csv"), OUTPUTS));
        assertEquals(
                List.of(
                        "--path",
                        "p",
                        "--rate",
                        "0.1",
                        "--count=7",
                        "--extra",
                        "x",
                        "--result-output",
                        "/o/result",
                        "--report-output",
                        "/o/report"),
                spec.resolve(
                        Map.of("path", "p", "rate", "0.1", "count", "7", "extra", "x"), OUTPUTS));
        assertEquals(
                List.of("path", "rate", "count", "extra"), List.copyOf(spec.inputs().keySet()));
        assertEquals("0.5", spec.inputs().get("rate").defaultValue());
        assertTrue(spec.inputs().get("extra").optional());
        // Inside a concat too: the words of its literal parts.
        assertEquals(
                List.of(
                        "--path",
                        "--rate",
                        "--count=",
                        "--extra",
                        "--no-extra",
                        "--result-output",
                        "--report-output"),
                spec.flags().stream().map(Map.Entry::getKey).toList());
        assertEquals(
                "extra", spec.flags().get(3).getValue(), "--extra is guarded by extra's presence");
        assertEquals(null, spec.flags().get(4).getValue(), "the else branch is guarded by nothing");
    }

    @Test
    void anInputWithoutValueOrAnOutputWithoutPathFails() {
        ComponentSpec spec = spec(SPEC);
        IllegalArgumentException noInput =
                assertThrows(IllegalArgumentException.class, () -> spec.resolve(Map.of(), OUTPUTS));
        assertEquals(
                "example/component.yaml: input path has no argument and no default",
                noInput.getMessage());
        IllegalArgumentException noPath =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> spec.resolve(Map.of("path", "p"), Map.of("result", "/o/result")));
        assertEquals("example/component.yaml: no path for output report", noPath.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        spec(SPEC.replace("isPresent: extra", "isPresent: extra, x: 1"))
                                .resolve(Map.of("path", "p"), OUTPUTS));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        spec(SPEC.replace("{inputValue: rate}", "{inputPath: rate}"))
                                .resolve(Map.of("path", "p"), OUTPUTS));
    }

    @Test
    void anOmittedOutputLosesItsFlagAndPath() {
        ComponentSpec spec = spec(SPEC);
        assertEquals(
                List.of(
                        "--path",
                        "p",
                        "--rate",
                        "0.5",
                        "--count=3",
                        "--no-extra",
                        "--report-output",
                        "/o/report"),
                spec.resolve(Map.of("path", "p"), Map.of("report", "/o/report"), Set.of("result")));
        assertThrows(
                IllegalArgumentException.class,
                () -> spec.resolve(Map.of("path", "p"), OUTPUTS, Set.of("no_such_output")));
        // Only a --flag {outputPath: x} pair can be dropped whole.
        ComponentSpec concat =
                spec(
                        SPEC.replace(
                                "    - --report-output\n    - {outputPath: report}",
                                "    - {concat: [--report-output=, {outputPath: report}]}"));
        assertThrows(
                IllegalArgumentException.class,
                () -> concat.resolve(Map.of("path", "p"), OUTPUTS, Set.of("report")));
    }

    @Test
    void theEntrypointIsTheMainClassAndWhatFollowsWhateverTheJavaOptions() {
        assertEquals(List.of("dev.example.Main", "run"), spec(SPEC).entrypoint());
        assertEquals("dev.example.Main", spec(SPEC).mainClass());
        for (String command :
                List.of(
                        "[java, '@/app/jvm-options', -cp, '@/app/jib-classpath-file', dev.example.Main, run]",
                        "[java, -Dx=y, -XX:+UseSerialGC, --class-path, a.jar, dev.example.Main, run]",
                        "[/opt/java/bin/java, --add-opens, java.base/java.lang=ALL-UNNAMED, dev.example.Main, run]")) {
            assertEquals(
                    List.of("dev.example.Main", "run"),
                    spec(SPEC.replace(
                                    "[java, -cp, '@/app/jib-classpath-file', dev.example.Main, run]",
                                    command))
                            .entrypoint(),
                    command);
        }
        for (String command :
                List.of("[java, -jar, app.jar]", "[java, -cp, x]", "[python3, main.py]")) {
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            spec(SPEC.replace(
                                            "[java, -cp, '@/app/jib-classpath-file', dev.example.Main, run]",
                                            command))
                                    .entrypoint(),
                    command);
        }
    }

    @Test
    void thePackagedTemplatesAreTheCheckedInFiles() throws Exception {
        Path specs = Path.of("").toAbsolutePath();
        for (String component :
                List.of("train", "retrieve_best_run", "evaluate_model", "batch_predict")) {
            ComponentSpec packaged = ComponentSpec.load(component);
            ComponentSpec checkedIn =
                    ComponentSpec.read(
                            component, specs.resolve(component).resolve("component.yaml"));
            assertEquals(checkedIn.root(), packaged.root(), component);
            assertEquals("component-yaml/" + component + "/component.yaml", packaged.source());
        }
        assertThrows(FileNotFoundException.class, () -> ComponentSpec.load("no_such_component"));
        Map<String, String> arguments = new LinkedHashMap<>();
        arguments.put("job_file", "/job.json");
        ComponentSpec retrieve = ComponentSpec.load("retrieve_best_run");
        assertEquals(
                List.of("dev.kfptribuo.helpers.HelperComponents", "retrieve-best-run"),
                retrieve.entrypoint());
        assertEquals(
                List.of("--job-file", "/job.json", "--max-retries", "5"),
                retrieve.resolve(arguments, Map.of(), retrieve.outputs().keySet()));
    }
}
