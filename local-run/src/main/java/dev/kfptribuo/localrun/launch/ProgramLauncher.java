package dev.kfptribuo.localrun.launch;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to start one of the images' programs on this machine, as a process: a launch command, then
 * the program's main class, then its arguments.
 *
 * <p>An image module built here starts through {@code bin/lib/launch MODULE}, the script behind
 * {@code bin/train} and {@code bin/helpers}: one place knows the module's classpath, its image's
 * JVM flags and its class-data sharing archive, and a step's {@code command.txt} (one argument per
 * line) starts the program as {@code bin/train} or {@code bin/helpers} would.
 *
 * @param name what the program is called in messages ({@code train}, {@code helpers})
 * @param launch the command before the main class
 * @param mainClass the entrypoint class
 */
public record ProgramLauncher(String name, List<String> launch, String mainClass) {
    private static final Pattern GENERIC_JVM_ERROR =
            Pattern.compile(
                    "Error: (Could not create the Java Virtual Machine|A fatal exception has occurred)\\..*"
                            + "|Error occurred during initialization of VM");

    /** Copies the list. */
    public ProgramLauncher {
        Objects.requireNonNull(name, "name");
        launch = List.copyOf(launch);
        Objects.requireNonNull(mainClass, "mainClass");
    }

    /**
     * @param args the program's arguments
     * @return the whole command line
     */
    public List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(launch);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * @param otherMainClass a main class launched the same way
     * @return this launcher starting that class instead
     */
    public ProgramLauncher withMainClass(String otherMainClass) {
        return new ProgramLauncher(name, launch, otherMainClass);
    }

    /**
     * A program on a classpath given whole: {@code java OPTIONS -cp CLASSPATH MAIN}.
     *
     * @param name what the program is called in messages
     * @param java the {@code java} executable
     * @param jvmOptions JVM options, before the classpath
     * @param classpath the classpath
     * @param mainClass the program's main class
     * @return the launcher
     */
    public static ProgramLauncher onClasspath(
            String name, String java, List<String> jvmOptions, String classpath, String mainClass) {
        List<String> launch = new ArrayList<>();
        launch.add(java);
        launch.addAll(jvmOptions);
        launch.add("-cp");
        launch.add(Objects.requireNonNull(classpath, "classpath"));
        return new ProgramLauncher(name, launch, mainClass);
    }

    /**
     * The launcher of an image module's program: {@code bin/lib/launch MODULE} (the JVM options, if
     * any, in its {@code JAVA_OPTS}, after the image's flags, which they override), or {@link
     * #onClasspath} with this JVM's {@code java} when a classpath is given.
     *
     * @param name what the program is called in messages
     * @param jvmOptions JVM options, words separated by blanks; null or blank for the image's alone
     * @param classpath the classpath, or null for the module's build
     * @param home the repository's root
     * @param module the module directory, e.g. {@code trainer-image}
     * @param mainClass the program's main class
     * @return the launcher
     * @throws IOException naming the build command if the module is not built
     */
    public static ProgramLauncher ofModule(
            String name,
            String jvmOptions,
            String classpath,
            Path home,
            String module,
            String mainClass)
            throws IOException {
        boolean noOptions = jvmOptions == null || jvmOptions.isBlank();
        if (classpath != null) {
            return onClasspath(
                    name,
                    currentJava(),
                    noOptions ? List.of() : List.of(jvmOptions.strip().split("\\s+")),
                    classpath,
                    mainClass);
        }
        Path lib = home.resolve(module).resolve("target").resolve("lib");
        if (!Files.isDirectory(lib)) {
            // launch would build it, in the middle of a run: the run says so before it starts.
            throw new IOException(
                    module
                            + " is not built (no "
                            + lib
                            + "): run ./mvnw -q -B package -DskipTests");
        }
        List<String> launch = new ArrayList<>();
        if (!noOptions) {
            launch.add("env");
            launch.add("JAVA_OPTS=" + jvmOptions.strip());
        }
        launch.add(home.resolve("bin").resolve("lib").resolve("launch").toString());
        launch.add(module);
        return new ProgramLauncher(name, launch, mainClass);
    }

    /**
     * Starts the program once with {@code --version} (picocli's, every program has it), so that JVM
     * options a JVM refuses fail before a run starts rather than in each of its trials. Without a
     * class-data archive recorded: one of a {@code --version} run would serve the real runs badly.
     *
     * @return null if it started and exited 0, else the JVM's reason, its first line of error
     *     output that is not one of the JVM's generic lines ("Error: Could not create the Java
     *     Virtual Machine.", "Error: A fatal exception has occurred.", "Error occurred during
     *     initialization of VM")
     * @throws IOException if it cannot be started at all
     * @throws InterruptedException if interrupted while it runs
     */
    public String startProblem() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("env", "KFP_TRIBUO_CDS=off"));
        command.addAll(command(List.of("--version")));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        int exit = process.waitFor();
        if (exit == 0) {
            return null;
        }
        return output.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !GENERIC_JVM_ERROR.matcher(line).matches())
                .findFirst()
                .orElse("exit code " + exit + ", no output");
    }

    /**
     * @return the {@code java} executable of this JVM, so the programs run on the same Java
     */
    public static String currentJava() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElseGet(
                        () -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
