package dev.kfptribuo.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A command's KFP component outputs, the files KFP names with {@code {outputPath: x}}, written
 * together at the command's end: all of them or none, so a failing command leaves no output.
 *
 * <p>KFP hands a component a path for each output; the program must create its parent directories
 * (kubeflow/pipelines#8782) and write exactly the value: the file's text is what downstream steps
 * and {@code dsl.Condition} comparisons see. A command {@link #check}s its output paths before its
 * work, so an unwritable one fails it at once, collects the values as it goes, and {@link #commit}s
 * them last: every local file is first written beside its target (forced to disk), and only when
 * all are written are they renamed into place; gs:// outputs are uploaded after that.
 */
public final class KfpOutputs {
    private final Map<String, byte[]> values = new LinkedHashMap<>();

    /**
     * Fails at once if an output cannot be written: a path that is a directory, or whose nearest
     * existing ancestor is not a writable directory. Nothing is created.
     *
     * @param paths output paths; null ones (outputs not asked for) are skipped
     * @throws IOException naming the first path that cannot be written
     */
    public static void check(String... paths) throws IOException {
        for (String path : paths) {
            if (path == null) {
                continue;
            }
            Location location = Location.parse(path);
            if (location.isGcs()) {
                continue;
            }
            Path target = location.localPath().toAbsolutePath();
            if (Files.isDirectory(target)) {
                throw new FileAlreadyExistsException(
                        target.toString(), null, "an output path, but a directory is there");
            }
            Path ancestor = target.getParent();
            while (ancestor != null && !Files.exists(ancestor)) {
                ancestor = ancestor.getParent();
            }
            if (ancestor == null || !Files.isDirectory(ancestor)) {
                throw new FileAlreadyExistsException(
                        target.toString(),
                        null,
                        "cannot be written, " + ancestor + " is not a directory");
            }
            if (!Files.isWritable(ancestor)) {
                throw new AccessDeniedException(
                        target.toString(),
                        null,
                        "cannot be written, " + ancestor + " is not writable");
            }
        }
    }

    /**
     * @param path the output path, or null to skip (an output not asked for)
     * @param value the text, written as UTF-8 with nothing added
     * @return this
     */
    public KfpOutputs string(String path, String value) {
        if (path != null) {
            values.put(path, value.getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    /**
     * @param path the output path of a {@code Float} output, or null to skip
     * @param value a finite number, written as a plain decimal ({@code 0.7005}, never {@code
     *     7.005E-1})
     * @return this
     * @throws IllegalArgumentException if the value is NaN or infinite
     */
    public KfpOutputs floatValue(String path, double value) {
        return string(path, formatFloat(value));
    }

    /**
     * @param path the output path of an {@code Integer} output, or null to skip
     * @param value the number
     * @return this
     */
    public KfpOutputs integer(String path, long value) {
        return string(path, Long.toString(value));
    }

    /**
     * Writes every output: all or, on a failure before the last rename, none.
     *
     * @throws IOException naming the output that could not be written
     */
    public void commit() throws IOException {
        List<Path[]> staged = new ArrayList<>();
        List<Path> created = new ArrayList<>();
        Map<Location, byte[]> remote = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, byte[]> value : values.entrySet()) {
                Location location = Location.parse(value.getKey());
                if (location.isGcs()) {
                    remote.put(location, value.getValue());
                    continue;
                }
                Path target = location.localPath().toAbsolutePath();
                createDirectories(target.getParent(), created);
                Path temp =
                        target.resolveSibling(
                                "." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
                staged.add(new Path[] {temp, target});
                try (FileChannel channel =
                        FileChannel.open(
                                temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(value.getValue());
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                } catch (IOException e) {
                    throw new IOException(
                            target + ": cannot write the output: " + e.getMessage(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Path[] file : staged) {
                Files.deleteIfExists(file[0]);
            }
            for (int i = created.size() - 1; i >= 0; i--) {
                Files.deleteIfExists(created.get(i));
            }
            throw e;
        }
        for (int i = 0; i < staged.size(); i++) {
            try {
                OutputFiles.replace(staged.get(i)[0], staged.get(i)[1]);
            } catch (IOException e) {
                // No staged file is left behind: this one and those not yet renamed are removed.
                for (Path[] file : staged.subList(i, staged.size())) {
                    Files.deleteIfExists(file[0]);
                }
                throw new IOException(
                        staged.get(i)[1]
                                + ": cannot write the output ("
                                + e.getClass().getSimpleName()
                                + ": "
                                + e.getMessage()
                                + ")",
                        e);
            }
        }
        for (Map.Entry<Location, byte[]> value : remote.entrySet()) {
            OutputFiles.write(value.getKey(), value.getValue());
        }
    }

    /** Creates the directory and its missing parents, noting each one created, outermost first. */
    private static void createDirectories(Path dir, List<Path> created) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            created.add(p);
        }
    }

    /**
     * Writes one output at once: for a command with a single output.
     *
     * @param path the output path
     * @param value the text, written as UTF-8 with nothing added
     * @throws IOException if the file cannot be written
     */
    public static void writeString(String path, String value) throws IOException {
        new KfpOutputs().string(path, value).commit();
    }

    /**
     * @param path the output path of a {@code Float} output
     * @param value a finite number
     * @throws IOException if the file cannot be written
     */
    public static void writeFloat(String path, double value) throws IOException {
        new KfpOutputs().floatValue(path, value).commit();
    }

    /**
     * @param path the output path of an {@code Integer} output
     * @param value the number
     * @throws IOException if the file cannot be written
     */
    public static void writeInteger(String path, long value) throws IOException {
        new KfpOutputs().integer(path, value).commit();
    }

    /**
     * The text of a {@code Float} output: the shortest decimal that reads back as the same double,
     * in positional notation with at least one fractional digit ({@code 1.0}, {@code 0.00001}).
     *
     * @param value a finite number
     * @return its text
     * @throws IllegalArgumentException if the value is NaN or infinite
     */
    public static String formatFloat(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a Float output must be finite, got " + value);
        }
        if (value == 0) {
            return "0.0";
        }
        String plain =
                new BigDecimal(PythonFloats.repr(value)).stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
