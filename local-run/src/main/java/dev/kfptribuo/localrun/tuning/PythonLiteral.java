package dev.kfptribuo.localrun.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads the tuning spec the lab's pipeline passes ({@code hypertune_settings}): JSON written as a
 * Python literal, so it may hold {@code True}, {@code False} and {@code None}.
 *
 * <p>In the cloud, KFP's {@code ml_engine/train} component receives it as a command-line string
 * that Python Fire evaluates as a literal. Here it is read with SnakeYAML: a YAML 1.1 flow mapping
 * is a superset of JSON in which {@code True} and {@code False} are booleans and single-quoted
 * strings are allowed; {@code None} is added as a null. Python forms YAML lacks (tuples, string
 * prefixes, implicit concatenation) are not accepted; errors name the line and column.
 */
public final class PythonLiteral {
    private static final Pattern PYTHON_NONE = Pattern.compile("^None$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PythonLiteral() {}

    /**
     * @param text the literal, e.g. {@code {"hyperparameters": {"enableTrialEarlyStopping": True}}}
     * @param origin where it came from, for error messages
     * @return it as a Jackson tree
     * @throws IllegalArgumentException naming the origin, line and column if it cannot be read
     */
    public static JsonNode parse(String text, String origin) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(origin + ": empty tuning spec");
        }
        Object value;
        try {
            value = yaml().load(text);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            String where =
                    mark == null
                            ? ""
                            : ": line "
                                    + (mark.getLine() + 1)
                                    + ", column "
                                    + (mark.getColumn() + 1);
            throw new IllegalArgumentException(origin + where + ": " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
        }
        return JSON.valueToTree(value);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(
                true); // a repeated key keeps its last value, as in a Python dict
        Resolver resolver = new Resolver();
        resolver.addImplicitResolver(Tag.NULL, PYTHON_NONE, "N");
        return new Yaml(
                new SafeConstructor(options),
                new Representer(new DumperOptions()),
                new DumperOptions(),
                options,
                resolver);
    }
}
