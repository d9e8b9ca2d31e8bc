package dev.kfptribuo.prediction;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kfptribuo.data.NumericCells;
import java.util.List;

/**
 * Reads prediction instances in the shapes Vertex AI sends them (JSON Lines batch input, online
 * {@code {"instances": [...]}} requests) into a {@link Predictor}'s row.
 *
 * <ul>
 *   <li>An object maps column names to values, as JSON Lines and BigQuery rows send it; keys the
 *       model does not use are ignored.
 *   <li>An array holds the values in the model's {@link Predictor#inputColumns() input column
 *       order}, the training data's column order; it must have exactly that many values.
 * </ul>
 *
 * A numeric value is a JSON number or a string holding a decimal number ({@link NumericCells}); a
 * categorical value is a string, or a number or boolean taken as its JSON text. A missing or null
 * value, or one of another kind, makes the instance unusable.
 */
public final class Instances {
    private final Predictor predictor;
    private final int[] numericPosition;
    private final int[] categoricalPosition;

    /**
     * @param predictor the model the instances are for
     */
    public Instances(Predictor predictor) {
        this.predictor = predictor;
        List<String> columns = predictor.inputColumns();
        numericPosition = predictor.numericColumns().stream().mapToInt(columns::indexOf).toArray();
        categoricalPosition =
                predictor.categoricalColumns().stream().mapToInt(columns::indexOf).toArray();
    }

    /**
     * @return the model the instances are for
     */
    public Predictor predictor() {
        return predictor;
    }

    /**
     * Reads one instance.
     *
     * @param instance a JSON object or array
     * @param numeric receives the values of {@link Predictor#numericColumns()}
     * @param categorical receives the values of {@link Predictor#categoricalColumns()}
     * @return null if the instance is usable, else what is wrong with it in one line, naming the
     *     column (the caller says which instance)
     */
    public String read(JsonNode instance, double[] numeric, String[] categorical) {
        List<String> columns = predictor.inputColumns();
        if (instance.isArray()) {
            if (instance.size() != columns.size()) {
                return "an array instance has the "
                        + columns.size()
                        + " values of "
                        + String.join(", ", columns)
                        + ", in that order; got "
                        + instance.size();
            }
        } else if (!instance.isObject()) {
            return "an instance is an object of column values or an array of the "
                    + columns.size()
                    + " values of "
                    + String.join(", ", columns)
                    + "; got "
                    + kind(instance);
        }
        for (int c = 0; c < numeric.length; c++) {
            String column = predictor.numericColumns().get(c);
            JsonNode value =
                    instance.isArray() ? instance.get(numericPosition[c]) : instance.get(column);
            String problem = missing(value);
            if (problem != null) {
                return "column " + column + ": " + problem;
            }
            if (value.isNumber()) {
                numeric[c] = value.doubleValue();
                if (!Double.isFinite(numeric[c])) {
                    // Jackson reads 1e400 as Infinity: the text is gone, its size is not.
                    return "column "
                            + column
                            + ": the number is beyond the range of a double (about 1.8e308)";
                }
            } else if (value.isTextual()) {
                try {
                    numeric[c] = NumericCells.parse(value.textValue());
                } catch (NumericCells.InvalidNumberException e) {
                    return "column " + column + ": " + e.getMessage();
                }
            } else {
                return "column " + column + ": expected a number, got " + kind(value);
            }
        }
        for (int c = 0; c < categorical.length; c++) {
            String column = predictor.categoricalColumns().get(c);
            JsonNode value =
                    instance.isArray()
                            ? instance.get(categoricalPosition[c])
                            : instance.get(column);
            String problem = missing(value);
            if (problem != null) {
                return "column " + column + ": " + problem;
            }
            if (value.isTextual()) {
                categorical[c] = value.textValue().strip();
            } else if (value.isNumber() || value.isBoolean()) {
                categorical[c] = value.asText();
            } else {
                return "column "
                        + column
                        + ": expected a category (a string, or a number or boolean as its text), got "
                        + kind(value);
            }
        }
        return null;
    }

    private static String missing(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        return value.isNull() ? "null" : null;
    }

    /**
     * @param value a JSON value
     * @return what kind of value it is, for a message: "an array", "a string", ...
     */
    public static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            case BINARY -> "binary data";
        };
    }
}
