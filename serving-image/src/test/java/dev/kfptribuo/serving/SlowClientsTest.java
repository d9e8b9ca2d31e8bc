package dev.kfptribuo.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send part of a body and stall, as slow links and slowloris attacks do, against a
 * real serve process: more of them than the server's 200 threads do not keep the health check or
 * other clients' predictions from answering at once, and each stalled request gets 408 with a JSON
 * error after the idle timeout, with no stack trace anywhere.
 */
class SlowClientsTest {
    private static final int STALLED = 250;
    private static final String PARTIAL = "{\"instances\": [";

    @TempDir static Path shared;
    private static String jobDir;
    private static Served.Rows rows;

    @TempDir Path dir;

    @BeforeAll
    static void train() throws IOException {
        jobDir = shared.resolve("job").toString();
        Served.train(jobDir);
        rows = Served.rows(jobDir);
    }

    /** Opens a connection and sends the headers of a 1,000-byte POST and the body's first bytes. */
    private static Socket stall(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        OutputStream out = socket.getOutputStream();
        out.write(
                ("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 1000\r\n\r\n"
                                + PARTIAL)
                        .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static String readAll(Socket socket) throws IOException {
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void stalledBodiesHoldNoThreadAndEachGets408AfterTheIdleTimeout() throws Exception {
        try (ServeProcess serve =
                ServeProcess.start(
                        dir,
                        Map.of(),
                        "--model-dir",
                        jobDir,
                        "--host",
                        "127.0.0.1",
                        "--idle-timeout",
                        "3")) {
            serve.awaitHealthy("/health", 60);
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < STALLED; i++) {
                    stalled.add(stall(serve.port));
                }
                Thread.sleep(300); // every body has started arriving

                Served.Client client = new Served.Client(serve.port);
                long started = System.nanoTime();
                HttpResponse<String> health = client.get("/health");
                HttpResponse<String> predicted =
                        client.post("/predict", Served.body(List.of(rows.object(0))));
                double seconds = (System.nanoTime() - started) / 1e9;
                assertEquals(200, health.statusCode(), health.body());
                assertEquals(200, predicted.statusCode(), predicted.body());
                rows.check(0, Served.JSON.readTree(predicted.body()).get("predictions").get(0));
                assertTrue(
                        seconds < 2.5,
                        "health and a prediction took "
                                + seconds
                                + " s behind "
                                + STALLED
                                + " stalled bodies (the idle timeout is 3 s)");

                for (Socket socket : List.of(stalled.get(0), stalled.get(STALLED - 1))) {
                    String response = readAll(socket);
                    assertTrue(response.startsWith("HTTP/1.1 408 "), response);
                    JsonNode error =
                            Served.JSON.readTree(
                                    response.substring(response.indexOf("\r\n\r\n") + 4));
                    assertTrue(
                            error.get("error").asText().contains("nothing came for 3 s"), response);
                }
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
            assertTrue(serve.process.isAlive(), serve.stderr());
            HttpResponse<String> after =
                    new Served.Client(serve.port)
                            .post("/predict", Served.body(List.of(rows.object(1))));
            assertEquals(200, after.statusCode(), after.body());
            String stderr = serve.stderr();
            assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"), stderr);
            String stdout = serve.stdout();
            assertFalse(stdout.contains("\tat ") || stdout.contains("\"status\":500"), stdout);
            assertTrue(stdout.contains("\"status\":408"), stdout);
        }
    }

    @Test
    void aBodyStalledWhenTheServerStopsGets503NotTheIdleTimeouts408() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PredictionServer server =
                new PredictionServer(ServingTest.config(jobDir, 1 << 20), new ServerLog(log));
        server.start();
        server.load();
        try (Socket socket = stall(server.port())) {
            Thread.sleep(300); // the body has started arriving
            Thread stopper = new Thread(server::stop, "stopper");
            stopper.start();
            String response = readAll(socket);
            stopper.join(30_000);
            assertFalse(stopper.isAlive(), "the server stopped");
            assertTrue(response.startsWith("HTTP/1.1 503 "), response);
            assertEquals(
                    "the server is stopping, and the request body had stopped arriving; send the"
                            + " request again",
                    Served.JSON
                            .readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
                            .get("error")
                            .asText(),
                    response);
        } finally {
            server.stop();
        }
    }
}
