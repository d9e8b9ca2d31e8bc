package dev.kfptribuo.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Writes the values of KFP component outputs to the files KFP names with {@code {outputPath: x}}.
 *
 * <p>KFP hands a component a path for each output; the program must create its parent directories
 * (kubeflow/pipelines#8782) and write exactly the value: the file's text is what downstream steps
 * and {@code dsl.Condition} comparisons see. Each file is written atomically, local or gs://.
 */
public final class KfpOutputs {
    private KfpOutputs() {}

    /**
     * @param path the output path
     * @param value the text, written as UTF-8 with nothing added
     * @throws IOException if the file cannot be written
     */
    public static void writeString(String path, String value) throws IOException {
        OutputFiles.write(Location.parse(path), value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param path the output path of a {@code Float} output
     * @param value a finite number, written as a plain decimal ({@code 0.7005}, never {@code 7.005E-1})
     * @throws IllegalArgumentException if the value is NaN or infinite
     * @throws IOException if the file cannot be written
     */
    public static void writeFloat(String path, double value) throws IOException {
        writeString(path, formatFloat(value));
    }

    /**
     * @param path the output path of an {@code Integer} output
     * @param value the number
     * @throws IOException if the file cannot be written
     */
    public static void writeInteger(String path, long value) throws IOException {
        writeString(path, Long.toString(value));
    }

    /**
     * The text of a {@code Float} output: the shortest decimal that reads back as the same double,
     * in positional notation with at least one fractional digit ({@code 1.0}, {@code 0.00001}).
     *
     * @param value a finite number
     * @return its text
     * @throws IllegalArgumentException if the value is NaN or infinite
     */
    public static String formatFloat(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a Float output must be finite, got " + value);
        }
        if (value == 0) {
            return "0.0";
        }
        String plain = new BigDecimal(PythonFloats.repr(value)).stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
