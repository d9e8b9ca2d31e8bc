package dev.kfptribuo.tuning;

import java.util.List;
import java.util.Objects;

/**
 * One searched hyperparameter as the job declares it: AI Platform's {@code
 * trainingInput.hyperparameters.params[{parameterName, type, minValue, maxValue, discreteValues,
 * categoricalValues, scaleType}]} or Vertex AI's {@code studySpec.parameters[{parameterId,
 * doubleValueSpec | integerValueSpec | discreteValueSpec | categoricalValueSpec, scaleType}]}. One
 * type for the job documents {@code retrieve-best-run} reads and the tuning spec the local tuning
 * service searches; the documents need only the name, type and discrete values.
 *
 * @param name the parameter's name, as the trials key their values (and the trainer's flag)
 * @param type its type
 * @param min {@code minValue} of a DOUBLE or INTEGER parameter, else null (or unknown)
 * @param max {@code maxValue} of a DOUBLE or INTEGER parameter, else null (or unknown)
 * @param discreteValues the allowed values of a DISCRETE parameter (empty otherwise)
 * @param categoricalValues the allowed values of a CATEGORICAL parameter (empty otherwise)
 * @param scale {@code scaleType}
 */
public record ParameterSpec(
        String name,
        Type type,
        Double min,
        Double max,
        List<Double> discreteValues,
        List<String> categoricalValues,
        Scale scale) {
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

    /** {@code scaleType}: how a value range maps to a search's unit interval. */
    public enum Scale {
        /** Not set: linear for numbers; values of a DISCRETE parameter drawn with equal chance. */
        NONE,
        /** Linear. */
        UNIT_LINEAR_SCALE,
        /** Logarithmic: equal chance per factor; the range must be positive. */
        UNIT_LOG_SCALE,
        /** Reverse logarithmic: dense near the top of the range; the range must be positive. */
        UNIT_REVERSE_LOG_SCALE
    }

    /** Checks the fields and copies the lists. */
    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        discreteValues = List.copyOf(discreteValues);
        categoricalValues = List.copyOf(categoricalValues);
        Objects.requireNonNull(scale, "scale");
    }

    /**
     * A parameter as a job document declares it to its readers: name, type and discrete values.
     *
     * @param name the parameter's name
     * @param type its type
     * @param discreteValues the allowed values of a DISCRETE parameter (empty otherwise)
     */
    public ParameterSpec(String name, Type type, List<Double> discreteValues) {
        this(name, type, null, null, discreteValues, List.of(), Scale.NONE);
    }

    /**
     * @return true for an INTEGER parameter, and for a DISCRETE one whose allowed values are all
     *     whole numbers (the lab's {@code max_iter} over {@code [500, 1000]}) that a long holds
     *     exactly: values written and passed as integers
     */
    public boolean wholeValued() {
        if (type == Type.INTEGER) {
            return true;
        }
        return type == Type.DISCRETE
                && !discreteValues.isEmpty()
                && discreteValues.stream().allMatch(v -> v == Math.rint(v) && Math.abs(v) < 1e15);
    }

    /**
     * @return true for DOUBLE, INTEGER and DISCRETE parameters
     */
    public boolean numeric() {
        return type == Type.DOUBLE || type == Type.INTEGER || type == Type.DISCRETE;
    }
}
