package dev.kfptribuo.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The version of the build, as every program's {@code --version} prints it: {@code <command>
 * (kfp-tribuo) <version>}, the version being the Maven project's, written into {@code
 * build.properties} by resource filtering, so that it is never typed twice.
 */
public final class BuildVersion implements IVersionProvider {
    private static final String VERSION = read();

    private final CommandSpec command;

    /**
     * @param command the (sub)command whose name the line starts with
     */
    public BuildVersion(CommandSpec command) {
        this.command = command;
    }

    /**
     * @return the project version, for example {@code 0.1.0-SNAPSHOT}
     */
    public static String version() {
        return VERSION;
    }

    @Override
    public String[] getVersion() {
        return new String[] {command.qualifiedName() + " (kfp-tribuo) " + VERSION};
    }

    private static String read() {
        try (InputStream in = BuildVersion.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "build.properties is missing from the classpath: a broken build");
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            if (version.isEmpty() || version.startsWith("${")) {
                throw new IllegalStateException(
                        "build.properties was not filtered by Maven: a broken build");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
