package dev.kfptribuo.io;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a file lives: a local path or a Cloud Storage object ({@code gs://bucket/object}).
 *
 * <p>Parsed from the strings users pass on the command line. A string that does not start with
 * {@code gs://} is a local path; other URI schemes ({@code s3://}, {@code http://}) are rejected so
 * that a typo never turns into a local file name.
 */
public final class Location {
    private static final String GCS_SCHEME = "gs://";

    private final String bucket;
    private final String path;

    private Location(String bucket, String path) {
        this.bucket = bucket;
        this.path = path;
    }

    /**
     * Parses a location.
     *
     * @param text a local path, or {@code gs://bucket/object}
     * @return the location
     * @throws IllegalArgumentException if the text is blank, names an unsupported scheme, or is a
     *     {@code gs://} URI without a bucket
     */
    public static Location parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty path");
        }
        if (text.startsWith(GCS_SCHEME)) {
            String rest = text.substring(GCS_SCHEME.length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String object = slash < 0 ? "" : rest.substring(slash + 1);
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException("no bucket in " + text);
            }
            return new Location(bucket, object);
        }
        int scheme = text.indexOf("://");
        // RFC 3986 scheme: a letter, then letters, digits, '+', '-' or '.' (s3://, gcs+http://).
        if (scheme > 0 && text.substring(0, scheme).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            throw new IllegalArgumentException(
                    "unsupported URI scheme in " + text + " (use a local path or gs://)");
        }
        return new Location(null, text);
    }

    /**
     * @return true for a Cloud Storage object, false for a local path
     */
    public boolean isGcs() {
        return bucket != null;
    }

    /**
     * @return the Cloud Storage bucket; only for {@link #isGcs()} locations
     */
    public String bucket() {
        return Objects.requireNonNull(bucket, "not a gs:// location");
    }

    /**
     * @return the object name for gs:// (may be empty), or the local path text
     */
    public String path() {
        return path;
    }

    /**
     * @return the local path; only for local locations
     */
    public Path localPath() {
        if (isGcs()) {
            throw new IllegalStateException("not a local path: " + this);
        }
        return Path.of(path);
    }

    /**
     * Resolves a file name inside this location treated as a directory.
     *
     * @param name a file name without slashes, such as {@code model.tribuo}
     * @return the child location
     */
    public Location resolve(String name) {
        if (isGcs()) {
            String prefix = path.isEmpty() || path.endsWith("/") ? path : path + "/";
            return new Location(bucket, prefix + name);
        }
        return new Location(null, Path.of(path).resolve(name).toString());
    }

    /**
     * @param other another location
     * @return true if both name the same directory as text can tell: {@code JD}, {@code JD/} and
     *     {@code ./JD} locally (absolute and normalized, links not followed), {@code gs://b/p} and
     *     {@code gs://b/p/}
     */
    public boolean isSameDirectoryAs(Location other) {
        if (isGcs() != other.isGcs()) {
            return false;
        }
        if (isGcs()) {
            return bucket.equals(other.bucket)
                    && stripSlashes(path).equals(stripSlashes(other.path));
        }
        return localPath()
                .toAbsolutePath()
                .normalize()
                .equals(other.localPath().toAbsolutePath().normalize());
    }

    private static String stripSlashes(String object) {
        int end = object.length();
        while (end > 0 && object.charAt(end - 1) == '/') {
            end--;
        }
        return object.substring(0, end);
    }

    @Override
    public String toString() {
        return isGcs() ? GCS_SCHEME + bucket + "/" + path : path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Location other
                && Objects.equals(bucket, other.bucket)
                && path.equals(other.path);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bucket, path);
    }
}
