package dev.kfptribuo.tuning;

import java.util.List;
import java.util.Objects;

/**
 * One searched hyperparameter as the job declares it: AI Platform's
 * {@code trainingInput.hyperparameters.params[{parameterName, type, discreteValues, ...}]} or Vertex
 * AI's {@code studySpec.parameters[{parameterId, doubleValueSpec | integerValueSpec |
 * discreteValueSpec | categoricalValueSpec}]}.
 *
 * @param name the parameter's name, as the trials key their values
 * @param type its type
 * @param discreteValues the allowed values of a DISCRETE parameter (empty otherwise)
 */
public record ParameterSpec(String name, Type type, List<Double> discreteValues) {
    /** The parameter types both APIs share. */
    public enum Type {
        /** A real number in a range. */
        DOUBLE,
        /** A whole number in a range. */
        INTEGER,
        /** One of a list of numbers. */
        DISCRETE,
        /** One of a list of strings. */
        CATEGORICAL,
        /** Not declared or not recognised. */
        UNSPECIFIED
    }

    /** Checks the fields and copies the list. */
    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        discreteValues = List.copyOf(discreteValues);
    }

    /**
     * @return true for an INTEGER parameter, and for a DISCRETE one whose allowed values are all
     *     whole numbers (the lab's {@code max_iter} over {@code [500, 1000]}): values written as
     *     integers
     */
    public boolean wholeValued() {
        if (type == Type.INTEGER) {
            return true;
        }
        return type == Type.DISCRETE && !discreteValues.isEmpty()
                && discreteValues.stream().allMatch(v -> Double.isFinite(v) && v == Math.rint(v));
    }

    /** @return true for DOUBLE, INTEGER and DISCRETE parameters */
    public boolean numeric() {
        return type == Type.DOUBLE || type == Type.INTEGER || type == Type.DISCRETE;
    }
}
