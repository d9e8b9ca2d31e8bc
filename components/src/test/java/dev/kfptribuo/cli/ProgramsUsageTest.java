package dev.kfptribuo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Usage errors and {@code --version} through {@link Programs#run}: two lines and exit 2 for a bad
 * flag (never the whole usage), and the Maven project's version for every (sub)command.
 */
class ProgramsUsageTest {
    @Command(name = "tool", mixinStandardHelpOptions = true, subcommands = Tool.Sub.class)
    static final class Tool implements Callable<Integer> {
        @Option(names = "--alpha", description = "A number.")
        double alpha;

        @Option(
                names = {"--model-path", "--model_path"},
                converter = PathConverters.JobDir.class,
                description = "A job dir.")
        String modelPath;

        @Option(names = "--text", description = "Any text.")
        String text;

        @Override
        public Integer call() {
            return 0;
        }

        @Command(name = "sub", mixinStandardHelpOptions = true)
        static final class Sub implements Callable<Integer> {
            @Option(names = "--max_iter", required = true, description = "A count.")
            int maxIter;

            @Override
            public Integer call() {
                return 0;
            }
        }
    }

    private record Run(int code, String out, List<String> err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                Programs.run(
                        new Tool(), args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString().lines().toList());
    }

    @Test
    void anArgumentStartingWithAnAtSignIsTheValueNotAnArgumentFile(@TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("args.txt"), "--alpha 5\n");
        Tool tool = new Tool();
        int code =
                Programs.run(
                        tool,
                        new String[] {"--text", "@" + file},
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(new StringWriter()));
        assertEquals(0, code);
        assertEquals("@" + file, tool.text);
        assertEquals(0.0, tool.alpha);
        assertEquals(2, run("@" + file).code(), "an argument file alone is not read either");
    }

    @Test
    void aBadValueIsOneLineAndAPointerToHelp() {
        Run run = run("--alpha", "abc");
        assertEquals(2, run.code());
        assertEquals(
                List.of(
                        "tool: error: Invalid value for option '--alpha': 'abc' is not a double",
                        "Try 'tool --help' for more information."),
                run.err());
        assertEquals("", run.out());
    }

    @Test
    void aPathAConverterRefusesIsNamedByItsFlag() {
        Run empty = run("--model_path=");
        assertEquals(2, empty.code());
        assertEquals(
                List.of(
                        "tool: error: --model-path is empty: give a job dir, local or gs://",
                        "Try 'tool --help' for more information."),
                empty.err());
        Run scheme = run("--model-path", "s3://bucket/job");
        assertEquals(2, scheme.code());
        assertEquals(
                List.of(
                        "tool: error: --model-path: unsupported URI scheme in s3://bucket/job (use a local path or gs://)",
                        "Try 'tool --help' for more information."),
                scheme.err());
        assertEquals(0, run("--model-path", "gs://bucket/job").code());
    }

    @Test
    void aSubcommandsErrorNamesItAndItsQualifiedHelp() {
        Run run = run("sub");
        assertEquals(2, run.code());
        assertEquals(
                List.of(
                        "sub: error: Missing required option: '--max_iter=<maxIter>'",
                        "Try 'tool sub --help' for more information."),
                run.err());
    }

    @Test
    void aMistypedOptionGetsPicocliSuggestionsBeforeThePointer() {
        Run run = run("sub", "--max-iter", "3");
        assertEquals(2, run.code());
        assertTrue(run.err().get(0).startsWith("sub: error: "), run.err().toString());
        assertTrue(
                run.err().stream().anyMatch(line -> line.contains("--max_iter")),
                run.err().toString());
        assertEquals(
                "Try 'tool sub --help' for more information.", run.err().get(run.err().size() - 1));
        assertTrue(run.err().size() < 6, run.err().toString());
    }

    @Test
    void everyCommandPrintsTheBuildsVersion() {
        String version = BuildVersion.version();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), version);
        Run top = run("--version");
        assertEquals(0, top.code());
        assertEquals("tool (kfp-tribuo) " + version + "\n", top.out());
        Run sub = run("sub", "--version");
        assertEquals(0, sub.code());
        assertEquals("tool sub (kfp-tribuo) " + version + "\n", sub.out());
    }
}
