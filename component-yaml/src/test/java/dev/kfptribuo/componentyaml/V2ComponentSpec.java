package dev.kfptribuo.componentyaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A template with its {@code v2} section, from which {@code component-yaml/generate} derives the
 * KFP v2 spec by the same rules as {@link #resolveV2}: the args without their {@code --flag
 * {outputPath: x}} pairs, then {@code v2.args}, then {@code --executor-input} and the executor
 * input; the inputs plus {@code v2.inputs}; the outputs without {@code v2.without}, plus {@code
 * v2.outputs}. The v1 part is {@link ComponentSpec}'s, the resolver the local run uses.
 */
final class V2ComponentSpec extends ComponentSpec {
    /** The v2 section: added inputs, args and outputs, and the outputs the v2 spec leaves out. */
    final Map<String, Object> v2;

    final Map<String, Port> v2Inputs = new LinkedHashMap<>();
    final Map<String, Port> v2AddedOutputs = new LinkedHashMap<>();
    final List<Object> v2Args;
    final List<String> v2Without = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private V2ComponentSpec(String component, Path file) throws IOException {
        super(component, file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        v2 = (Map<String, Object>) root().getOrDefault("v2", Map.of());
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

    static V2ComponentSpec readV2(String component, Path file) throws IOException {
        return new V2ComponentSpec(component, file);
    }

    /**
     * The v2 spec's outputs and their types: the outputs without {@code v2.without}, then {@code
     * v2.outputs}; a v1 Dataset, Model or Metrics as its {@code system.*} type.
     *
     * @return output name to type (a v1 parameter type, or {@code schemaTitle@version})
     */
    Map<String, String> v2Outputs() {
        Map<String, String> result = new LinkedHashMap<>();
        for (Port port : outputs().values()) {
            if (!v2Without.contains(port.name())) {
                String type =
                        switch (port.type()) {
                            case "Dataset", "Model", "Metrics" ->
                                    "system." + port.type() + "@0.0.1";
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
        Map<String, Port> ports = new LinkedHashMap<>(inputs());
        ports.putAll(v2Inputs);
        List<String> resolved = new ArrayList<>();
        List<Object> args = args();
        for (int i = 0; i < args.size(); i++) {
            if (outputPathPair(i) != null) {
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
}
