package dev.kfptribuo.localrun.split;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * BigQuery's {@code TO_JSON_STRING} of a table row ({@code TO_JSON_STRING(cover)} in the lab's
 * split query), byte for byte, for rows of INT64, FLOAT64 and STRING columns.
 *
 * <p>The rules are those of GoogleSQL's JSON encoding (BigQuery's JSON functions reference; the
 * open-source ZetaSQL implementation, {@code zetasql/public/functions/json_format.cc}):
 *
 * <ul>
 *   <li>A row (STRUCT) is {@code {"name":value,...}}: every column in table order, no spaces.
 *   <li>NULL is {@code null}.
 *   <li>INT64 is a bare number when it is within [-2<sup>53</sup>, 2<sup>53</sup>] (exact as a
 *       double), else a quoted string: {@code 9007199254740993} becomes {@code "9007199254740993"}.
 *   <li>FLOAT64 is C's {@code %.15g} of the value, or {@code %.17g} when 15 digits do not read back
 *       as the same double: {@code 1}, {@code 0.1}, {@code 1e+20}, {@code 1.5e-07}, {@code
 *       0.30000000000000004}; NaN and the infinities are the strings {@code "NaN"}, {@code
 *       "Infinity"}, {@code "-Infinity"}; negative zero stays {@code -0}.
 *   <li>STRING (and every key) is quoted, with {@code "} and {@code \} escaped, control characters
 *       below U+0020 as {@code \b \f \n \r \t} or {@code &#92;u00XX} (lower-case hex), and U+2028
 *       and U+2029 as {@code &#92;u2028} and {@code &#92;u2029}; everything else, including
 *       non-ASCII characters and {@code /}, is written as is (UTF-8).
 * </ul>
 *
 * Quoting and escaping are done by Jackson's generator with those escapes configured; nothing here
 * assembles JSON by hand.
 */
public final class BigQueryJson {
    /** The largest INT64 magnitude written as a bare number: 2^53. */
    public static final long MAX_LOSSLESS_INT64 = 1L << 53;

    private static final JsonFactory JSON =
            new JsonFactoryBuilder()
                    .characterEscapes(new GoogleSqlEscapes())
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .build();

    private final RowSchema schema;

    /**
     * @param schema the row's columns and types
     */
    public BigQueryJson(RowSchema schema) {
        this.schema = schema;
    }

    /**
     * @param cells the row's CSV cells, one per column; an empty cell is NULL (bq load's default
     *     null marker)
     * @return {@code TO_JSON_STRING} of the row
     * @throws IllegalArgumentException if a cell is not a value of its column's type
     */
    public String toJsonString(List<String> cells) {
        if (cells.size() != schema.columns().size()) {
            throw new IllegalArgumentException(
                    "expected " + schema.columns().size() + " cells, got " + cells.size());
        }
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            for (int c = 0; c < cells.size(); c++) {
                RowSchema.Column column = schema.columns().get(c);
                json.writeFieldName(column.name());
                writeValue(json, column, cells.get(c));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void writeValue(JsonGenerator json, RowSchema.Column column, String cell)
            throws IOException {
        if (cell.isEmpty()) {
            json.writeNull();
            return;
        }
        switch (column.type()) {
            case INT64:
                {
                    if (!ColumnType.INT64.accepts(cell)) {
                        throw new IllegalArgumentException(
                                "column " + column.name() + ": \"" + cell + "\" is not an INT64");
                    }
                    long value = Long.parseLong(cell);
                    if (value < -MAX_LOSSLESS_INT64 || value > MAX_LOSSLESS_INT64) {
                        json.writeString(Long.toString(value));
                    } else {
                        json.writeNumber(value);
                    }
                    break;
                }
            case FLOAT64:
                {
                    double value;
                    try {
                        value = ColumnType.parseFloat(cell);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(
                                "column " + column.name() + ": " + e.getMessage(), e);
                    }
                    if (Double.isNaN(value)) {
                        json.writeString("NaN");
                    } else if (Double.isInfinite(value)) {
                        json.writeString(value > 0 ? "Infinity" : "-Infinity");
                    } else {
                        json.writeNumber(roundTripDouble(value));
                    }
                    break;
                }
            default:
                json.writeString(cell);
        }
    }

    /**
     * ZetaSQL's {@code RoundTripDoubleToString}: {@code %.15g}, or {@code %.17g} when that does not
     * read back as the same double.
     *
     * @param value a finite double
     * @return its text
     */
    public static String roundTripDouble(double value) {
        String text = percentG(value, 15);
        if (Double.parseDouble(text) != value) {
            text = percentG(value, 17);
        }
        return text;
    }

    /**
     * C's {@code printf("%.<precision>g", value)}: the value rounded to {@code precision}
     * significant digits (half-even on its exact binary value, as glibc does), in positional
     * notation when the decimal exponent is in [-4, precision) and in scientific notation ({@code
     * 1.5e-07}, {@code 1e+20}) otherwise, without trailing zeros.
     *
     * @param value a finite double
     * @param precision significant digits, &gt;= 1
     * @return the text
     */
    static String percentG(double value, int precision) {
        if (value == 0) {
            return 1 / value < 0 ? "-0" : "0";
        }
        BigDecimal rounded =
                new BigDecimal(value).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < precision) {
            return rounded.stripTrailingZeros().toPlainString();
        }
        String digits = rounded.unscaledValue().abs().toString().replaceFirst("0+$", "");
        StringBuilder out = new StringBuilder(value < 0 ? "-" : "");
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        int magnitude = Math.abs(exponent);
        out.append('e')
                .append(exponent < 0 ? '-' : '+')
                .append(magnitude < 10 ? "0" : "")
                .append(magnitude);
        return out.toString();
    }

    /** GoogleSQL's string escapes on top of JSON's standard ones: U+2028 and U+2029. */
    private static final class GoogleSqlEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
        private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");
        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch == 0x2028) {
                return LINE_SEPARATOR;
            }
            if (ch == 0x2029) {
                return PARAGRAPH_SEPARATOR;
            }
            return null;
        }
    }
}
