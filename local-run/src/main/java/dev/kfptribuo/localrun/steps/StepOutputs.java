package dev.kfptribuo.localrun.steps;

import dev.kfptribuo.localrun.run.StepFailed;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The KFP output files a step's program wrote: one value each, as text. */
final class StepOutputs {
    private StepOutputs() {}

    /**
     * @param file an output file
     * @return its text without surrounding blanks
     * @throws IOException if it cannot be read (the program did not write it)
     */
    static String text(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /**
     * @param output the output's name, for the failure
     * @param file its file, a {@code Float} output (a plain decimal)
     * @return its value, with the scale of its text ({@link BigDecimal#toPlainString()} gives the
     *     text back)
     * @throws StepFailed if it is not a number
     * @throws IOException if it cannot be read
     */
    static BigDecimal number(String output, Path file) throws IOException {
        String text = text(file);
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new StepFailed(output + " '" + text + "' is not a number");
        }
    }
}
