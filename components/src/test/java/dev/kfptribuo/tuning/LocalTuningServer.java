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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the tuning APIs on 127.0.0.1: the JDK's HTTP server answering GETs of scripted
 * paths with scripted replies, and recording each request.
 *
 * <p>Each path has a queue of replies; each request takes the next, and the last one repeats. A
 * path without a script answers 404 with a Google API error body, as both APIs do for an unknown
 * job.
 *
 * <p>Besides well-formed replies it plays a hostile server: one that trickles its body a byte at a
 * time, stalls before or after the headers, sends a body that never ends or one far larger than a
 * job document, or asks for a {@code Retry-After}. Each request runs on its own thread, and {@link
 * #close()} ends every reply still under way.
 */
public final class LocalTuningServer implements AutoCloseable {
    /**
     * The test documents' directory, relative to the components module (for tests that need a
     * file).
     */
    public static final Path DOCUMENTS = Path.of("src/test/resources/tuning");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a reply is sent. */
    public enum Mode {
        /** Headers and the whole body at once. */
        WHOLE,
        /** Closes the connection without any response (a network error). */
        DROP,
        /** Headers with the body's Content-Length, then the body one byte per {@code pace}. */
        TRICKLE,
        /** Nothing at all until the server closes: no status line, no headers. */
        STALL_BEFORE_HEADERS,
        /** Headers with the body's Content-Length, then no byte until the server closes. */
        STALL_AFTER_HEADERS,
        /**
         * Headers without a length, then filler bytes until the client goes away or the server
         * closes.
         */
        ENDLESS,
        /** Headers, then {@code size} filler bytes, declared as Content-Length or not. */
        LARGE
    }

    /**
     * One scripted reply.
     *
     * @param status the HTTP status
     * @param body the JSON body
     * @param drop true to close the connection without any response (a network error)
     * @param mode how it is sent
     * @param headers extra response headers
     * @param pace the time between two bytes of a {@link Mode#TRICKLE} body
     * @param size the number of bytes of a {@link Mode#LARGE} body
     * @param declareLength whether a {@link Mode#LARGE} body's length is sent as Content-Length
     * @param retryAfterDate if not null, a {@code Retry-After} HTTP date this long after the reply
     *     is sent, rounded up to the next whole second
     */
    public record Reply(
            int status,
            byte[] body,
            boolean drop,
            Mode mode,
            Map<String, String> headers,
            Duration pace,
            long size,
            boolean declareLength,
            Duration retryAfterDate) {
        /**
         * A reply sent whole, or dropped.
         *
         * @param status the HTTP status
         * @param body the JSON body
         * @param drop true to close the connection without any response
         */
        public Reply(int status, byte[] body, boolean drop) {
            this(
                    status,
                    body,
                    drop,
                    drop ? Mode.DROP : Mode.WHOLE,
                    Map.of(),
                    Duration.ZERO,
                    0,
                    false,
                    null);
        }

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

        /**
         * @return a reply that closes the connection without a response
         */
        public static Reply dropConnection() {
            return new Reply(0, new byte[0], true);
        }

        /**
         * @param body the body, sent a byte at a time
         * @param pace the time between two bytes
         * @return a 200 reply with the body's Content-Length whose body trickles
         */
        public static Reply trickle(byte[] body, Duration pace) {
            return new Reply(200, body, false, Mode.TRICKLE, Map.of(), pace, 0, false, null);
        }

        /**
         * @return a reply that sends nothing, not even a status line, until the server closes
         */
        public static Reply stallBeforeHeaders() {
            return new Reply(
                    200,
                    new byte[0],
                    false,
                    Mode.STALL_BEFORE_HEADERS,
                    Map.of(),
                    Duration.ZERO,
                    0,
                    false,
                    null);
        }

        /**
         * @param body the body whose length the headers declare
         * @return a 200 reply that sends its headers and then nothing until the server closes
         */
        public static Reply stallAfterHeaders(byte[] body) {
            return new Reply(
                    200,
                    body,
                    false,
                    Mode.STALL_AFTER_HEADERS,
                    Map.of(),
                    Duration.ZERO,
                    0,
                    false,
                    null);
        }

        /**
         * @param status the HTTP status
         * @return a reply of no declared length whose body never ends
         */
        public static Reply endless(int status) {
            return new Reply(
                    status,
                    new byte[0],
                    false,
                    Mode.ENDLESS,
                    Map.of(),
                    Duration.ZERO,
                    0,
                    false,
                    null);
        }

        /**
         * @param size the number of body bytes
         * @param declareLength true to send Content-Length, false for a chunked body
         * @return a 200 reply with a body of that many filler bytes (JSON whitespace after an
         *     object's start)
         */
        public static Reply large(long size, boolean declareLength) {
            return new Reply(
                    200,
                    new byte[0],
                    false,
                    Mode.LARGE,
                    Map.of(),
                    Duration.ZERO,
                    size,
                    declareLength,
                    null);
        }

        /**
         * @param name a header name
         * @param value its value
         * @return this reply with that response header too
         */
        public Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(
                    status,
                    body,
                    drop,
                    mode,
                    Map.copyOf(more),
                    pace,
                    size,
                    declareLength,
                    retryAfterDate);
        }

        /**
         * @param ahead how long after the reply is sent the date is
         * @return this reply with a {@code Retry-After} HTTP date (IMF-fixdate), rounded up to a
         *     whole second; {@link #retryAfterDatesSent()} tells which
         */
        public Reply withRetryAfterDate(Duration ahead) {
            return new Reply(status, body, drop, mode, headers, pace, size, declareLength, ahead);
        }
    }

    /**
     * One request as received.
     *
     * @param method the HTTP method
     * @param path the raw path
     * @param authorization the Authorization header, or null
     * @param accept the Accept header, or null
     * @param receivedNanos when it came, on {@link System#nanoTime()}'s clock
     * @param receivedAt when it came, on the wall clock
     */
    public record Request(
            String method,
            String path,
            String authorization,
            String accept,
            long receivedNanos,
            Instant receivedAt) {}

    private static final byte[] FILLER = filler();

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<Instant> retryAfterDates = new ArrayList<>();
    private final AtomicLong bodyBytesSent = new AtomicLong();

    private LocalTuningServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @return a running server on a free 127.0.0.1 port
     */
    public static LocalTuningServer start() {
        try {
            HttpServer server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            // A thread per exchange, so that a stalled or trickling reply holds up no other
            // request.
            ExecutorService executor =
                    Executors.newCachedThreadPool(
                            runnable -> {
                                Thread thread = new Thread(runnable, "local-tuning-server");
                                thread.setDaemon(true);
                                return thread;
                            });
            server.setExecutor(executor);
            LocalTuningServer local = new LocalTuningServer(server, executor);
            server.createContext("/", local::handle);
            server.start();
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the API base URL, {@code http://127.0.0.1:PORT/v1/}
     */
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

    /**
     * @return the requests so far
     */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /**
     * @return the instants of the {@code Retry-After} dates sent so far, in order
     */
    public synchronized List<Instant> retryAfterDatesSent() {
        return List.copyOf(retryAfterDates);
    }

    /**
     * @return the body bytes written so far, by all replies (a client that stops reading stops
     *     them)
     */
    public long bodyBytesSent() {
        return bodyBytesSent.get();
    }

    /**
     * @param i the index of a request
     * @return the time between the request before it and this one
     */
    public Duration gapBefore(int i) {
        List<Request> all = requests();
        return Duration.ofNanos(all.get(i).receivedNanos() - all.get(i - 1).receivedNanos());
    }

    /**
     * @return the paths requested so far, in order
     */
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
        long received = System.nanoTime();
        Instant receivedAt = Instant.now();
        String path = exchange.getRequestURI().getRawPath();
        synchronized (this) {
            requests.add(
                    new Request(
                            exchange.getRequestMethod(),
                            path,
                            exchange.getRequestHeaders().getFirst("Authorization"),
                            exchange.getRequestHeaders().getFirst("Accept"),
                            received,
                            receivedAt));
        }
        Deque<Reply> script = scripts.get(path);
        Reply reply;
        if (script == null) {
            reply =
                    Reply.error(
                            404, "NOT_FOUND", "The requested resource " + path + " was not found.");
        } else {
            synchronized (script) {
                reply = script.size() > 1 ? script.poll() : script.peek();
            }
        }
        try {
            send(exchange, reply);
        } catch (IOException clientWentAway) {
            // the client closed the connection: what a client that gives up does
        } finally {
            exchange.close();
        }
    }

    private void send(HttpExchange exchange, Reply reply) throws IOException {
        switch (reply.mode()) {
            case DROP -> {
                // Closing an exchange before sending headers drops the connection: the client sees
                // a network error.
                return;
            }
            case STALL_BEFORE_HEADERS -> {
                awaitClose(null);
                return;
            }
            default -> {}
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        if (reply.retryAfterDate() != null) {
            Instant at =
                    Instant.now()
                            .plus(reply.retryAfterDate())
                            .truncatedTo(ChronoUnit.SECONDS)
                            .plusSeconds(1);
            synchronized (this) {
                retryAfterDates.add(at);
            }
            exchange.getResponseHeaders()
                    .set(
                            "Retry-After",
                            DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                    at.atOffset(ZoneOffset.UTC)));
        }
        OutputStream body = exchange.getResponseBody();
        switch (reply.mode()) {
            case TRICKLE -> {
                exchange.sendResponseHeaders(reply.status(), reply.body().length);
                for (byte b : reply.body()) {
                    body.write(b);
                    body.flush();
                    bodyBytesSent.incrementAndGet();
                    if (awaitClose(reply.pace())) {
                        return;
                    }
                }
            }
            case STALL_AFTER_HEADERS -> {
                exchange.sendResponseHeaders(reply.status(), reply.body().length);
                body.flush();
                awaitClose(null);
            }
            case ENDLESS -> {
                exchange.sendResponseHeaders(reply.status(), 0);
                body.write('{');
                while (closed.getCount() > 0) {
                    body.write(FILLER);
                    bodyBytesSent.addAndGet(FILLER.length);
                }
            }
            case LARGE -> {
                exchange.sendResponseHeaders(
                        reply.status(), reply.declareLength() ? reply.size() : 0);
                for (long left = reply.size();
                        left > 0 && closed.getCount() > 0;
                        left -= FILLER.length) {
                    int n = (int) Math.min(left, FILLER.length);
                    body.write(FILLER, 0, n);
                    bodyBytesSent.addAndGet(n);
                }
            }
            default -> {
                exchange.sendResponseHeaders(
                        reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
                body.write(reply.body());
                bodyBytesSent.addAndGet(reply.body().length);
            }
        }
        body.close();
    }

    /**
     * Waits until the server closes, or for a time.
     *
     * @param time how long, or null for as long as the server runs
     * @return true if the server closed
     */
    private boolean awaitClose(Duration time) {
        try {
            if (time == null) {
                closed.await();
                return true;
            }
            return closed.await(time.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** 64 KiB of spaces: what a server that pads a JSON document might send. */
    private static byte[] filler() {
        byte[] spaces = new byte[64 << 10];
        Arrays.fill(spaces, (byte) ' ');
        return spaces;
    }

    /**
     * @param text a body as text, for the few tests that need a non-JSON body
     */
    public static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Stops the server, ending every reply still under way (a stall, a trickle, an endless body).
     */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
