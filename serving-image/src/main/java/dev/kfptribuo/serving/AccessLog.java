package dev.kfptribuo.serving;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * One line per request on the {@link ServerLog}, written by Jetty once the response is complete:
 * {@code {"severity": "INFO", "message": "POST /predict 200 (3 instances)", "httpRequest": {...}}}
 * with Cloud Logging's {@code httpRequest} fields (method, URL, status, sizes, latency, remote
 * address, user agent, protocol). A client error, or 503 while the model loads, is a WARNING and
 * names its reason; another server error is an ERROR. A request whose request line Jetty could not
 * read is logged without a method or URL ({@code "400 (no request line could be read): No URI"}).
 */
final class AccessLog implements RequestLog {
    /** Request attribute: how many instances the request predicted (an Integer). */
    static final String INSTANCES = AccessLog.class.getName() + ".instances";

    /** Request attribute: why the request was refused (a String). */
    static final String ERROR = AccessLog.class.getName() + ".error";

    /** Request attribute: the size in bytes of the error body sent (a Long). */
    static final String ERROR_BODY_SIZE = AccessLog.class.getName() + ".errorBodySize";

    // What Jetty names a request whose request line it could not parse
    // (HttpConnection.RequestHandler.badMessage).
    private static final String UNREAD_METHOD = "BAD";
    private static final String UNREAD_PATH = "/badMessage";

    private final ServerLog log;

    /**
     * @param log where the lines go
     */
    AccessLog(ServerLog log) {
        this.log = log;
    }

    @Override
    public void log(Request request, Response response) {
        int status = response.getStatus();
        String path = request.getHttpURI().getPathQuery();
        boolean unread = UNREAD_METHOD.equals(request.getMethod()) && UNREAD_PATH.equals(path);
        Object instances = request.getAttribute(INSTANCES);
        Object error = request.getAttribute(ERROR);
        StringBuilder message = new StringBuilder();
        if (unread) {
            message.append(status).append(" (no request line could be read)");
        } else {
            message.append(request.getMethod()).append(' ').append(path).append(' ').append(status);
        }
        if (instances != null) {
            message.append(" (")
                    .append(instances)
                    .append(instances.equals(1) ? " instance)" : " instances)");
        }
        if (error != null) {
            message.append(": ").append(error);
        }
        // 503 is "not ready yet" (the model loading, the server stopping), which health checks
        // expect.
        String severity =
                status >= 500 && status != 503 ? "ERROR" : status >= 400 ? "WARNING" : "INFO";
        long nanos = System.nanoTime() - request.getBeginNanoTime();
        long responseSize = Response.getContentBytesWritten(response);
        if (request.getAttribute(ERROR_BODY_SIZE) instanceof Long errorBody) {
            responseSize = Math.max(responseSize, errorBody);
        }
        long sent = responseSize;
        log.line(
                severity,
                message.toString(),
                json -> {
                    json.writeObjectFieldStart("httpRequest");
                    if (!unread) {
                        json.writeStringField("requestMethod", request.getMethod());
                        json.writeStringField("requestUrl", path);
                    }
                    json.writeNumberField("status", status);
                    json.writeStringField(
                            "requestSize",
                            Long.toString(Math.max(0, Request.getContentBytesRead(request))));
                    json.writeStringField("responseSize", Long.toString(sent));
                    json.writeStringField(
                            "latency", String.format(java.util.Locale.ROOT, "%.6fs", nanos / 1e9));
                    String remote =
                            remoteIp(request.getConnectionMetaData().getRemoteSocketAddress());
                    if (remote != null) {
                        json.writeStringField("remoteIp", remote);
                    }
                    String agent = request.getHeaders().get(HttpHeader.USER_AGENT);
                    if (agent != null) {
                        json.writeStringField("userAgent", agent);
                    }
                    if (!unread) {
                        json.writeStringField(
                                "protocol", request.getConnectionMetaData().getProtocol());
                    }
                    json.writeEndObject();
                    if (instances != null) {
                        json.writeNumberField("instances", (Integer) instances);
                    }
                });
    }

    private static String remoteIp(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : null;
    }
}
