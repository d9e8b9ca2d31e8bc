package dev.kfptribuo.io;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A test fixture: an HTTP proxy in front of a server (fake-gcs-server, a tuning API) that injects
 * the faults real networks and services have, by rule: a 503 for the first requests that match, a
 * body cut off halfway, a body trickled a byte at a time, headers then silence. Everything else is
 * relayed as it is. Test code only (the JDK's HTTP server is meant for tests).
 */
public final class FaultProxy implements AutoCloseable {
    /** What a rule does to a matching request. */
    public enum Fault {
        /** Answers 503 Service Unavailable itself. */
        STATUS_503,
        /** Answers 503 itself, with {@code Retry-After: 2}. */
        STATUS_503_RETRY_AFTER_2S,
        /** Answers 429 Too Many Requests itself, with {@code Retry-After: 120}. */
        STATUS_429_RETRY_AFTER_120S,
        /** Reads the request, relays nothing and closes the connection without an answer. */
        DROP_REQUEST,
        /** Relays the headers and half of the body, then closes the connection. */
        DROP_BODY,
        /** Relays the body one byte every 50 ms. */
        TRICKLE,
        /** Relays the headers, then sends nothing for a minute. */
        STALL
    }

    /**
     * A fault for the matching requests after the first {@code skip} ones, {@code times} of them; a
     * rule counts every request that matches it, faulted by it or not.
     */
    private record Rule(Pattern request, Fault fault, int skip, int times, AtomicInteger matched) {}

    private static final Set<String> HOP_BY_HOP =
            Set.of(
                    "connection",
                    "content-length",
                    "host",
                    "transfer-encoding",
                    "keep-alive",
                    "upgrade",
                    "expect");

    private final HttpServer server;
    private final ExecutorService threads =
            Executors.newCachedThreadPool(
                    task -> {
                        Thread thread = new Thread(task, "fault-proxy");
                        thread.setDaemon(true);
                        return thread;
                    });
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String target;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<String> faulted = new CopyOnWriteArrayList<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<Long> seenNanos = new CopyOnWriteArrayList<>();

    /**
     * @param target the server's base URL, e.g. {@code http://127.0.0.1:4443}
     * @throws IOException if the proxy cannot listen
     */
    public FaultProxy(String target) throws IOException {
        this.target = target.replaceAll("/$", "");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * @return the proxy's base URL
     */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * @param request a regular expression found in {@code METHOD path?query}, a line break and the
     *     request's body
     * @param fault what to do
     * @param times for how many matching requests
     * @return this
     */
    public FaultProxy inject(String request, Fault fault, int times) {
        return inject(request, fault, 0, times);
    }

    /**
     * @param request as for {@link #inject(String, Fault, int)}
     * @param fault what to do
     * @param skip how many matching requests pass first
     * @param times for how many matching requests after those
     * @return this
     */
    public FaultProxy inject(String request, Fault fault, int skip, int times) {
        rules.add(new Rule(Pattern.compile(request), fault, skip, times, new AtomicInteger()));
        return this;
    }

    /**
     * @return the requests a fault was injected into, as {@code FAULT METHOD path}
     */
    public List<String> faulted() {
        return List.copyOf(faulted);
    }

    /**
     * @return every request relayed or faulted, as {@code METHOD path?query}
     */
    public List<String> seen() {
        return List.copyOf(seen);
    }

    /**
     * @param from the index of a request in {@link #seen()}
     * @param to the index of a later one
     * @return the time between their arrivals
     */
    public Duration between(int from, int to) {
        return Duration.ofNanos(seenNanos.get(to) - seenNanos.get(from));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String line = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        synchronized (seen) {
            seenNanos.add(System.nanoTime());
            seen.add(line);
        }
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        // Rules see the request line and body: a multipart upload names its object in the body.
        String matched = line + "\n" + new String(requestBody, StandardCharsets.ISO_8859_1);
        Fault fault = null;
        for (Rule rule : rules) {
            if (rule.request().matcher(matched).find()) {
                int count = rule.matched().incrementAndGet();
                if (fault == null && count > rule.skip() && count <= rule.skip() + rule.times()) {
                    fault = rule.fault();
                    faulted.add(fault + " " + line);
                }
            }
        }
        if (fault == Fault.DROP_REQUEST) {
            exchange.close(); // no response headers sent: the connection ends with no answer
            return;
        }
        if (fault == Fault.STATUS_503
                || fault == Fault.STATUS_503_RETRY_AFTER_2S
                || fault == Fault.STATUS_429_RETRY_AFTER_120S) {
            int status = fault == Fault.STATUS_429_RETRY_AFTER_120S ? 429 : 503;
            byte[] body =
                    ("{\"error\":{\"code\":" + status + ",\"message\":\"injected\"}}")
                            .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (fault == Fault.STATUS_503_RETRY_AFTER_2S) {
                exchange.getResponseHeaders().add("Retry-After", "2");
            } else if (fault == Fault.STATUS_429_RETRY_AFTER_120S) {
                exchange.getResponseHeaders().add("Retry-After", "120");
            }
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        HttpRequest.Builder forward =
                HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                        .method(
                                exchange.getRequestMethod(),
                                requestBody.length == 0
                                                && !exchange.getRequestMethod().equals("POST")
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(requestBody));
        exchange.getRequestHeaders()
                .forEach(
                        (name, values) -> {
                            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                                values.forEach(value -> forward.header(name, value));
                            }
                        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        response.headers()
                .map()
                .forEach(
                        (name, values) -> {
                            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))
                                    && !name.startsWith(":")) {
                                values.forEach(
                                        value -> exchange.getResponseHeaders().add(name, value));
                            }
                        });
        byte[] body = response.body();
        exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
        OutputStream out = exchange.getResponseBody();
        try {
            if (fault == Fault.DROP_BODY) {
                out.write(body, 0, body.length / 2);
                out.flush();
                throw new IOException("the body is cut here"); // closed below with bytes missing
            }
            if (fault == Fault.TRICKLE) {
                for (byte b : body) {
                    out.write(b);
                    out.flush();
                    sleep(Duration.ofMillis(50));
                }
            } else if (fault == Fault.STALL) {
                out.flush();
                sleep(Duration.ofMinutes(1));
            } else {
                out.write(body);
            }
            out.close();
        } catch (IOException e) {
            // A fault, or the client gave up: drop the connection without finishing the body.
            exchange.close();
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
