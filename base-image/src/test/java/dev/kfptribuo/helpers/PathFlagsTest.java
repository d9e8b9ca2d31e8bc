package dev.kfptribuo.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every path flag of the helpers' subcommands: an empty value, or one of another URI scheme, is a
 * usage error naming the flag (exit 2, two lines), found before anything is read or written.
 */
class PathFlagsTest {
    @TempDir Path dir;

    /** The subcommand's required flags, each with a path under the test's directory. */
    private Map<String, String> required(String command) {
        Map<String, String> flags = new LinkedHashMap<>();
        switch (command) {
            case "evaluate-model" -> {
                flags.put("--dataset-path", dir.resolve("testing.csv").toString());
                flags.put("--model-path", dir.resolve("job").toString());
            }
            case "batch-predict" -> {
                flags.put("--dataset-path", dir.resolve("rows.csv").toString());
                flags.put("--model-path", dir.resolve("job").toString());
                flags.put("--predictions-dir", dir.resolve("predictions").toString());
            }
            case "retrieve-best-run" -> flags.put("--job-file", dir.resolve("job.json").toString());
            default -> throw new IllegalArgumentException(command);
        }
        return flags;
    }

    private record Run(int code, List<String> err) {}

    private Run run(String command, String flag, String value) throws IOException {
        Map<String, String> flags = required(command);
        flags.keySet().removeIf(key -> key.replace('_', '-').equals(flag.replace('_', '-')));
        List<String> args = new ArrayList<>(List.of(command));
        flags.forEach((key, path) -> args.addAll(List.of(key, path)));
        args.addAll(List.of(flag, value));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                HelperComponents.run(
                        args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "nothing written");
        }
        assertEquals("", out.toString(), "nothing done");
        return new Run(code, err.toString().lines().toList());
    }

    @ParameterizedTest(name = "{0} {1} ''")
    @CsvSource(
            delimiter = '|',
            value = {
                "evaluate-model    | --dataset-path                  | --dataset-path                  | a file or a wildcard of files",
                "evaluate-model    | --dataset_path                  | --dataset-path                  | a file or a wildcard of files",
                "evaluate-model    | --model-path                    | --model-path                    | a job dir",
                "evaluate-model    | --model_path                    | --model-path                    | a job dir",
                "evaluate-model    | --metric-name-output            | --metric-name-output            | a file",
                "evaluate-model    | --metric-value-output           | --metric-value-output           | a file",
                "evaluate-model    | --baseline-metric-value-output  | --baseline-metric-value-output  | a file",
                "evaluate-model    | --metric-improvement-output     | --metric-improvement-output     | a file",
                "evaluate-model    | --mlpipeline-metrics-output     | --mlpipeline-metrics-output     | a file",
                "evaluate-model    | --mlpipeline-ui-metadata-output | --mlpipeline-ui-metadata-output | a file",
                "batch-predict     | --dataset-path                  | --dataset-path                  | a file or a wildcard of files",
                "batch-predict     | --model-path                    | --model-path                    | a job dir",
                "batch-predict     | --predictions-dir               | --predictions-dir               | a directory",
                "batch-predict     | --predictions_dir               | --predictions-dir               | a directory",
                "batch-predict     | --predicted-rows-output         | --predicted-rows-output         | a file",
                "batch-predict     | --bad-rows-output               | --bad-rows-output               | a file",
                "retrieve-best-run | --job-file                      | --job-file                      | a file",
                "retrieve-best-run | --job_file                      | --job-file                      | a file",
                "retrieve-best-run | --metric-value-output           | --metric-value-output           | a file",
                "retrieve-best-run | --alpha-output                  | --alpha-output                  | a file",
                "retrieve-best-run | --max-iter-output               | --max-iter-output               | a file",
                "retrieve-best-run | --trial-id-output               | --trial-id-output               | a file",
                "retrieve-best-run | --hyperparameters-output        | --hyperparameters-output        | a file",
            })
    void anEmptyPathNamesItsFlag(String command, String flag, String named, String what)
            throws IOException {
        for (String empty : new String[] {"", "  "}) {
            Run run = run(command, flag, empty);
            assertEquals(2, run.code(), run.err().toString());
            assertEquals(
                    List.of(
                            command
                                    + ": error: "
                                    + named
                                    + " is empty: give "
                                    + what
                                    + ", local or gs://",
                            "Try 'helpers " + command + " --help' for more information."),
                    run.err());
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "evaluate-model    | --model-path          | s3://bucket/job     | : unsupported URI scheme in s3://bucket/job (use a local path or gs://)",
                "evaluate-model    | --baseline-model-path | s3://bucket/job     | : unsupported URI scheme in s3://bucket/job (use a local path or gs://)",
                "evaluate-model    | --dataset-path        | gs:///testing.csv   | : no bucket in gs:///testing.csv",
                "batch-predict     | --dataset-path        | in*/rows.csv        | : wildcards are allowed only in the file name, not in directories: in*/rows.csv",
                "batch-predict     | --predictions-dir     | https://host/p      | : unsupported URI scheme in https://host/p (use a local path or gs://)",
                "retrieve-best-run | --alpha-output        | s3://bucket/alpha   | : unsupported URI scheme in s3://bucket/alpha (use a local path or gs://)",
            })
    void aPathThatIsNotLocalNorGsNamesItsFlag(
            String command, String flag, String value, String reason) throws IOException {
        Run run = run(command, flag, value);
        assertEquals(2, run.code(), run.err().toString());
        assertEquals(command + ": error: " + flag + reason, run.err().get(0));
        assertEquals(2, run.err().size(), run.err().toString());
    }
}
