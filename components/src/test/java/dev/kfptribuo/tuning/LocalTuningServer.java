package dev.kfptribuo.tuning;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the tuning APIs on 127.0.0.1: the JDK's HTTP server answering GETs of scripted
 * paths with scripted replies, and recording each request.
 *
 * <p>Each path has a queue of replies; each request takes the next, and the last one repeats. A
 * path without a script answers 404 with a Google API error body, as both APIs do for an unknown
 * job.
 */
public final class LocalTuningServer implements AutoCloseable {
    /** The test documents' directory, relative to the components module (for tests that need a file). */
    public static final Path DOCUMENTS = Path.of("src/test/resources/tuning");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One scripted reply.
     *
     * @param status the HTTP status
     * @param body the JSON body
     * @param drop true to close the connection without any response (a network error)
     */
    public record Reply(int status, byte[] body, boolean drop) {
        /**
         * @param body the JSON body
         * @return a 200 reply
         */
        public static Reply ok(byte[] body) {
            return new Reply(200, body, false);
        }

        /**
         * @param status the HTTP status
         * @param googleStatus the Google API status, e.g. {@code NOT_FOUND}
         * @param message the error message
         * @return a reply with a Google API error body
         */
        public static Reply error(int status, String googleStatus, String message) {
            return new Reply(status, errorBody(status, googleStatus, message), false);
        }

        /** @return a reply that closes the connection without a response */
        public static Reply dropConnection() {
            return new Reply(0, new byte[0], true);
        }
    }

    /**
     * One request as received.
     *
     * @param method the HTTP method
     * @param path the raw path
     * @param authorization the Authorization header, or null
     * @param accept the Accept header, or null
     */
    public record Request(String method, String path, String authorization, String accept) {}

    private final HttpServer server;
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();

    private LocalTuningServer(HttpServer server) {
        this.server = server;
    }

    /** @return a running server on a free 127.0.0.1 port */
    public static LocalTuningServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            LocalTuningServer local = new LocalTuningServer(server);
            server.createContext("/", local::handle);
            server.start();
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the API base URL, {@code http://127.0.0.1:PORT/v1/} */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/";
    }

    /**
     * Scripts a path.
     *
     * @param path the request path, e.g. {@code /v1/projects/p/jobs/j}
     * @param replies the replies in order; the last repeats
     */
    public void script(String path, Reply... replies) {
        scripts.put(path, new ArrayDeque<>(List.of(replies)));
    }

    /** @return the requests so far */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** @return the paths requested so far, in order */
    public synchronized List<String> paths() {
        return requests.stream().map(Request::path).toList();
    }

    /**
     * @param file a document under {@link #DOCUMENTS}, e.g. {@code ai-platform/running.json}
     * @return its bytes, read from the classpath so that other modules' tests can use it too
     */
    public static byte[] document(String file) {
        try (InputStream in = LocalTuningServer.class.getResourceAsStream("/tuning/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test document tuning/" + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Google API error body: {@code {"error": {"code", "message", "status"}}}. */
    public static byte[] errorBody(int code, String status, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.put("status", status);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        synchronized (this) {
            requests.add(new Request(exchange.getRequestMethod(), path,
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Accept")));
        }
        Deque<Reply> script = scripts.get(path);
        Reply reply;
        if (script == null) {
            reply = Reply.error(404, "NOT_FOUND", "The requested resource " + path + " was not found.");
        } else {
            synchronized (script) {
                reply = script.size() > 1 ? script.poll() : script.peek();
            }
        }
        if (reply.drop()) {
            // Closing an exchange before sending headers drops the connection: the client sees a network error.
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(reply.body());
        }
    }

    /** @param text a body as text, for the few tests that need a non-JSON body */
    public static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
