package dev.kfptribuo.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The server's log: one JSON object per line on standard output, in the structured form Cloud
 * Logging reads from a container ({@code severity}, {@code message}, and for a request an {@code
 * httpRequest} object, cloud.google.com/logging/docs/structured-logging), so that Vertex AI's logs
 * show each line as one entry with its severity. Lines are written whole, one at a time.
 */
final class ServerLog {
    /** Writes the fields of one line after {@code severity} and {@code message}. */
    interface Fields {
        /**
         * @param json the generator, inside the line's object
         * @throws IOException if writing fails
         */
        void write(JsonGenerator json) throws IOException;
    }

    private static final JsonFactory JSON = new JsonFactory();
    private static final Fields NONE = json -> {};

    private final OutputStream out;

    /**
     * @param out where the lines go, standard output in the program
     */
    ServerLog(OutputStream out) {
        this.out = out;
    }

    /**
     * @param message a line about the server itself (listening, model loaded, stopping)
     */
    void info(String message) {
        line("INFO", message, NONE);
    }

    /**
     * @param message a line about a fault of the server (the model could not be loaded)
     */
    void error(String message) {
        line("ERROR", message, NONE);
    }

    /**
     * Writes one line.
     *
     * @param severity Cloud Logging's severity: INFO, WARNING, ERROR
     * @param message the line's message
     * @param fields the line's other fields
     */
    void line(String severity, String message, Fields fields) {
        // A line is built in memory, then written with one call, so concurrent lines never mix.
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("severity", severity);
            json.writeStringField("message", message);
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        line.write('\n');
        synchronized (this) {
            try {
                line.writeTo(out);
                out.flush();
            } catch (IOException e) {
                // Standard output is gone (a closed pipe): the server goes on serving without its
                // log.
            }
        }
    }
}
