package dev.kfptribuo.localrun.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to start one of the images' programs on this machine: the image's entrypoint ({@code java -cp
 * <classpath> <main class>}) with the JVM options the image sets, as a process.
 *
 * @param name what the program is called in messages ({@code train}, {@code helpers})
 * @param java the {@code java} executable
 * @param jvmOptions JVM options, before the classpath
 * @param classpath the program's classpath: its module's jar and its dependencies ({@link
 *     #moduleClasspath})
 * @param mainClass the entrypoint class
 */
public record ProgramLauncher(
        String name, String java, List<String> jvmOptions, String classpath, String mainClass) {
    /** Copies the list. */
    public ProgramLauncher {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(java, "java");
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(classpath, "classpath");
        Objects.requireNonNull(mainClass, "mainClass");
    }

    /**
     * @param args the program's arguments
     * @return the whole command line
     */
    public List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * @param otherMainClass a main class on the same classpath
     * @return this launcher starting that class instead
     */
    public ProgramLauncher withMainClass(String otherMainClass) {
        return new ProgramLauncher(name, java, jvmOptions, classpath, otherMainClass);
    }

    /**
     * The launcher of an image module's program: its build's classpath and class-data archive, or
     * the given classpath.
     *
     * @param name what the program is called in messages
     * @param jvmOptions JVM options, words separated by blanks
     * @param classpath the classpath, or null for the module's build ({@link #moduleClasspath})
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
        List<String> options =
                new ArrayList<>(
                        jvmOptions == null || jvmOptions.isBlank()
                                ? List.of()
                                : List.of(jvmOptions.strip().split("\\s+")));
        String path = classpath;
        if (path == null) {
            path = moduleClasspath(home, module);
            options.addAll(appCdsOptions(home, module));
        }
        return new ProgramLauncher(name, currentJava(), options, path, mainClass);
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

    /**
     * The JVM options that map a module's application class-data sharing archive, when {@code
     * bin/lib/launch} has recorded one ({@code <module>/target/app-cds.jsa}) and no jar of the
     * module is newer: a helpers process then starts in about 0.43 s instead of 0.66 s
     * (bench/local-run). An archive that does not fit is ignored by the JVM.
     *
     * @param home the repository's root
     * @param module the module directory
     * @return the options, or an empty list without a fresh archive
     */
    public static List<String> appCdsOptions(Path home, String module) {
        Path target = home.resolve(module).resolve("target");
        Path archive = target.resolve("app-cds.jsa");
        try {
            if (!Files.isRegularFile(archive)) {
                return List.of();
            }
            long archived = Files.getLastModifiedTime(archive).toMillis();
            List<Path> jars = new ArrayList<>();
            try (var entries = Files.list(target)) {
                entries.filter(p -> p.toString().endsWith(".jar")).forEach(jars::add);
            }
            try (var entries = Files.list(target.resolve("lib"))) {
                entries.filter(p -> p.toString().endsWith(".jar")).forEach(jars::add);
            }
            for (Path jar : jars) {
                if (Files.getLastModifiedTime(jar).toMillis() > archived) {
                    return List.of();
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return List.of(
                "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /**
     * The classpath of an image module built by Maven: {@code
     * <module>/target/<module>-<version>.jar} and the jars of {@code <module>/target/lib}, in the
     * order {@code target/classpath.txt} gives (or the directory's, without it).
     *
     * @param home the repository's root
     * @param module the module directory, e.g. {@code trainer-image}
     * @return the classpath
     * @throws IOException naming the build command if the module is not built
     */
    public static String moduleClasspath(Path home, String module) throws IOException {
        Path target = home.resolve(module).resolve("target");
        Path lib = target.resolve("lib");
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (var entries = Files.list(target)) {
                entries.filter(
                                p ->
                                        p.getFileName().toString().startsWith(module + "-")
                                                && p.getFileName().toString().endsWith(".jar"))
                        .sorted()
                        .forEach(jars::add);
            }
        }
        if (jars.isEmpty() || !Files.isDirectory(lib)) {
            throw new IOException(
                    module
                            + " is not built (no "
                            + target.resolve(module + "-*.jar")
                            + " and "
                            + lib
                            + "): run ./mvnw -q -B install -DskipTests");
        }
        // Maven's order when the build wrote it, as the images' jib-classpath-file: the JVM opens
        // jars in classpath order while it looks for a class.
        Path ordered = target.resolve("classpath.txt");
        if (Files.isRegularFile(ordered)) {
            String entries = Files.readString(ordered).strip();
            String first = entries.split(File.pathSeparator, 2)[0];
            if (!entries.isEmpty() && Files.isRegularFile(Path.of(first))) {
                return jars.get(jars.size() - 1) + File.pathSeparator + entries;
            }
        }
        return jars.get(jars.size() - 1) + File.pathSeparator + lib + File.separator + "*";
    }
}
