package dev.kfptribuo.serving;

import dev.kfptribuo.cli.Programs;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Entry point of the serving image: {@code java dev.kfptribuo.serving.Serve [flags]}, an HTTP
 * server on Vertex AI's custom container contract ({@link ServeCommand}).
 *
 * <p>The log (lifecycle and one line per request) goes to standard output as JSON lines; a fatal
 * error goes to standard error as one line. Exit codes: 0 stopped, 1 runtime error (the model
 * cannot be loaded, the port cannot be bound), 2 usage error; after SIGTERM the JVM exits with 143
 * once the requests in flight are answered.
 */
public final class Serve {
    private static final String JETTY_REFERENCES_PER_CACHE_LINE =
            "org.eclipse.jetty.util.referencesPerCacheLine";

    private Serve() {}

    /**
     * @param args command-line flags, see {@code --help}
     */
    public static void main(String[] args) {
        // Jetty sizes its padding against false sharing from the references per cache line; unset,
        // it asks the platform MBean server, whose start loads about 200 JMX classes (0.1 s of a
        // 1 s start). 64-byte lines of 4-byte compressed references, as on x86-64 with a heap under
        // 32 GB.
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, "16");
        }
        Programs.main(new ServeCommand(System.out, System.getenv(), true), args);
    }

    /**
     * Runs the program without exiting the JVM and without a shutdown hook: the seam tests use. It
     * returns when the server stops, so in-process tests use it for the runs that end by themselves
     * (usage errors, a model that cannot be loaded).
     *
     * @param args command-line flags
     * @param log where the server's log lines go
     * @param err error output
     * @param env environment variables (AIP_HTTP_PORT, AIP_HEALTH_ROUTE, AIP_PREDICT_ROUTE,
     *     AIP_STORAGE_URI)
     * @return the exit code
     */
    public static int run(
            String[] args, OutputStream log, PrintWriter err, Map<String, String> env) {
        PrintWriter out = new PrintWriter(log, true);
        return Programs.run(new ServeCommand(log, env, false), args, out, err);
    }
}
