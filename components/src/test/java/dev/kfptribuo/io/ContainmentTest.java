package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Containment}: gs:// by bucket and segments, local paths with their links resolved. */
class ContainmentTest {
    private static boolean within(String path, String dir) throws IOException {
        return Containment.within(Location.parse(path), Location.parse(dir));
    }

    @Test
    void gsLocationsAreComparedByBucketAndSegments() throws IOException {
        assertTrue(within("gs://b/jobs/1/manifest.json", "gs://b/jobs/1"));
        assertTrue(within("gs://b/jobs/1", "gs://b/jobs/1/"));
        assertTrue(within("gs://b/anything", "gs://b"));
        assertFalse(within("gs://b/jobs/12/x", "gs://b/jobs/1"));
        assertFalse(within("gs://c/jobs/1/x", "gs://b/jobs/1"));
        assertFalse(within("gs://b/jobs/1", "gs://b/jobs/1/x"));
        assertFalse(within("b/jobs/1/x", "gs://b/jobs/1"));
    }

    @Test
    void localPathsAreComparedWithTheirLinksResolvedAsFarAsTheyExist(@TempDir Path dir)
            throws IOException {
        Path job = Files.createDirectories(dir.resolve("job"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), job);
        assertTrue(within(link.resolve("not/yet/there").toString(), job.toString()));
        assertTrue(within(job.resolve("x").toString(), link.toString()));
        assertTrue(within(dir.resolve("other/../job/x").toString(), job.toString()));
        assertTrue(Containment.same(Location.parse(link.toString()), Location.parse(job + "/")));
        assertFalse(within(dir.resolve("job2/x").toString(), job.toString()));
        assertFalse(within(dir.toString(), job.toString()));
    }
}
