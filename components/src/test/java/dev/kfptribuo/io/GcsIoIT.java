package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gs:// reading, writing and listing through the real Cloud Storage client against fake-gcs-server.
 */
@ExtendWith(FakeGcsServer.class)
class GcsIoIT {

    @Test
    void writtenObjectReadsBackTheSameBytes() throws IOException {
        Location location = Location.parse(FakeGcsServer.uri("roundtrip/model.bin"));
        byte[] bytes = randomBytes(300_000, 1);

        OutputFiles.write(location, bytes);

        assertArrayEquals(bytes, readAll(new InputFile(location).open()));
        assertArrayEquals(bytes, readAll(new InputFile(location).openRaw()));
        assertEquals(
                bytes.length,
                GcsClient.get()
                        .get(BlobId.of(FakeGcsServer.BUCKET, "roundtrip/model.bin"))
                        .getSize());
    }

    @Test
    void writeReplacesAnExistingObject() throws IOException {
        Location location = Location.parse(FakeGcsServer.uri("replace/metrics.json"));
        OutputFiles.write(
                location,
                "{\"old\":true, \"padding\":\"xxxxxxxxxxxxxxxx\"}"
                        .getBytes(StandardCharsets.UTF_8));
        byte[] replacement = "{\"new\":1}".getBytes(StandardCharsets.UTF_8);

        OutputFiles.write(location, replacement);

        assertArrayEquals(replacement, readAll(new InputFile(location).open()));
    }

    @Test
    void aCreateOrAnUploadThatMustFindNoObjectNeverOverwritesOne() throws IOException {
        // What makes a retried create safe: its precondition refuses an object written meanwhile.
        Location location = Location.parse(FakeGcsServer.uri("precondition/manifest.json"));
        byte[] newer = "{\"newer\":true}".getBytes(StandardCharsets.UTF_8);
        OutputFiles.write(location, newer, OutputFiles.ABSENT);
        OutputFiles.PreconditionFailedException refused =
                assertThrows(
                        OutputFiles.PreconditionFailedException.class,
                        () ->
                                OutputFiles.write(
                                        location,
                                        "{}".getBytes(StandardCharsets.UTF_8),
                                        OutputFiles.ABSENT));
        assertTrue(refused.getMessage().startsWith(location + ": "), refused.getMessage());
        Path file = Files.createTempFile("upload", ".bin");
        try {
            Files.write(file, randomBytes(1000, 3));
            IOException upload =
                    assertThrows(IOException.class, () -> OutputFiles.upload(location, file));
            assertTrue(upload.getMessage().startsWith(location + ": "), upload.getMessage());
        } finally {
            Files.delete(file);
        }
        assertArrayEquals(newer, readAll(new InputFile(location).open()));

        // A generation read earlier: a write after someone else's is refused too.
        long read = OutputFiles.generation(location);
        OutputFiles.write(location, "{\"mine\":1}".getBytes(StandardCharsets.UTF_8), read);
        assertThrows(
                OutputFiles.PreconditionFailedException.class,
                () -> OutputFiles.write(location, "{}".getBytes(StandardCharsets.UTF_8), read));
    }

    @Test
    void emptyObjectRoundTrips() throws IOException {
        Location location = Location.parse(FakeGcsServer.uri("empty/nothing"));

        OutputFiles.write(location, new byte[0]);

        assertArrayEquals(new byte[0], readAll(new InputFile(location).open()));
    }

    @Test
    void objectLargerThanOneReadChunkReadsBackWhole() throws IOException {
        // InputFile reads in 4 MiB chunks, so this takes several ranged GETs.
        Location location = Location.parse(FakeGcsServer.uri("large/blob.bin"));
        byte[] bytes = randomBytes(9 * (1 << 20) + 12_345, 2);

        OutputFiles.write(location, bytes);

        assertArrayEquals(bytes, readAll(new InputFile(location).openRaw()));
    }

    @Test
    void resumableMultiChunkUploadReadsBack() throws IOException {
        byte[] bytes = randomBytes(3 * 256 * 1024 + 777, 3);
        BlobInfo info =
                BlobInfo.newBuilder(BlobId.of(FakeGcsServer.BUCKET, "resumable/part.bin")).build();
        try (WriteChannel writer = GcsClient.get().writer(info)) {
            writer.setChunkSize(256 * 1024); // the minimum, so the upload takes four PUTs
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                writer.write(buffer);
            }
        }

