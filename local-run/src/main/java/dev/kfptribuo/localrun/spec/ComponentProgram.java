package dev.kfptribuo.localrun.spec;

import dev.kfptribuo.componentyaml.ComponentSpec;
import dev.kfptribuo.localrun.launch.ProgramLauncher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A component of the lab's pipeline as the local run starts it: the command line of its template
 * ({@code component-yaml/<name>/component.yaml}, packaged in the component-yaml jar), resolved by
 * the contract tests' {@link ComponentSpec} for the step's arguments and output paths, started with
 * the local launcher of the image the template names. The template's {@code java} options are the
 * image's; locally the main class and what follows it ({@link ComponentSpec#entrypoint()}) run with
 * the launcher's JVM options and classpath.
 */
public final class ComponentProgram {
    /** The trainer's template. */
    public static final String TRAIN = "train";

    /** The best trial's template. */
    public static final String RETRIEVE_BEST_RUN = "retrieve_best_run";

    /** The evaluation's template. */
    public static final String EVALUATE_MODEL = "evaluate_model";

    private static final Pattern IMAGE_PLACEHOLDER = Pattern.compile("\\{\\{image:([a-z_]+)}}");

    private final ComponentSpec spec;
    private final ProgramLauncher launcher;

    /**
     * @param spec the template
     * @param launcher the local launcher of its image's programs (its main class is the template's)
     */
    public ComponentProgram(ComponentSpec spec, ProgramLauncher launcher) {
        this.spec = spec;
        this.launcher = launcher.withMainClass(spec.mainClass());
    }

    /**
     * The Maven module that builds the image a template runs, as {@code component-yaml/generate}
     * finds it: {@code {{image:trainer_image}}} is {@code trainer-image}'s.
     *
     * @param spec a template
     * @return the module directory's name
     * @throws IllegalArgumentException if the template's image is not a placeholder
     */
    public static String module(ComponentSpec spec) {
        Matcher m = IMAGE_PLACEHOLDER.matcher(String.valueOf(spec.image()));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    spec.source()
                            + ": the image '"
                            + spec.image()
                            + "' is not a {{image:<module>}} placeholder, so no module of this build runs it");
        }
        return m.group(1).replace('_', '-');
    }

    /**
     * @return the template
     */
    public ComponentSpec spec() {
        return spec;
    }

    /**
     * @return the launcher, starting the template's main class
     */
    public ProgramLauncher launcher() {
        return launcher;
    }

    /**
     * Where each output goes in a step's directory: {@code outputs/<name>}, or the file name given.
     *
     * @param outputsDir the step's {@code outputs} directory
     * @param fileNames output name to a file name other than the output's name
     * @return output name to path, for every output of the template, in its order
     */
    public Map<String, Path> outputPaths(Path outputsDir, Map<String, String> fileNames) {
        Map<String, Path> paths = new LinkedHashMap<>();
        for (String output : spec.outputs().keySet()) {
            paths.put(output, outputsDir.resolve(fileNames.getOrDefault(output, output)));
        }
        return paths;
    }

    /**
     * The whole command line of one step.
     *
     * @param arguments input name to value, as the pipeline passes them (inputs not given take
     *     their default, optional ones are left out)
     * @param outputs output name to the file the program writes
     * @param omitted outputs the step does not take, whose {@code --flag} and path are left out
     * @return the command line: the launcher's java, JVM options and classpath, the template's main
     *     class and what follows it, then the template's args resolved
     * @throws IllegalArgumentException if an input has no value or an output no path
     */
    public List<String> command(
            Map<String, String> arguments, Map<String, Path> outputs, Set<String> omitted) {
        Map<String, String> paths = new LinkedHashMap<>();
        outputs.forEach(
                (name, path) -> {
                    if (!omitted.contains(name)) {
                        paths.put(name, path.toString());
                    }
                });
        List<String> entrypoint = spec.entrypoint();
        List<String> args = new ArrayList<>(entrypoint.subList(1, entrypoint.size()));
        args.addAll(spec.resolve(arguments, paths, omitted));
        return launcher.command(args);
    }
}
