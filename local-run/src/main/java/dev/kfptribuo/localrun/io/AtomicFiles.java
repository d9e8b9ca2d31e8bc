package dev.kfptribuo.localrun.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.OutputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Local files that appear whole or not at all: written under a hidden temporary name in the
 * target's directory, then renamed over the target in one step.
 */
public final class AtomicFiles {
    /** Indented JSON, as the run's own files are written. */
    public static final ObjectMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private AtomicFiles() {}

    /**
     * A file being written: write {@link #temp()}, then {@link #commit()}; {@link #abandon()} in a
     * {@code finally} removes the temporary file if the commit did not happen.
     *
     * @param temp where to write
     * @param target where the file appears on commit
     */
    public record Pending(Path temp, Path target) {
        /**
         * Renames the temporary file over the target.
         *
         * @throws IOException if the rename fails
         */
        public void commit() throws IOException {
            OutputFiles.replace(temp, target);
        }

        /** Deletes the temporary file if it is still there; never fails. */
        public void abandon() {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // best effort: a stray hidden temporary file is harmless
            }
        }
    }

    /**
     * @param target the file to write
     * @return a pending write into a hidden temporary file beside it (the directory is created)
     * @throws IOException if the directory cannot be created
     */
    public static Pending begin(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        return new Pending(
                absolute.getParent()
                        .resolve("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp"),
                absolute);
    }

    /**
     * @param target the file
     * @param text its whole content, written as UTF-8
     * @throws IOException if it cannot be written
     */
    public static void writeString(Path target, String text) throws IOException {
        OutputFiles.write(
                Location.parse(target.toAbsolutePath().toString()),
                text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param target the file
     * @param value a Jackson-serialisable value, written as indented JSON
     * @throws IOException if it cannot be written
     */
    public static void writeJson(Path target, Object value) throws IOException {
        OutputFiles.write(
                Location.parse(target.toAbsolutePath().toString()), JSON.writeValueAsBytes(value));
    }
}
