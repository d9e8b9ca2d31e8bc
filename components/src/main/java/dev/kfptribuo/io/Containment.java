package dev.kfptribuo.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Whether a location is, or lies inside, another, as the stores resolve them: on Cloud Storage by
 * bucket and the object name's slash-separated segments ({@code gs://b/jo} is not inside {@code
 * gs://b/job}); locally by the absolute path with its symbolic links resolved as far as it exists,
 * so that two spellings of one directory ({@code job}, {@code ./x/../job}, a link to it) are the
 * same. A local path and a gs:// one never overlap.
 */
public final class Containment {
    private Containment() {}

    /**
     * @param path a file or directory
     * @param dir a directory (or a file: then only itself is inside it)
     * @return true if {@code path} is {@code dir} or lies inside it
     * @throws IOException if a local path's existing part cannot be resolved
     */
    public static boolean within(Location path, Location dir) throws IOException {
        if (path.isGcs() != dir.isGcs() || path.isGcs() && !path.bucket().equals(dir.bucket())) {
            return false;
        }
        List<String> inner = segments(path);
        List<String> outer = segments(dir);
        return inner.size() >= outer.size() && inner.subList(0, outer.size()).equals(outer);
    }

    /**
     * @param a a location
     * @param b another
     * @return true if both name the same file or directory
     * @throws IOException if a local path's existing part cannot be resolved
     */
    public static boolean same(Location a, Location b) throws IOException {
        return within(a, b) && within(b, a);
    }

    private static List<String> segments(Location location) throws IOException {
        if (location.isGcs()) {
            return Arrays.stream(location.path().split("/")).filter(s -> !s.isEmpty()).toList();
        }
        Path absolute = location.localPath().toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        Path real =
                existing == null
                        ? absolute
                        : existing.toRealPath().resolve(existing.relativize(absolute));
        return StreamSupport.stream(real.spliterator(), false).map(Path::toString).toList();
    }
}
