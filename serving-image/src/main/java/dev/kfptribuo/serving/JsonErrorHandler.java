package dev.kfptribuo.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error response of the server, whoever makes it (the routes' 400, 404, 405, 413 and 503, or
 * Jetty's own for a request it cannot parse), has one body: {@code {"error": "..."}}, JSON, the
 * reason in one line, never a stack trace. The reason is also kept for the access log.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final JsonFactory JSON = new JsonFactory();

    JsonErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    /**
     * Jetty writes error bodies only for GET, POST and HEAD by default; a 405 to a DELETE gets one
     * too.
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request,
            Response response,
            int code,
            String message,
            Throwable cause,
            Callback callback)
            throws IOException {
        String reason =
                message != null && !message.isBlank()
                        ? message.strip()
                        : HttpStatus.getMessage(code);
        if (request.getAttribute(AccessLog.ERROR) == null) {
            request.setAttribute(AccessLog.ERROR, reason);
        }
        byte[] body = body(reason);
        // Jetty does not count an error body it writes for a request it refused before any handler
        // (no Host, 414, 431) in the response's bytes written; the access log reads the size here.
        request.setAttribute(AccessLog.ERROR_BODY_SIZE, (long) body.length);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * @param reason why the request failed
     * @return {@code {"error": reason}} as UTF-8 JSON
     */
    static byte[] body(String reason) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + reason.length());
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField("error", reason);
            json.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
