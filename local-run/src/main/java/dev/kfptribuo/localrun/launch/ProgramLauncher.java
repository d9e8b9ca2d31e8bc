package dev.kfptribuo.localrun.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to start one of the images' programs on this machine, as a process: a launch command, then
 * the program's main class, then its arguments.
 *
 * <p>An image module built here starts through {@code bin/lib/launch MODULE}, the script behind
 * {@code bin/train} and {@code bin/helpers}: one place knows the module's classpath, its image's
 * JVM flags and its class-data sharing archive, and a step's {@code command.txt} is a command line
 * a user can run as it is.
 *
 * @param name what the program is called in messages ({@code train}, {@code helpers})
 * @param launch the command before the main class
 * @param mainClass the entrypoint class
 */
public record ProgramLauncher(String name, List<String> launch, String mainClass) {
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
                            + "): run ./mvnw -q -B install -DskipTests");
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
