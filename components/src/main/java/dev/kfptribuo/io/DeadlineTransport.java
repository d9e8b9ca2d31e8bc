package dev.kfptribuo.io;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.apache.v2.ApacheHttpTransport;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.client.HttpClient;
import org.apache.http.conn.EofSensorInputStream;
import org.apache.http.entity.HttpEntityWrapper;

/**
 * The HTTP transport of the Cloud Storage client: Apache HttpClient (google-http-client's own
 * adapter), whose response bodies check, at every socket read, the deadline of the object read
 * running on the thread ({@link DeadlineInputStream}). The client fills a whole chunk per read of
 * its channel, so only a check below it stops a server that trickles a byte at a time; a server
 * that stalls is stopped by the read timeout.
 */
final class DeadlineTransport {
    private DeadlineTransport() {}

    /**
     * @param deadline the deadline of a request, its retries included
     * @return a transport whose response bodies honour the current thread's read deadline, and
     *     which waits for the {@code Retry-After} of a 429 or 503 within the deadline ({@link
     *     RetryAfterWait})
     */
    static HttpTransport create(Duration deadline) {
        HttpClient client =
                ApacheHttpTransport.newDefaultHttpClientBuilder()
                        .addInterceptorLast(new RetryAfterWait(deadline))
                        // The stored bytes as they are: the client asks for no transcoding, and
                        // checksums
                        // cover what is stored (an object uploaded with Content-Encoding: gzip).
                        .disableContentCompression()
                        .addInterceptorLast(
                                (HttpResponseInterceptor)
                                        (response, context) -> {
                                            HttpEntity entity = response.getEntity();
                                            if (entity != null) {
                                                response.setEntity(
                                                        new HttpEntityWrapper(entity) {
                                                            @Override
                                                            public InputStream getContent()
                                                                    throws IOException {
                                                                return new Checked(
                                                                        super.getContent());
                                                            }
                                                        });
                                            }
                                        })
                        .build();
        return new ApacheHttpTransport(client);
    }

    /**
     * A response body that fails once the thread's read deadline has passed, and then, when closed,
     * drops its connection: Apache's own close would read the rest of the body to reuse the
     * connection, at the trickling server's pace.
     */
    private static final class Checked extends FilterInputStream {
        private boolean failed;

        Checked(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            check();
            return super.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check();
            try {
                return super.read(buffer, offset, length);
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        private void check() throws IOException {
            try {
                DeadlineInputStream.checkCurrent();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (failed && in instanceof EofSensorInputStream sensor) {
                sensor.abortConnection();
                return;
            }
            super.close();
        }
    }
}
