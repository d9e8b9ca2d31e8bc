package dev.kfptribuo.localrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Flags that could only fail a run late, or leak test rows into training, are usage errors before
 * anything starts: exit 2, the reason on one line naming the flag, then the pointer to --help, and
 * no run directory.
 */
class ContinuousTrainingFlagsTest {
    @TempDir Path dir;

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(List.of("--num-lots", "0"), "--num-lots must be in 1..1000, got 0"),
                Arguments.of(
                        List.of("--num-lots", "2000000000"),
                        "--num-lots must be in 1..1000, got 2000000000"),
                Arguments.of(
                        List.of("--baseline", ""),
                        "--baseline is empty: give a job dir of train, a registry version directory, or none"),
                Arguments.of(List.of("--registry", ""), "--registry is empty: give a directory"),
                Arguments.of(List.of("--runs-dir", ""), "--runs-dir is empty: give a directory"),
                Arguments.of(List.of("--runs-dir", "FILE"), "--runs-dir: FILE is not a directory"),
                Arguments.of(
                        List.of("--num-lots", "5"),
                        "--validation-lots: lot 8 is outside 0..4 (--num-lots 5)"),
                Arguments.of(
                        List.of("--training-lots", "11"),
                        "--training-lots: lot 11 is outside 0..9 (--num-lots 10)"),
                Arguments.of(
                        List.of("--testing-lots=-1"),
                        "--testing-lots: lot -1 is outside 0..9 (--num-lots 10)"),
                Arguments.of(
                        List.of("--training-lots", "8"),
                        "--validation-lots: lot 8 is in --training-lots too; a lot belongs to one split"),
                Arguments.of(
                        List.of("--testing-lots", "1"),
                        "--testing-lots: lot 1 is in --training-lots too; a lot belongs to one split"),
                Arguments.of(
                        List.of("--training-lots", "1,1"), "--training-lots: lot 1 is given twice"),
                Arguments.of(
                        List.of("--evaluation-metric-name", "bogus"),
                        "--evaluation-metric-name: unknown metric 'bogus'; supported: "),
                Arguments.of(
                        List.of("--evaluation-metric-name", "log_loss"),
                        "--evaluation-metric-name: log_loss is lower when better, and the deploy condition"
                                + " is the lab's metric_value > threshold"),
                Arguments.of(
                        List.of("--evaluation-metric-threshold", "abc"),
                        "Invalid value for option '--evaluation-metric-threshold': 'abc' is not a number"),
                Arguments.of(
                        List.of("--evaluation-metric-threshold", "NaN"),
                        "Invalid value for option '--evaluation-metric-threshold': 'NaN' is not a number"),
                Arguments.of(
                        List.of("--model-id", ""),
                        "--model-id is empty: give a model registry name"),
                Arguments.of(
                        List.of("--version-id", " "),
                        "--version-id is empty: give a model registry name"),
                Arguments.of(List.of("--registry", "FILE"), "--registry: FILE is not a directory"),
                Arguments.of(
                        List.of("--registry", "FILE/registry"),
                        "--registry: FILE is a file, where the directory goes"),
                Arguments.of(
                        List.of("--hypertune-settings", "@DIR"),
                        "--hypertune-settings: cannot read DIR: Is a directory"),
                Arguments.of(
                        List.of("--hypertune-settings", "@"),
                        "--hypertune-settings: '@' names no file: give the spec's file after it (@spec.txt)"),
                Arguments.of(
                        List.of("--hypertune-settings", "@DIR/empty.txt"),
                        "--hypertune-settings @DIR/empty.txt: empty tuning spec"),
                Arguments.of(
                        List.of("--hypertune-settings", "@DIR/none.txt"),
                        "--hypertune-settings: cannot read DIR/none.txt: no such file or directory"),
                Arguments.of(
                        List.of(
                                "--hypertune-settings",
                                "{'hyperparameters': {'goal': 'MAXIMIZE', 'maxTrials': 2000000000,"
                                        + " 'hyperparameterMetricTag': 'accuracy', 'params': [{'parameterName':"
                                        + " 'alpha', 'type': 'DOUBLE', 'minValue': 0.0001, 'maxValue': 0.001}]}}"),
                        "--hypertune-settings: maxTrials is 2000000000; the local tuning service runs at"
                                + " most 1000 trials"));
    }

    @ParameterizedTest
    @MethodSource
    void refused(List<String> flags, String message) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Files.writeString(dir.resolve("empty.txt"), "");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--source",
                                "../data/covertype/covertype_small.csv",
                                "--run-id",
                                "r"));
        if (!flags.contains("--runs-dir")) {
            args.addAll(List.of("--runs-dir", dir.resolve("runs").toString()));
        }
        if (!flags.contains("--registry")) {
            args.addAll(List.of("--registry", dir.resolve("registry").toString()));
        }
        for (String flag : flags) {
            args.add(flag.replace("FILE", file.toString()).replace("DIR", dir.toString()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                ContinuousTraining.run(
                        args.toArray(String[]::new),
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        Map.of());
        List<String> lines = err.toString().lines().toList();
        assertEquals(2, exit, err.toString());
        assertEquals(2, lines.size(), err.toString());
        String expected =
                "continuous-training: error: "
                        + message.replace("FILE", file.toString()).replace("DIR", dir.toString());
        assertEquals(
                true, lines.get(0).startsWith(expected), lines.get(0) + "\nwanted: " + expected);
        assertEquals("Try 'continuous-training --help' for more information.", lines.get(1));
        assertFalse(Files.exists(dir.resolve("runs")), "nothing is started on a usage error");
        assertFalse(Files.exists(dir.resolve("registry")), "nor is the registry made");
    }
}
