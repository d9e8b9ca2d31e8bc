package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Cloud Storage server that answers 429 or 503 with a {@code Retry-After}, through the real
 * client: the fault proxy in front of fake-gcs-server.
 */
@ExtendWith(FakeGcsServer.class)
class GcsRetryAfterIT {
    private static final Logger GCS_LOG = Logger.getLogger("dev.kfptribuo.io.gcs");
    private final List<String> logged = new ArrayList<>();
    private final Handler handler =
            new Handler() {
                @Override
                public void publish(LogRecord record) {
                    synchronized (logged) {
                        logged.add(record.getMessage());
                    }
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };

    @BeforeEach
    void listen() {
        GCS_LOG.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        GCS_LOG.removeHandler(handler);
    }

    private static FaultProxy proxy() throws IOException {
        return new FaultProxy(System.getProperty(GcsClient.EMULATOR_HOST_PROPERTY));
    }

    private static List<Integer> requestsMatching(FaultProxy proxy, String start) {
        List<Integer> found = new ArrayList<>();
        List<String> seen = proxy.seen();
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).startsWith(start)) {
                found.add(i);
            }
        }
        return found;
    }

    @Test
    void anUploadAskedToRetryAfter2SecondsIsRetriedNoSooner() throws IOException {
        byte[] content = "a model's bytes".getBytes(StandardCharsets.UTF_8);
        BlobId id = BlobId.of(FakeGcsServer.BUCKET, "retry-after/waited.bin");
        try (FaultProxy proxy =
                proxy().inject("POST /upload/", FaultProxy.Fault.STATUS_503_RETRY_AFTER_2S, 1)) {
            Storage storage = GcsClient.create(proxy.url(), Duration.ofSeconds(60));

            storage.create(
                    BlobInfo.newBuilder(id).build(),
                    content,
                    Storage.BlobTargetOption.doesNotExist());

            List<Integer> uploads = requestsMatching(proxy, "POST /upload/");
            assertEquals(2, uploads.size(), proxy.seen().toString());
            Duration gap = proxy.between(uploads.get(0), uploads.get(1));
            assertTrue(gap.toMillis() >= 2000, "retried after " + gap);
            assertTrue(
                    logged.stream()
                            .anyMatch(
                                    line ->
                                            line.startsWith("POST /upload/storage/v1/b/")
                                                    && line.endsWith(
                                                            ": HTTP 503, the server asks to retry"
                                                                    + " after 2 s (Retry-After: 2);"
                                                                    + " waiting for it")),
                    logged.toString());
            assertArrayEquals(content, GcsClient.get().readAllBytes(id));
        }
    }

    @Test
    void aReadAskedToRetryAfterPastTheDeadlineFailsAtOnceAndIsNotRetried() throws IOException {
        BlobId id = BlobId.of(FakeGcsServer.BUCKET, "retry-after/refused.json");
        GcsClient.get()
                .create(BlobInfo.newBuilder(id).build(), "{}".getBytes(StandardCharsets.UTF_8));
        try (FaultProxy proxy =
                proxy().inject(
                                "GET /storage/v1/b/" + FakeGcsServer.BUCKET + "/o/retry-after",
                                FaultProxy.Fault.STATUS_429_RETRY_AFTER_120S,
                                100)) {
            Storage storage = GcsClient.create(proxy.url(), Duration.ofSeconds(10));

            long start = System.nanoTime();
            StorageException e = assertThrows(StorageException.class, () -> storage.get(id));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertTrue(millis < 5000, "took " + millis + " ms");
            assertEquals(1, proxy.faulted().size(), proxy.seen().toString());
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "GET /storage/v1/b/"
                                            + FakeGcsServer.BUCKET
                                            + "/o/retry-after%2Frefused.json: HTTP 429, the server"
                                            + " asks to retry after 120 s (Retry-After: 120), past"
                                            + " the deadline of 10 s ("),
                    e.getMessage());
            assertTrue(
                    e.getMessage().endsWith(" s left); set a longer one with --gcs-deadline"),
                    e.getMessage());
        }
    }
}