        assertArrayEquals(
                bytes,
                readAll(
                        new InputFile(Location.parse(FakeGcsServer.uri("resumable/part.bin")))
                                .open()));
    }

    @Test
    void expandReturnsExactlyTheMatchingShardsSorted() throws IOException {
        // Uploaded out of order, with near misses beside them.
        for (String name :
                List.of(
                        "dir/data-000000000002.csv",
                        "dir/data-000000000000.csv",
                        "dir/data-000000000001.csv",
                        "dir/sub/data-1.csv",
                        "dir/other.csv",
                        "dir/data-1.csv.gz",
                        "dir/data-3.txt",
                        "dirx/data-9.csv",
                        "data-7.csv",
                        "dir/sub/")) {
            OutputFiles.write(
                    Location.parse(FakeGcsServer.uri(name)),
                    ("a,b\n1," + name + "\n").getBytes(StandardCharsets.UTF_8));
        }

        List<InputFile> files = InputFiles.expand(FakeGcsServer.uri("dir/data-*.csv"));

        assertEquals(
                List.of(
                        FakeGcsServer.uri("dir/data-000000000000.csv"),
                        FakeGcsServer.uri("dir/data-000000000001.csv"),
                        FakeGcsServer.uri("dir/data-000000000002.csv")),
                files.stream().map(InputFile::toString).toList());
        assertEquals(
                List.of(
                        FakeGcsServer.uri("dir/data-000000000000.csv"),
                        FakeGcsServer.uri("dir/data-000000000001.csv"),
                        FakeGcsServer.uri("dir/data-000000000002.csv"),
                        FakeGcsServer.uri("dir/data-1.csv.gz"),
                        FakeGcsServer.uri("dir/data-3.txt")),
                InputFiles.expand(FakeGcsServer.uri("dir/data-*")).stream()
                        .map(InputFile::toString)
                        .toList());
        assertEquals(
                List.of(FakeGcsServer.uri("dir/sub/data-1.csv")),
                InputFiles.expand(FakeGcsServer.uri("dir/sub/data-?.csv")).stream()
                        .map(InputFile::toString)
                        .toList());
        assertEquals(
                List.of(FakeGcsServer.uri("data-7.csv")),
                InputFiles.expand(FakeGcsServer.uri("data-*.csv")).stream()
                        .map(InputFile::toString)
                        .toList());
        // Every listed file opens, with the content written under its name.
        String first = new String(readAll(files.get(0).open()), StandardCharsets.UTF_8);
        assertEquals("a,b\n1,dir/data-000000000000.csv\n", first);
    }

    @Test
    void patternMatchingNothingIsFileNotFound() throws IOException {
        OutputFiles.write(Location.parse(FakeGcsServer.uri("nomatch/data-0.json")), new byte[] {1});

        FileNotFoundException inExistingDir =
                assertThrows(
                        FileNotFoundException.class,
                        () -> InputFiles.expand(FakeGcsServer.uri("nomatch/data-*.csv")));
        assertTrue(
                inExistingDir.getMessage().contains("nomatch/data-*.csv"),
                inExistingDir.getMessage());
        assertThrows(
                FileNotFoundException.class,
                () -> InputFiles.expand(FakeGcsServer.uri("no-such-dir/data-*.csv")));
    }

    @Test
    void missingObjectIsFileNotFound() {
        InputFile missing = new InputFile(Location.parse(FakeGcsServer.uri("missing/data.csv")));

        FileNotFoundException e = assertThrows(FileNotFoundException.class, missing::open);
        assertTrue(e.getMessage().contains(FakeGcsServer.uri("missing/data.csv")), e.getMessage());
        assertThrows(FileNotFoundException.class, missing::openRaw);
        assertThrows(
                FileNotFoundException.class,
                () ->
                        new InputFile(Location.parse("gs://kfptribuo-no-such-bucket/data.csv"))
                                .open());
    }

    @Test
    void gzipObjectsAreDecodedWithOrWithoutTheSuffix() throws IOException {
        byte[] text =
                "Elevation,Cover_Type\n2596,1\n2590,0\n"
                        .repeat(2_000)
                        .getBytes(StandardCharsets.UTF_8);
        byte[] gzip = gzip(text);
        Location withSuffix = Location.parse(FakeGcsServer.uri("gzip/data-000.csv.gz"));
        Location withoutSuffix = Location.parse(FakeGcsServer.uri("gzip/data-001.csv"));
        OutputFiles.write(withSuffix, gzip);
        OutputFiles.write(withoutSuffix, gzip);
        // Stored with Content-Encoding: gzip (as gsutil cp -Z does): the client asks for the stored
        // bytes (no decompressive transcoding), so the checksum still covers what is stored.
        Location transcodable = Location.parse(FakeGcsServer.uri("gzip/data-002.csv"));
        GcsClient.get()
                .create(
                        BlobInfo.newBuilder(BlobId.of(FakeGcsServer.BUCKET, "gzip/data-002.csv"))
                                .setContentType("text/csv")
                                .setContentEncoding("gzip")
                                .build(),
                        gzip);

        for (Location location : List.of(withSuffix, withoutSuffix, transcodable)) {
            assertArrayEquals(text, readAll(new InputFile(location).open()), location.toString());
            // The stored bytes come back untouched: no transcoding by client or server.
            assertArrayEquals(
                    gzip, readAll(new InputFile(location).openRaw()), location.toString());
        }
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 'x'; // never the gzip magic, so open() must not try to decode
        return bytes;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
