package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kfptribuo.process.ChildProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs a real Cloud Storage JSON API server, fsouza/fake-gcs-server, on a
 * free 127.0.0.1 port and points {@link GcsClient} at it, so that {@code gs://} paths go through
 * the real google-cloud-storage client over HTTP.
 *
 * <p>One server serves every test class of the JVM: it is started by the first class that uses the
 * extension (plain HTTP, in-memory backend), the bucket {@link #BUCKET} is created, the system
 * property {@link GcsClient#EMULATOR_HOST_PROPERTY} is set before the client is first created, and
 * the server is stopped when the test run ends. Tests share the bucket, so each uses its own object
 * prefix.
 *
 * <p>The binary is the one named by the environment variable {@code FAKE_GCS_SERVER}, else {@code
 * $(go env GOPATH)/bin/fake-gcs-server}, else {@code $HOME/go/bin/fake-gcs-server}. When none
 * exists the tests fail (they are not skipped) with a message to run {@code
 * .ci/install-fake-gcs-server}.
 */
public final class FakeGcsServer implements BeforeAllCallback {
    /** The bucket created in the server. */
    public static final String BUCKET = "kfptribuo-test";

    /** Environment variable that may name the fake-gcs-server binary. */
    public static final String BINARY_ENV = "FAKE_GCS_SERVER";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(FakeGcsServer.class);
    private static final Duration STARTUP = Duration.ofSeconds(30);

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store lives for the whole run and closes the server (AutoCloseable) at its end.
        context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Server.class, k -> Server.start(), Server.class);
    }

    /**
     * @param object an object name in {@link #BUCKET}
     * @return {@code gs://BUCKET/object}
     */
    public static String uri(String object) {
        return "gs://" + BUCKET + "/" + object;
    }

    /** A running fake-gcs-server process. */
    static final class Server implements AutoCloseable {
        private final Process process;
        private final String endpoint;
        private final Path log;

        private Server(Process process, String endpoint, Path log) {
            this.process = process;
            this.endpoint = endpoint;
            this.log = log;
        }

        static Server start() {
            Path binary = findBinary();
            Server server = null;
            List<String> failures = new ArrayList<>();
            // A free port can be taken by someone else between probing and binding: try a few.
            for (int attempt = 0; attempt < 3 && server == null; attempt++) {
                try {
                    server = launch(binary, freePort());
                } catch (IOException e) {
                    failures.add(e.getMessage());
                }
            }
            if (server == null) {
                throw new IllegalStateException(
                        "could not start " + binary + ": " + String.join("; ", failures));
            }
            try {
                server.createBucket(BUCKET);
                System.setProperty(GcsClient.EMULATOR_HOST_PROPERTY, server.endpoint);
                String host = GcsClient.get().getOptions().getHost();
                if (!server.endpoint.equals(host)) {
                    throw new IllegalStateException(
                            "GcsClient was created before FakeGcsServer started (its host is "
                                    + host
                                    + ", not "
                                    + server.endpoint
                                    + "): use @ExtendWith(FakeGcsServer.class) on every"
                                    + " test class that touches gs://");
                }
            } catch (RuntimeException | IOException e) {
                server.close();
                throw e instanceof RuntimeException r
                        ? r
                        : new UncheckedIOException((IOException) e);
            }
            Process process = server.process;
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        process.descendants()
                                                .forEach(ProcessHandle::destroyForcibly);
                                        process.destroyForcibly();
                                    }));
            return server;
        }

        private static Path findBinary() {
            List<Path> candidates = new ArrayList<>();
            String fromEnv = System.getenv(BINARY_ENV);
            if (fromEnv != null && !fromEnv.isBlank()) {
                Path path = Path.of(fromEnv);
                if (!Files.isExecutable(path)) {
                    fail(
                            BINARY_ENV
                                    + "="
                                    + fromEnv
                                    + " is not an executable file;"
                                    + " run .ci/install-fake-gcs-server or unset "
                                    + BINARY_ENV);
                }
                return path;
            }
            String gopath = goEnvGopath();
            if (gopath != null) {
                candidates.add(
                        Path.of(
                                gopath.split(java.io.File.pathSeparator)[0],
                                "bin",
                                "fake-gcs-server"));
            }
            // Go's default GOPATH is $HOME/go, from the variable (Java's user.home ignores $HOME).
            String home = System.getenv("HOME");
            candidates.add(
                    Path.of(
                            home != null && !home.isBlank()
                                    ? home
                                    : System.getProperty("user.home"),
                            "go",
                            "bin",
                            "fake-gcs-server"));
            for (Path candidate : candidates) {
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            return fail(
                    "fake-gcs-server (the Cloud Storage emulator the gs:// tests need) was not found in "
                            + candidates
                            + " and "
                            + BINARY_ENV
                            + " is not set: run .ci/install-fake-gcs-server");
        }

        private static String goEnvGopath() {
            try {
                Process go =
                        new ProcessBuilder("go", "env", "GOPATH").redirectErrorStream(true).start();
                String out;
                try (InputStream in = go.getInputStream()) {
                    out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                }
                if (!go.waitFor(30, TimeUnit.SECONDS)) {
                    go.destroyForcibly();
                    return null;
                }
                return go.exitValue() == 0 && !out.isEmpty() ? out : null;
            } catch (IOException e) {
                return null; // go is not on PATH
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        private static Server launch(Path binary, int port) throws IOException {
            String hostPort = "127.0.0.1:" + port;
            String endpoint = "http://" + hostPort;
            Path log = Files.createTempFile("fake-gcs-server-", ".log");
            ProcessBuilder builder =
                    new ProcessBuilder(
                                    binary.toString(),
                                    "-scheme",
                                    "http",
                                    "-host",
                                    "127.0.0.1",
                                    "-port",
                                    Integer.toString(port),
                                    "-backend",
                                    "memory",
                                    "-public-host",
                                    hostPort,
                                    "-external-url",
                                    endpoint,
                                    "-log-level",
                                    "warn")
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            // Through ChildProcesses: a test JVM killed with SIGKILL (a timed-out fork) takes the
            // server with it.
            Process process = ChildProcesses.start(builder);
            Server server = new Server(process, endpoint, log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException(
                            "fake-gcs-server exited with "
                                    + process.exitValue()
                                    + " on port "
                                    + port
                                    + ": "
                                    + server.logTail());
                }
                try {
                    HttpResponse<String> response =
                            http.send(
                                    HttpRequest.newBuilder(URI.create(endpoint + "/storage/v1/b"))
                                            .timeout(Duration.ofSeconds(2))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return server;
                    }
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    server.close();
                    throw new IOException("interrupted while waiting for fake-gcs-server", e);
                }
                sleep(100);
            }
            server.close();
            throw new IOException(
                    "fake-gcs-server did not answer on "
                            + endpoint
                            + " within "
                            + STARTUP
                            + ": "
                            + server.logTail());
        }

        private void createBucket(String name) throws IOException {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest request =
                    HttpRequest.newBuilder(URI.create(endpoint + "/storage/v1/b"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                            "{\"name\":\"" + name + "\"}"))
                            .build();
            try {
                HttpResponse<String> response =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException(
                            "creating bucket "
                                    + name
                                    + " failed: HTTP "
                                    + response.statusCode()
                                    + " "
                                    + response.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while creating bucket " + name, e);
            }
        }

        private String logTail() {
            try {
                String text = Files.readString(log);
                return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            // Children too, in case FAKE_GCS_SERVER names a wrapper script rather than the binary.
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }
}
