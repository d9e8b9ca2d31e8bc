package dev.kfptribuo.localrun.launch;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's root, where the image modules' builds are ({@code trainer-image/target}...): the
 * {@value #PROPERTY} system property when set, else two levels above local-run's own code ({@code
 * local-run/target/classes} or {@code local-run/target/local-run-*.jar}), else the working
 * directory.
 */
public final class ProjectRoot {
    /** The system property naming the repository's root. */
    public static final String PROPERTY = "kfptribuo.home";

    private ProjectRoot() {}

    /**
     * @return the repository's root
     */
    public static Path find() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        try {
            Path code =
                    Path.of(
                            ProjectRoot.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            Path root = code.getParent().getParent().getParent();
            if (Files.isDirectory(root.resolve("trainer-image"))) {
                return root;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        return Path.of("").toAbsolutePath();
    }
}
