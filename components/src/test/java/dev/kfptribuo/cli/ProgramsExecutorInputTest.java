package dev.kfptribuo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kfptribuo.executor.ExecutorInput;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@link ExecutorInputOption} through {@link Programs#run}: an executor input a command cannot use,
 * or one given with a {@code --*-output} flag, is one line on standard error and exit 2.
 */
class ProgramsExecutorInputTest {
    @Command(name = "step")
    static final class Step implements Callable<Integer> {
        @Mixin ExecutorInputOption executorInput;

        @Option(names = "--value-output")
        String valueOutput;

        ExecutorInput parsed;

        @Override
        public Integer call() {
            Map<String, String> flags = new HashMap<>();
            flags.put("--value-output", valueOutput);
            parsed = executorInput.parse(flags);
            if (parsed != null) {
                parsed.requireParameters("value");
            }
            return 0;
        }
    }

    private record Run(int code, List<String> err, Step step) {}

    private static Run run(String... args) {
        Step step = new Step();
        StringWriter err = new StringWriter();
        int code =
                Programs.run(
                        step,
                        args,
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true));
        return new Run(code, err.toString().lines().toList(), step);
    }

    @Test
    void unusableExecutorInputIsOneLineAndExit2() {
        assertEquals(
                new Run(
                                2,
                                List.of(
                                        "step: error: --executor-input: is not JSON: Unexpected character ('{' "
                                                + "(code 123)): was expecting double-quote to start field name (line 1, column 2)"),
                                null)
                        .err(),
                run("--executor-input", "{{$}}").err());
        assertEquals(2, run("--executor-input", "{{$}}").code());
        Run noFile = run("--executor-input", "{\"outputs\": {}}");
        assertEquals(2, noFile.code());
        assertEquals(
                List.of(
                        "step: error: --executor-input: names no executor output file (outputs.outputFile)"),
                noFile.err());
        Run undeclared = run("--executor-input", "{\"outputs\": {\"outputFile\": \"/o.json\"}}");
        assertEquals(2, undeclared.code());
        assertEquals(1, undeclared.err().size(), undeclared.err().toString());
    }

    @Test
    void anOutputFlagDoesNotApplyWithIt() {
        Run run =
                run(
                        "--executor-input",
                        "{\"outputs\": {\"outputFile\": \"/o.json\"}}",
                        "--value-output",
                        "/v");
        assertEquals(2, run.code());
        assertEquals(
                List.of(
                        "step: error: --executor-input: the executor input names every output; --value-output "
                                + "does not apply with it"),
                run.err());
    }

    @Test
    void withoutItTheCommandRunsAsBefore() {
        Run run = run("--value-output", "/v");
        assertEquals(0, run.code());
        assertEquals(null, run.step().parsed);
        Run given =
                run(
                        "--executor-input",
                        "{\"outputs\": {\"outputFile\": \"/o.json\", \"parameters\": {\"value\": {}}}}");
        assertEquals(0, given.code(), given.err().toString());
        assertEquals("/o.json", given.step().parsed.outputFile());
    }
}
