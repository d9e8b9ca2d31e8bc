package dev.kfptribuo.cli;

import dev.kfptribuo.executor.ExecutorInput;
import dev.kfptribuo.executor.ExecutorInputException;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code --executor-input} option of the programs a KFP v2 spec runs (a picocli mixin): the
 * JSON KFP puts in place of {@code {{$}}}. Given it, a program writes its outputs to the executor
 * output file it names instead of to {@code --*-output} files, which then must not be given.
 */
public final class ExecutorInputOption {
    @Option(
            names = {ExecutorInput.FLAG, "--executor_input"},
            paramLabel = "JSON",
            description =
                    "KFP v2: the executor input ({{$}} in the component's v2 spec). The outputs go to the "
                            + "executor output file it names (outputs.outputFile: parameters, and artifacts with their "
                            + "metadata), not to --*-output files. JSON that is not an executor input, or one without an "
                            + "output this command writes, fails with exit 2 before anything is read or written.")
    private String json;

    /**
     * @param outputFlags the command's {@code --*-output} flags and their values (null when not
     *     given)
     * @return the parsed executor input, or null when {@code --executor-input} is not given
     * @throws ExecutorInputException if the JSON is not an executor input, or an output flag is
     *     given with it
     */
    public ExecutorInput parse(Map<String, String> outputFlags) {
        if (json == null) {
            return null;
        }
        for (Map.Entry<String, String> flag : new java.util.TreeMap<>(outputFlags).entrySet()) {
            if (flag.getValue() != null) {
                throw new ExecutorInputException(
                        ExecutorInput.FLAG
                                + ": the executor input names every output; "
                                + flag.getKey()
                                + " does not apply with it");
            }
        }
        return ExecutorInput.parse(json);
    }

    /**
     * @return true when {@code --executor-input} is given
     */
    public boolean given() {
        return json != null;
    }
}
