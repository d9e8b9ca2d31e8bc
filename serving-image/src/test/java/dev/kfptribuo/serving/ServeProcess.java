package dev.kfptribuo.serving;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve} in a JVM of its own, started as the image starts it (its main, the AIP_*
 * variables), so that a test can send it SIGTERM and read its exit code, standard output and
 * standard error.
 */
final class ServeProcess implements AutoCloseable {
    final Process process;
    final int port;
    final Path out;
    final Path err;
    final long startedNanos = System.nanoTime();

    private ServeProcess(Process process, int port, Path out, Path err) {
        this.process = process;
        this.port = port;
        this.out = out;
        this.err = err;
    }

    /**
     * @param dir where standard output and error go
     * @param env variables added to the child's environment (AIP_HTTP_PORT is set to a free port)
     * @param args serve's flags
     * @return the running process
     */
    static ServeProcess start(Path dir, Map<String, String> env, String... args)
            throws IOException {
        int port = freePort();
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-XX:+UseSerialGC",
                                "-cp",
                                System.getProperty("java.class.path"),
                                Serve.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "serve-", ".out");
        Path err = Files.createTempFile(dir, "serve-", ".err");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
        builder.environment()
                .keySet()
                .removeIf(name -> name.startsWith("AIP_") || name.equals("JDK_JAVA_OPTIONS"));
        builder.environment().put("AIP_HTTP_PORT", Integer.toString(port));
        builder.environment().putAll(env);
        return new ServeProcess(builder.start(), port, out, err);
    }

    /**
     * Waits until GET route answers 200.
     *
     * @return the seconds from the start of the process
     */
    double awaitHealthy(String route, long timeoutSeconds)
            throws IOException, InterruptedException {
        Served.Client client = new Served.Client(port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("serve exited with " + process.exitValue() + ": " + stdout() + stderr());
            }
            try {
                HttpResponse<String> health = client.get(route);
                if (health.statusCode() == 200) {
                    return (System.nanoTime() - startedNanos) / 1e9;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        return fail(
                "serve was not healthy within " + timeoutSeconds + " s: " + stdout() + stderr());
    }

    /** Waits until standard output has a line containing text. */
    void awaitOutput(String text, long timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!stdout().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail(
                        "no '"
                                + text
                                + "' in serve's output within "
                                + timeoutSeconds
                                + " s: "
                                + stdout()
                                + stderr());
            }
            Thread.sleep(10);
        }
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
