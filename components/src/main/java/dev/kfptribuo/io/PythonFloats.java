package dev.kfptribuo.io;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats a double exactly as Python 3's {@code repr(float)} / {@code str(float)} does, which is
 * how cloudml-hypertune writes metric values ({@code str(metric_value)}) and how {@code json.dumps}
 * writes the timestamp.
 *
 * <p>Python prints the shortest decimal that reads back as the same double, in positional notation
 * when the decimal exponent is in [-4, 16) (always with a fractional part, {@code 1.0}) and in
 * scientific notation otherwise ({@code 1e-05}, {@code 1.5e+16}). Java 17's {@code Double.toString}
 * is neither always shortest nor in that layout.
 */
public final class PythonFloats {
    private PythonFloats() {}

    /**
     * @param x any double
     * @return Python's {@code repr(x)}: e.g. {@code 0.7053}, {@code 1.0}, {@code 1e-05}, {@code
     *     nan}, {@code -inf}
     */
    public static String repr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return 1 / x < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(x);
        BigDecimal shortest = exact;
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (Double.parseDouble(rounded.toString()) == x) {
                shortest = rounded;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        StringBuilder out = new StringBuilder(x < 0 ? "-" : "");
        if (exponent >= -4 && exponent < 16) {
            if (exponent >= digits.length() - 1) {
                out.append(digits).append("0".repeat(exponent - digits.length() + 1)).append(".0");
            } else if (exponent >= 0) {
                out.append(digits, 0, exponent + 1)
                        .append('.')
                        .append(digits, exponent + 1, digits.length());
            } else {
                out.append("0.").append("0".repeat(-exponent - 1)).append(digits);
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            out.append(magnitude < 10 ? "0" : "").append(magnitude);
        }
        return out.toString();
    }
}
