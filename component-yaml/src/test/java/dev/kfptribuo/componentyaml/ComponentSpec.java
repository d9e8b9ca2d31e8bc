package dev.kfptribuo.componentyaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A KFP v1 component specification ({@code component.yaml}) read with SnakeYAML, and a resolver
 * of its command-line placeholders as KFP resolves them: {@code inputValue}, {@code outputPath},
 * {@code concat} and {@code if} on {@code isPresent}, the only condition KFP SDK 2.x keeps.
 *
 * <p>And its {@code v2} section, from which {@code component-yaml/generate} derives the KFP v2 spec
 * by the same rules as {@link #resolveV2}: the args without their {@code --flag {outputPath: x}}
 * pairs, then {@code v2.args}, then {@code --executor-input} and the executor input; the inputs
 * plus {@code v2.inputs}; the outputs without {@code v2.without}, plus {@code v2.outputs}.
 */
final class ComponentSpec {
    /** One input or output: name, type, description, and for inputs default and optional. */
    record Port(String name, String type, String description, String defaultValue, boolean optional,
            Map<String, Object> raw) {}

    final String component;
    final Path file;
    final Map<String, Object> root;
    final Map<String, Port> inputs = new LinkedHashMap<>();
    final Map<String, Port> outputs = new LinkedHashMap<>();
    final Map<String, Object> container;
    final List<String> command;
    final List<Object> args;
    /** The v2 section: added inputs, args and outputs, and the outputs the v2 spec leaves out. */
    final Map<String, Object> v2;
    final Map<String, Port> v2Inputs = new LinkedHashMap<>();
    final Map<String, Port> v2AddedOutputs = new LinkedHashMap<>();
    final List<Object> v2Args;
    final List<String> v2Without = new ArrayList<>();

    @SuppressWarnings("unchecked")
    ComponentSpec(String component, Path file) throws IOException {
        this.component = component;
        this.file = file;
        Object loaded = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(file, StandardCharsets.UTF_8));
        if (!(loaded instanceof Map)) {
            throw new IllegalArgumentException(file + ": not a mapping");
        }
        root = (Map<String, Object>) loaded;
        for (Object port : list(root.get("inputs"))) {
            Port p = port((Map<String, Object>) port);
            inputs.put(p.name(), p);
        }
        for (Object port : list(root.get("outputs"))) {
            Port p = port((Map<String, Object>) port);
            outputs.put(p.name(), p);
        }
        Map<String, Object> implementation = (Map<String, Object>) root.getOrDefault("implementation", Map.of());
        container = (Map<String, Object>) implementation.getOrDefault("container", Map.of());
        command = new ArrayList<>();
        for (Object part : list(container.get("command"))) {
            command.add(String.valueOf(part));
        }
        args = new ArrayList<>(list(container.get("args")));
        v2 = (Map<String, Object>) root.getOrDefault("v2", Map.of());
        for (Object port : list(v2.get("inputs"))) {
            Port p = port((Map<String, Object>) port);
            v2Inputs.put(p.name(), p);
        }
        for (Object port : list(v2.get("outputs"))) {
            Port p = port((Map<String, Object>) port);
            v2AddedOutputs.put(p.name(), p);
        }
        v2Args = new ArrayList<>(list(v2.get("args")));
        for (Object name : list(v2.get("without"))) {
            v2Without.add(String.valueOf(name));
        }
    }

    /**
     * The v2 spec's outputs and their types: the outputs without {@code v2.without}, then
     * {@code v2.outputs}; a v1 Dataset, Model or Metrics as its {@code system.*} type.
     *
     * @return output name to type (a v1 parameter type, or {@code schemaTitle@version})
     */
    Map<String, String> v2Outputs() {
        Map<String, String> result = new LinkedHashMap<>();
        for (Port port : outputs.values()) {
            if (!v2Without.contains(port.name())) {
                String type = switch (port.type()) {
                    case "Dataset", "Model", "Metrics" -> "system." + port.type() + "@0.0.1";
                    default -> port.type();
                };
                result.put(port.name(), type);
            }
        }
        for (Port port : v2AddedOutputs.values()) {
            result.put(port.name(), port.type());
        }
        return result;
    }

    /**
     * Resolves the v2 spec's args as KFP does: those of the v1 spec without the outputPath pairs,
     * then {@code v2.args}, then {@code --executor-input} and the executor input's JSON.
     *
     * @param arguments input name (of the inputs and {@code v2.inputs}) to value
     * @param executorInput the JSON KFP puts in place of {@code {{$}}}
     * @return the command-line arguments after the command
     */
    List<String> resolveV2(Map<String, String> arguments, String executorInput) {
        Map<String, Port> ports = new LinkedHashMap<>(inputs);
        ports.putAll(v2Inputs);
        List<String> resolved = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i) instanceof String flag && flag.startsWith("--") && i + 1 < args.size()
                    && args.get(i + 1) instanceof Map<?, ?> next && next.containsKey("outputPath")) {
                i++;
                continue;
            }
            expand(args.get(i), ports, arguments, Map.of(), resolved::add);
        }
        for (Object part : v2Args) {
            expand(part, ports, arguments, Map.of(), resolved::add);
        }
        resolved.add("--executor-input");
        resolved.add(executorInput);
        return resolved;
    }

    private static Port port(Map<String, Object> map) {
        Object def = map.get("default");
        return new Port((String) map.get("name"), (String) map.get("type"), (String) map.get("description"),
                def == null ? null : def.toString(), Boolean.TRUE.equals(map.get("optional")), map);
    }

    static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }

    String name() {
        return (String) root.get("name");
    }

    String description() {
        return (String) root.get("description");
    }

    String image() {
        return (String) container.get("image");
    }

    /**
     * Resolves the args as KFP does for one set of arguments.
     *
     * @param arguments input name to value; inputs not given take their default, if any
     * @param outputPaths output name to the path the step writes
     * @return the command-line arguments after the command
     */
    List<String> resolve(Map<String, String> arguments, Map<String, String> outputPaths) {
        List<String> resolved = new ArrayList<>();
        for (Object part : args) {
            expand(part, inputs, arguments, outputPaths, resolved::add);
        }
        return resolved;
    }

    @SuppressWarnings("unchecked")
    private void expand(Object part, Map<String, Port> ports, Map<String, String> arguments,
            Map<String, String> outputPaths, Consumer<String> sink) {
        if (part instanceof String || part instanceof Number || part instanceof Boolean) {
            sink.accept(part.toString());
            return;
        }
        Map<String, Object> placeholder = (Map<String, Object>) part;
        if (placeholder.size() != 1) {
            throw new IllegalArgumentException(file + ": a placeholder has one key: " + placeholder);
        }
        Map.Entry<String, Object> entry = placeholder.entrySet().iterator().next();
        switch (entry.getKey()) {
            case "inputValue" -> sink.accept(value((String) entry.getValue(), ports, arguments));
            case "outputPath" -> {
                String path = outputPaths.get((String) entry.getValue());
                if (path == null) {
                    throw new IllegalArgumentException(file + ": no path for output " + entry.getValue());
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
                    throw new IllegalArgumentException(file + ": KFP SDK 2.x supports only isPresent: " + cond);
                }
                boolean present = arguments.containsKey(input);
                for (Object item : list(branch.get(present ? "then" : "else"))) {
                    expand(item, ports, arguments, outputPaths, sink);
                }
            }
            default -> throw new IllegalArgumentException(file + ": unsupported placeholder " + entry.getKey());
        }
    }

    private String value(String input, Map<String, Port> ports, Map<String, String> arguments) {
        Port port = ports.get(input);
        if (port == null) {
            throw new IllegalArgumentException(file + ": inputValue of an undeclared input " + input);
        }
        String value = arguments.getOrDefault(input, port.defaultValue());
        if (value == null) {
            throw new IllegalArgumentException(file + ": input " + input + " has no argument and no default");
        }
        return value;
    }

    /** Visits every part of the args: each string, each placeholder, and whether it is inside an {@code if}. */
    void visit(PartVisitor visitor) {
        for (Object part : args) {
            visit(part, null, visitor);
        }
    }

    @SuppressWarnings("unchecked")
    private void visit(Object part, String presentInput, PartVisitor visitor) {
        visitor.visit(part, presentInput);
        if (part instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<String, Object> entry = ((Map<String, Object>) map).entrySet().iterator().next();
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
    interface PartVisitor {
        void visit(Object part, String guardedBy);
    }

    /**
     * The flags of the args in order, each with the input guarding it (null when passed always).
     *
     * @return flag and guard pairs
     */
    List<Map.Entry<String, String>> flags() {
        List<Map.Entry<String, String>> flags = new ArrayList<>();
        visit((part, guard) -> {
            if (part instanceof String text && text.startsWith("--")) {
                flags.add(new java.util.AbstractMap.SimpleEntry<>(text, guard));
            }
        });
        return flags;
    }

    @Override
    public String toString() {
        return component;
    }
}
