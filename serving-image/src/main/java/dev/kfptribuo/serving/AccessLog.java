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
 * names its reason; another server error is an ERROR.
 */
final class AccessLog implements RequestLog {
    /** Request attribute: how many instances the request predicted (an Integer). */
    static final String INSTANCES = AccessLog.class.getName() + ".instances";

    /** Request attribute: why the request was refused (a String). */
    static final String ERROR = AccessLog.class.getName() + ".error";

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
        Object instances = request.getAttribute(INSTANCES);
        Object error = request.getAttribute(ERROR);
        StringBuilder message =
                new StringBuilder()
                        .append(request.getMethod())
                        .append(' ')
                        .append(path)
                        .append(' ')
                        .append(status);
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
        log.line(
                severity,
                message.toString(),
                json -> {
                    json.writeObjectFieldStart("httpRequest");
                    json.writeStringField("requestMethod", request.getMethod());
                    json.writeStringField("requestUrl", path);
                    json.writeNumberField("status", status);
                    json.writeStringField(
                            "requestSize",
                            Long.toString(Math.max(0, Request.getContentBytesRead(request))));
                    json.writeStringField(
                            "responseSize",
                            Long.toString(Response.getContentBytesWritten(response)));
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
                    json.writeStringField(
                            "protocol", request.getConnectionMetaData().getProtocol());
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
