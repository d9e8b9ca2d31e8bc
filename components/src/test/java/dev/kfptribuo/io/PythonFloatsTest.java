package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonFloatsTest {
    /** Expected texts printed by CPython 3.11: {@code python3 -c "print(repr(v))"}. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0.7213|0.7213",
                "1.0|1.0",
                "0.0|0.0",
                "-0.0|-0.0",
                "1e-05|1e-05",
                "0.0001|0.0001",
                "0.00012345|0.00012345",
                "123456789.0|123456789.0",
                "1e16|1e+16",
                "9999999999999998.0|9999999999999998.0",
                "1.5e-7|1.5e-07",
                "-2.5|-2.5",
                "0.30000000000000004|0.30000000000000004",
                "0.3333333333333333|0.3333333333333333",
                "4.9E-324|5e-324",
                "1.7976931348623157E308|1.7976931348623157e+308",
                "1764503456.1234567|1764503456.1234567",
                "100.0|100.0",
                "0.5|0.5"
            })
    void matchesCpythonRepr(double value, String expected) {
        assertEquals(expected, PythonFloats.repr(value));
    }

    @Test
    void nonFiniteValuesUsePythonNames() {
        assertEquals("nan", PythonFloats.repr(Double.NaN));
        assertEquals("inf", PythonFloats.repr(Double.POSITIVE_INFINITY));
        assertEquals("-inf", PythonFloats.repr(Double.NEGATIVE_INFINITY));
    }

    @Test
    void randomDoublesRoundTripWithTheFewestDigits() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            double x = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(x)) {
                continue;
            }
            String text = PythonFloats.repr(x);
            assertEquals(x, Double.parseDouble(text), text);
            BigDecimal parsed = new BigDecimal(text.replace("e+", "e"));
            int digits = parsed.stripTrailingZeros().precision();
            if (digits > 1) {
                BigDecimal shorter = new BigDecimal(x).round(new MathContext(digits - 1));
                assertNotEquals(x, shorter.doubleValue(), () -> text + " is not the shortest form");
            }
        }
    }
}
