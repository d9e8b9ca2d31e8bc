package dev.kfptribuo.componentyaml;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A KFP v1 component specification ({@code component.yaml}) read with SnakeYAML, and a resolver of
 * its command-line placeholders as KFP resolves them: {@code inputValue}, {@code outputPath},
 * {@code concat} and {@code if} on {@code isPresent}, the only condition KFP SDK 2.x keeps.
 *
 * <p>The one reader of the templates: the contract tests run the programs on the command lines it
 * resolves, and the local pipeline ({@code bin/continuous-training}) starts each component's step
 * with them, so both run what KFP runs. The templates are packaged in this module's jar as {@code
 * component-yaml/<name>/component.yaml} ({@link #load}). A template's top-level {@code v2} section
 * (the KFP v2 spec's additions, read by {@code component-yaml/generate}) is kept in {@link #root()}
 * and otherwise ignored here.
 */
public class ComponentSpec {
    /**
     * The classpath folder of the packaged templates, {@code component-yaml/<name>/component.yaml}.
     */
    public static final String RESOURCE_FOLDER = "component-yaml";

    /** Options of the {@code java} launcher that take the next word as their value. */
    private static final Set<String> JAVA_OPTIONS_WITH_VALUE =
            Set.of(
                    "-cp",
                    "-classpath",
                    "--class-path",
                    "-p",
                    "--module-path",
                    "--upgrade-module-path",
                    "--add-modules",
                    "--limit-modules",
                    "--add-reads",
                    "--add-exports",
                    "--add-opens",
                    "--patch-module",
                    "--enable-native-access");

    /**
     * One input or output: name, type, description, and for inputs default and optional.
     *
     * @param name the port's name
     * @param type its KFP type
     * @param description its description
     * @param defaultValue an input's default as text, or null
     * @param optional whether an input is optional
     * @param raw the port's YAML mapping
     */
    public record Port(
            String name,
            String type,
            String description,
            String defaultValue,
            boolean optional,
            Map<String, Object> raw) {}

    private final String component;
    private final String source;
    private final Map<String, Object> root;
    private final Map<String, Port> inputs = new LinkedHashMap<>();
    private final Map<String, Port> outputs = new LinkedHashMap<>();
    private final Map<String, Object> container;
    private final List<String> command;
    private final List<Object> args;

    /**
     * @param component the component's folder name, e.g. {@code train}
     * @param source where the text comes from, for messages
     * @param yaml the {@code component.yaml} text
     * @throws IllegalArgumentException if the text is not a YAML mapping
     */
    @SuppressWarnings("unchecked")
    protected ComponentSpec(String component, String source, String yaml) {
        this.component = component;
        this.source = source;
        Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        if (!(loaded instanceof Map)) {
            throw new IllegalArgumentException(source + ": not a mapping");
        }
        root = Collections.unmodifiableMap((Map<String, Object>) loaded);
        for (Object port : list(root.get("inputs"))) {
            Port p = port((Map<String, Object>) port);
            inputs.put(p.name(), p);
        }
        for (Object port : list(root.get("outputs"))) {
            Port p = port((Map<String, Object>) port);
            outputs.put(p.name(), p);
        }
        Map<String, Object> implementation =
                (Map<String, Object>) root.getOrDefault("implementation", Map.of());
        container = (Map<String, Object>) implementation.getOrDefault("container", Map.of());
        List<String> words = new ArrayList<>();
        for (Object part : list(container.get("command"))) {
            words.add(String.valueOf(part));
        }
        command = List.copyOf(words);
        args = Collections.unmodifiableList(new ArrayList<>(list(container.get("args"))));
    }

    /**
     * @param component the component's folder name
     * @param file its {@code component.yaml}
     * @return the spec
     * @throws IOException if the file cannot be read
     */
    public static ComponentSpec read(String component, Path file) throws IOException {
        return new ComponentSpec(
                component, file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * The packaged template of a component: {@code component-yaml/<component>/component.yaml} on
     * the classpath (this module's jar), the checked-in file as the build copied it.
     *
     * @param component the component's folder name, e.g. {@code retrieve_best_run}
     * @return the spec
     * @throws IOException if there is no such template on the classpath or it cannot be read
     */
    public static ComponentSpec load(String component) throws IOException {
        String resource = RESOURCE_FOLDER + "/" + component + "/component.yaml";
        ClassLoader loader = ComponentSpec.class.getClassLoader();
        try (InputStream in = loader == null ? null : loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new FileNotFoundException(
                        resource + ": no such template on the classpath (the component-yaml jar)");
            }
            return new ComponentSpec(
                    component, resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * @param map a port's YAML mapping
     * @return the port
     */
    protected static Port port(Map<String, Object> map) {
        Object def = map.get("default");
        return new Port(
                (String) map.get("name"),
                (String) map.get("type"),
                (String) map.get("description"),
                def == null ? null : def.toString(),
                Boolean.TRUE.equals(map.get("optional")),
                map);
    }

    /**
     * @param value a YAML sequence or null
     * @return it as a list, empty for null
     */
    public static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }

    /**
     * @return the component's folder name, e.g. {@code train}
     */
    public String component() {
        return component;
    }

    /**
     * @return where the spec was read from
     */
    public String source() {
        return source;
    }

    /**
     * @return the whole YAML document
     */
    public Map<String, Object> root() {
        return root;
    }

    /**
     * @return the inputs by name, in spec order
     */
    public Map<String, Port> inputs() {
        return Collections.unmodifiableMap(inputs);
    }

    /**
     * @return the outputs by name, in spec order
     */
    public Map<String, Port> outputs() {
        return Collections.unmodifiableMap(outputs);
    }

    /**
     * @return the container's {@code command}
     */
    public List<String> command() {
        return command;
    }

    /**
     * @return the container's {@code args}, strings and placeholders as YAML read them
     */
    public List<Object> args() {
        return args;
    }

    /**
     * @return the spec's {@code name}
     */
    public String name() {
        return (String) root.get("name");
    }

    /**
     * @return the spec's {@code description}
     */
    public String description() {
        return (String) root.get("description");
    }

    /**
     * @return the container's {@code image}
     */
    public String image() {
        return (String) container.get("image");
    }

    /**
     * The program the command starts, without the {@code java} launcher and its options: the main
     * class and the words after it (a subcommand). The launcher's options ({@code
     * -cp @/app/jib-classpath-file}, an argfile {@code @/app/jvm-options}, {@code -Dname=value},
     * ...) are the image's business; a local run starts the same main class with its own launcher.
     *
     * @return the main class, then the words that follow it
     * @throws IllegalArgumentException if the command is not {@code java [options] MAIN_CLASS
     *     [words]}
     */
    public List<String> entrypoint() {
        if (command.isEmpty()
                || !(command.get(0).equals("java") || command.get(0).endsWith("/java"))) {
            throw new IllegalArgumentException(
                    source + ": the command does not start java: " + command);
        }
        for (int i = 1; i < command.size(); i++) {
            String word = command.get(i);
            if (word.equals("-jar")
                    || word.equals("-m")
                    || word.equals("--module")
                    || word.startsWith("--module=")) {
                throw new IllegalArgumentException(
                        source + ": the command starts no main class (" + word + "): " + command);
            }
            if (JAVA_OPTIONS_WITH_VALUE.contains(word)) {
                i++;
            } else if (!word.startsWith("-") && !word.startsWith("@")) {
                return command.subList(i, command.size());
            }
        }
        throw new IllegalArgumentException(
                source + ": the command names no main class: " + command);
    }

    /**
     * @return the main class the command starts ({@link #entrypoint()}'s first word)
     */
    public String mainClass() {
        return entrypoint().get(0);
    }

    /**
     * Resolves the args as KFP does for one set of arguments.
     *
     * @param arguments input name to value; inputs not given take their default, if any
     * @param outputPaths output name to the path the step writes
     * @return the command-line arguments after the command
     * @throws IllegalArgumentException if an input has no value or an output no path
     */
    public List<String> resolve(Map<String, String> arguments, Map<String, String> outputPaths) {
        return resolve(arguments, outputPaths, Set.of());
    }

    /**
     * Resolves the args as KFP does, leaving out some outputs: the {@code --flag {outputPath:
     * name}} pair of each is dropped (the rule by which the KFP v2 spec drops them all). KFP itself
     * always passes every output; a caller that leaves one out says why.
     *
     * @param arguments input name to value; inputs not given take their default, if any
     * @param outputPaths output name to the path the step writes, for every output not left out
     * @param omittedOutputs outputs whose flag and path are not passed
     * @return the command-line arguments after the command
     * @throws IllegalArgumentException if an input has no value, an output no path, or an omitted
     *     output is not passed by a {@code --flag {outputPath: name}} pair of the top-level args
     */
    public List<String> resolve(
            Map<String, String> arguments,
            Map<String, String> outputPaths,
            Set<String> omittedOutputs) {
        for (String omitted : omittedOutputs) {
            if (!outputs.containsKey(omitted)) {
                throw new IllegalArgumentException(
                        source + ": no output " + omitted + " to leave out");
            }
        }
        List<String> resolved = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String pairOutput = outputPathPair(i);
            if (pairOutput != null && omittedOutputs.contains(pairOutput)) {
                dropped.add(pairOutput);
                i++;
                continue;
            }
            expand(args.get(i), inputs, arguments, outputPaths, resolved::add);
        }
        if (dropped.size() != omittedOutputs.size()) {
            List<String> missing = new ArrayList<>(omittedOutputs);
            missing.removeAll(dropped);
            throw new IllegalArgumentException(
                    source
                            + ": output(s) "
                            + missing
                            + " are not passed as a --flag {outputPath: name} pair, so they cannot be left out");
        }
        return resolved;
    }

    /**
     * @param i an index into the args
     * @return the output whose path the pair at {@code i} passes ({@code --flag}, then {@code
     *     {outputPath: name}}), or null if there is no such pair there
     */
    protected String outputPathPair(int i) {
        if (args.get(i) instanceof String flag
                && flag.startsWith("--")
                && i + 1 < args.size()
                && args.get(i + 1) instanceof Map<?, ?> next
                && next.size() == 1
                && next.get("outputPath") instanceof String name) {
            return name;
        }
        return null;
    }

    /**
     * Expands one part of the args into words.
     *
     * @param part a string, number, boolean or placeholder
     * @param ports the inputs an {@code inputValue} may name
     * @param arguments input name to value
     * @param outputPaths output name to path
     * @param sink receives each word
     * @throws IllegalArgumentException on a placeholder KFP does not resolve, an input with no
     *     value or an output with no path
     */
    @SuppressWarnings("unchecked")
    protected void expand(
            Object part,
            Map<String, Port> ports,
            Map<String, String> arguments,
            Map<String, String> outputPaths,
            Consumer<String> sink) {
        if (part instanceof String || part instanceof Number || part instanceof Boolean) {
            sink.accept(part.toString());
            return;
        }
        if (!(part instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(source + ": not a string or placeholder: " + part);
        }
        Map<String, Object> placeholder = (Map<String, Object>) part;
        if (placeholder.size() != 1) {
            throw new IllegalArgumentException(
                    source + ": a placeholder has one key: " + placeholder);
        }
        Map.Entry<String, Object> entry = placeholder.entrySet().iterator().next();
        switch (entry.getKey()) {
            case "inputValue" -> sink.accept(value((String) entry.getValue(), ports, arguments));
            case "outputPath" -> {
                String path = outputPaths.get((String) entry.getValue());
                if (path == null) {
                    throw new IllegalArgumentException(
                            source + ": no path for output " + entry.getValue());
                }
                sink.accept(path);
            }
            case "concat" -> {
                StringBuilder text = new StringBuilder();
                for (Object item : list(entry.getValue())) {
                    expand(item, ports, arguments, outputPaths, text::append);
                }
                sink.accept(text.toString());
            }
            case "if" -> {
                Map<String, Object> branch = (Map<String, Object>) entry.getValue();
                Map<String, Object> cond = (Map<String, Object>) branch.get("cond");
                String input = (String) cond.get("isPresent");
                if (cond.size() != 1 || input == null) {
                    throw new IllegalArgumentException(
                            source + ": KFP SDK 2.x supports only isPresent: " + cond);
                }
                boolean present = arguments.containsKey(input);
                for (Object item : list(branch.get(present ? "then" : "else"))) {
                    expand(item, ports, arguments, outputPaths, sink);
                }
            }
            default ->
                    throw new IllegalArgumentException(
                            source + ": unsupported placeholder " + entry.getKey());
        }
    }

    private String value(String input, Map<String, Port> ports, Map<String, String> arguments) {
        Port port = ports.get(input);
        if (port == null) {
            throw new IllegalArgumentException(
                    source + ": inputValue of an undeclared input " + input);
        }
        String value = arguments.getOrDefault(input, port.defaultValue());
        if (value == null) {
            throw new IllegalArgumentException(
                    source + ": input " + input + " has no argument and no default");
        }
        return value;
    }

    /**
     * Visits every part of the args: each string, each placeholder, and whether it is inside an
     * {@code if}.
     *
     * @param visitor sees each part
     */
    public void visit(PartVisitor visitor) {
        for (Object part : args) {
            visit(part, null, visitor);
        }
    }

    @SuppressWarnings("unchecked")
    private void visit(Object part, String presentInput, PartVisitor visitor) {
        visitor.visit(part, presentInput);
        if (part instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<String, Object> entry =
                    ((Map<String, Object>) map).entrySet().iterator().next();
            if (entry.getKey().equals("concat")) {
                for (Object item : list(entry.getValue())) {
                    visit(item, presentInput, visitor);
                }
            } else if (entry.getKey().equals("if")) {
                Map<String, Object> branch = (Map<String, Object>) entry.getValue();
                String input = (String) ((Map<String, Object>) branch.get("cond")).get("isPresent");
                for (Object item : list(branch.get("then"))) {
                    visit(item, input, visitor);
                }
                for (Object item : list(branch.get("else"))) {
                    visit(item, presentInput, visitor);
                }
            }
        }
    }

    /** Sees one part of the args and the input whose presence guards it (null at the top level). */
    public interface PartVisitor {
        /**
         * @param part a string or placeholder of the args
         * @param guardedBy the input whose presence guards it, or null
         */
        void visit(Object part, String guardedBy);
    }

    /**
     * The flags of the args in order, each with the input guarding it (null when passed always).
     *
     * @return flag and guard pairs
     */
    public List<Map.Entry<String, String>> flags() {
        List<Map.Entry<String, String>> flags = new ArrayList<>();
        visit(
                (part, guard) -> {
                    if (part instanceof String text && text.startsWith("--")) {
                        flags.add(new AbstractMap.SimpleEntry<>(text, guard));
                    }
                });
        return flags;
    }

    @Override
    public String toString() {
        return component;
    }
}
