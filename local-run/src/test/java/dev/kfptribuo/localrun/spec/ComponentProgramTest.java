package dev.kfptribuo.localrun.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kfptribuo.componentyaml.ComponentSpec;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A component's local command line: the local launcher, then the template's program and args as KFP
 * resolves them.
 */
class ComponentProgramTest {
    private static final ProgramLauncher HELPERS =
            ProgramLauncher.onClasspath(
                    "helpers",
                    "/jdk/bin/java",
                    List.of("-XX:TieredStopAtLevel=1"),
                    "/cp/base-image.jar",
                    "dev.kfptribuo.helpers.HelperComponents");

    @TempDir Path tmp;

    @Test
    void theCommandIsTheLauncherThenTheTemplatesProgramAndResolvedArgs() throws Exception {
        ComponentSpec spec = ComponentSpec.load(ComponentProgram.RETRIEVE_BEST_RUN);
        ComponentProgram program = new ComponentProgram(spec, HELPERS);
        Map<String, Path> outputs =
                program.outputPaths(
                        Path.of("/run/3-best-run/outputs"),
                        Map.of("hyperparameters", "hyperparameters.json"));
        assertEquals(
                List.of("metric_value", "alpha", "max_iter", "trial_id", "hyperparameters"),
                List.copyOf(outputs.keySet()));
        assertEquals(
                Path.of("/run/3-best-run/outputs/hyperparameters.json"),
                outputs.get("hyperparameters"));
        assertEquals(Path.of("/run/3-best-run/outputs/alpha"), outputs.get("alpha"));

        List<String> command =
                program.command(Map.of("job_file", "/run/2-tune/job.json"), outputs, Set.of());
        List<String> expected =
                new ArrayList<>(
                        List.of(
                                "/jdk/bin/java",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                "/cp/base-image.jar",
                                "dev.kfptribuo.helpers.HelperComponents",
                                "retrieve-best-run"));
        Map<String, String> paths = new java.util.LinkedHashMap<>();
        outputs.forEach((name, path) -> paths.put(name, path.toString()));
        expected.addAll(spec.resolve(Map.of("job_file", "/run/2-tune/job.json"), paths));
        assertEquals(
                expected,
                command,
                "exactly the template's command line, as the contract tests resolve it");

        List<String> withoutAlpha =
                program.command(Map.of("job_file", "/j.json"), outputs, Set.of("alpha"));
        assertEquals(command.size() - 2, withoutAlpha.size());
        assertEquals(-1, withoutAlpha.indexOf("--alpha-output"));
        assertEquals(-1, withoutAlpha.indexOf("/run/3-best-run/outputs/alpha"));
    }

    @Test
    void theTemplatesMainClassRunsWhateverTheImagesJavaOptions() throws Exception {
        // The command as the images may give it, with other JVM options (an argfile) before the
        // classpath.
        String template =
                Files.readString(
                        Path.of("../component-yaml/evaluate_model/component.yaml"),
                        StandardCharsets.UTF_8);
        String yaml =
                template.replaceFirst(
                        "command: \\[java, [^\\n]*\\]",
                        "command: [java, '@/app/jvm-options', '-XX:Flags=/app/jvm-flags', -cp, '@/app/jib-classpath-file', "
                                + "dev.example.Other, evaluate-model]");
        assertNotEquals(template, yaml, "the template's command was replaced");
        Path file = tmp.resolve("component.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        ComponentProgram program =
                new ComponentProgram(ComponentSpec.read("evaluate_model", file), HELPERS);
        List<String> command =
                program.command(
                        Map.of("dataset_path", "/t.csv", "model_path", "/m"),
                        program.outputPaths(tmp, Map.of()),
                        Set.of());
        assertEquals(
                List.of(
                        "/jdk/bin/java",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        "/cp/base-image.jar",
                        "dev.example.Other",
                        "evaluate-model",
                        "--dataset-path",
                        "/t.csv"),
                command.subList(0, 8));
        assertEquals("dev.example.Other", program.launcher().mainClass());
    }

    @Test
    void theImagePlaceholderNamesTheModule() throws Exception {
        assertEquals(
                "trainer-image",
                ComponentProgram.module(ComponentSpec.load(ComponentProgram.TRAIN)));
        assertEquals(
                "base-image",
                ComponentProgram.module(ComponentSpec.load(ComponentProgram.RETRIEVE_BEST_RUN)));
        assertEquals(
                "base-image",
                ComponentProgram.module(ComponentSpec.load(ComponentProgram.EVALUATE_MODEL)));
        Path file = tmp.resolve("component.yaml");
        Files.writeString(
                file,
                "name: x\nimplementation:\n  container:\n    image: gcr.io/p/img:1\n    command: [java, M]\n");
        assertThrows(
                IllegalArgumentException.class,
                () -> ComponentProgram.module(ComponentSpec.read("x", file)));
    }
}
