package dev.kfptribuo.batch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes lines of output into numbered shard files of at most a given number of rows, named as
 * Vertex AI batch prediction names its outputs: {@code NAME-00000-of-00003SUFFIX}.
 *
 * <p>The total is known only at the end, so shards are written under temporary names in the
 * (staging) directory and renamed by {@link #finish()}. An optional header (a CSV's) starts every
 * shard. No rows make no shard.
 */
final class ShardedWriter implements AutoCloseable {
    private final Path dir;
    private final String name;
    private final String suffix;
    private final long rowsPerShard;
    private final byte[] header;
    private final List<Path> shards = new ArrayList<>();
    private OutputStream current;
    private long rowsInShard;
    private long rows;

    /**
     * @param dir the directory to write in
     * @param name the shards' name, e.g. {@code prediction.results}
     * @param suffix what follows the numbers, e.g. {@code .csv}, or empty
     * @param rowsPerShard rows per shard, at least 1
     * @param header bytes that start every shard, or null
     */
    ShardedWriter(Path dir, String name, String suffix, long rowsPerShard, byte[] header) {
        if (rowsPerShard < 1) {
            throw new IllegalArgumentException(
                    "rows per shard must be at least 1, got " + rowsPerShard);
        }
        this.dir = dir;
        this.name = name;
        this.suffix = suffix;
        this.rowsPerShard = rowsPerShard;
        this.header = header;
    }

    /**
     * Appends whole rows.
     *
     * @param bytes the rows' bytes, each row ending with its line break
     * @param rowEnds the end offset in {@code bytes} of each row, ascending
     * @param count how many entries of {@code rowEnds} are used
     * @throws IOException if writing fails
     */
    void write(byte[] bytes, int[] rowEnds, int count) throws IOException {
        int start = 0;
        int row = 0;
        while (row < count) {
            if (current == null || rowsInShard == rowsPerShard) {
                nextShard();
            }
            int take = (int) Math.min(count - row, rowsPerShard - rowsInShard);
            int end = rowEnds[row + take - 1];
            current.write(bytes, start, end - start);
            start = end;
            row += take;
            rowsInShard += take;
            rows += take;
        }
    }

    /**
     * @return the rows written
     */
    long rows() {
        return rows;
    }

    private void nextShard() throws IOException {
        closeCurrent();
        Path shard = dir.resolve(String.format(Locale.ROOT, ".%s-%05d.part", name, shards.size()));
        current = new BufferedOutputStream(Files.newOutputStream(shard), 1 << 16);
        shards.add(shard);
        rowsInShard = 0;
        if (header != null) {
            current.write(header);
        }
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /**
     * Closes the last shard and gives every shard its final name.
     *
     * @return the shards, in order
     * @throws IOException if closing or renaming fails
     */
    List<Path> finish() throws IOException {
        closeCurrent();
        List<Path> named = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            Path target =
                    dir.resolve(
                            String.format(
                                    Locale.ROOT,
                                    "%s-%05d-of-%05d%s",
                                    name,
                                    i,
                                    shards.size(),
                                    suffix));
            named.add(Files.move(shards.get(i), target, StandardCopyOption.ATOMIC_MOVE));
        }
        return named;
    }

    @Override
    public void close() throws IOException {
        closeCurrent();
    }
}
