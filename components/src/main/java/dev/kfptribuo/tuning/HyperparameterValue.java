package dev.kfptribuo.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kfptribuo.io.PythonFloats;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The value a trial was given for one hyperparameter, as the service sent it.
 *
 * <p>AI Platform sends every value as a JSON string ({@code "hyperparameters": {"max_iter":
 * "1000"}}); Vertex AI sends a protobuf {@code Value}, a JSON number for DOUBLE, INTEGER and
 * DISCRETE parameters and a string for CATEGORICAL ones. Numbers may be spelled in any decimal or
 * scientific form ({@code 1000}, {@code "1000.0"}, {@code 1e3}); {@link #asDouble()} and {@link
 * #asWholeNumber()} read them all.
 *
 * @param text the value's text: the string as sent, or the number in its shortest form ({@code
 *     0.00042}, {@code 1000}, {@code 1e-05})
 * @param number true if the service sent a JSON number, false for a JSON string
 */
public record HyperparameterValue(String text, boolean number) {
    /** Checks the text. */
    public HyperparameterValue {
        Objects.requireNonNull(text, "text");
    }

    /**
     * @param node a JSON number or string
     * @return its value
     * @throws IllegalArgumentException for any other JSON (null, boolean, object, array)
     */
    public static HyperparameterValue of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException("value is missing");
        }
        if (node.isIntegralNumber()) {
            return new HyperparameterValue(node.bigIntegerValue().toString(), true);
        }
        if (node.isBigDecimal()) {
            return new HyperparameterValue(node.decimalValue().toString(), true);
        }
        if (node.isNumber()) {
            return new HyperparameterValue(PythonFloats.repr(node.doubleValue()), true);
        }
        if (node.isTextual()) {
            return new HyperparameterValue(node.textValue(), false);
        }
        throw new IllegalArgumentException("value is neither a number nor a string: " + node);
    }

    /**
     * @return the value as a finite double
     * @throws IllegalArgumentException if the text is not a decimal number or is out of range
     */
    public double asDouble() {
        double value = decimal().doubleValue();
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("'" + text + "' is out of range");
        }
        return value;
    }

    /**
     * @return the value as a whole number: {@code 1000}, {@code "1000"}, {@code "1000.0"} and
     *     {@code 1e3} all give 1000
     * @throws IllegalArgumentException if the text is not a number, has a fractional part, or is
     *     outside the long range
     */
    public long asWholeNumber() {
        BigDecimal value = decimal();
        try {
            return value.stripTrailingZeros().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
    }

    private BigDecimal decimal() {
        try {
            return new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    }

    /**
     * @return the value as JSON would show it: a number bare, a string quoted
     */
    @Override
    public String toString() {
        return number ? text : '"' + text + '"';
    }
}
