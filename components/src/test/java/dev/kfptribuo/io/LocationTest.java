package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocationTest {
    @Test
    void parsesGcsUris() {
        Location location = Location.parse("gs://bucket/dir/file.csv");
        assertTrue(location.isGcs());
        assertEquals("bucket", location.bucket());
        assertEquals("dir/file.csv", location.path());
        assertEquals(
                "gs://bucket/dir/model.tribuo",
                Location.parse("gs://bucket/dir").resolve("model.tribuo").toString());
        assertEquals(
                "gs://bucket/dir/model.tribuo",
                Location.parse("gs://bucket/dir/").resolve("model.tribuo").toString());
        assertEquals(
                "gs://bucket/model.tribuo",
                Location.parse("gs://bucket").resolve("model.tribuo").toString());
    }

    @Test
    void everythingElseWithoutASchemeIsLocal() {
        assertFalse(Location.parse("data/covertype.csv").isGcs());
        assertFalse(Location.parse("/tmp/a:b/c.csv").isGcs());
        assertEquals("job/model.tribuo", Location.parse("job").resolve("model.tribuo").toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "s3://bucket/key",
                "https://example.com/x.csv",
                "gcs+http://h/x",
                "hdfs://n/x",
                "",
                "  ",
                "gs:///x"
            })
    void otherSchemesAndEmptyPathsAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Location.parse(text));
    }

    @Test
    void theSameDirectorySpelledTwoWaysIsTheSame() {
        assertTrue(Location.parse("jd").isSameDirectoryAs(Location.parse("jd/")));
        assertTrue(Location.parse("jd").isSameDirectoryAs(Location.parse("./x/../jd")));
        assertTrue(
                Location.parse("gs://b/jobs/1")
                        .isSameDirectoryAs(Location.parse("gs://b/jobs/1/")));
        assertFalse(
                Location.parse("gs://b/jobs/1")
                        .isSameDirectoryAs(Location.parse("gs://b/jobs/12")));
        assertFalse(Location.parse("gs://b/jd").isSameDirectoryAs(Location.parse("gs://c/jd")));
        assertFalse(Location.parse("jd").isSameDirectoryAs(Location.parse("gs://jd")));
    }
}
