package dev.kfptribuo.trainer;

import java.math.BigDecimal;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters for the numeric spellings tuning services produce: AI Platform and Vertex AI may pass
 * an INTEGER or DISCRETE value as {@code 500}, {@code 500.0} or {@code 5e2}, and a DOUBLE as {@code
 * 0.0001} or {@code 1e-04}.
 */
final class NumberConverters {
    private NumberConverters() {}

    /**
     * An integer in any decimal spelling whose value is whole: {@code 500}, {@code "500.0"}, {@code
     * 5E2}.
     */
    static final class WholeNumber implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            BigDecimal number;
            try {
                number = new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number");
            }
            try {
                return number.stripTrailingZeros().intValueExact();
            } catch (ArithmeticException e) {
                throw new TypeConversionException(
                        "'" + value + "' is not a whole number in the int range");
            }
        }
    }

    /** A finite double in decimal or scientific notation. */
    static final class FiniteDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double number;
            try {
                number = new BigDecimal(value.strip()).doubleValue();
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number");
            }
            if (!Double.isFinite(number)) {
                throw new TypeConversionException("'" + value + "' is out of range");
            }
            return number;
        }
    }

    /** A tolerance: a finite double, or {@code none} / {@code off} to switch early stopping off. */
    static final class Tolerance implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String text = value.strip().toLowerCase(Locale.ROOT);
            if (text.equals("none") || text.equals("off") || text.equals("null")) {
                return null;
            }
            return new FiniteDouble().convert(value);
        }
    }
}
