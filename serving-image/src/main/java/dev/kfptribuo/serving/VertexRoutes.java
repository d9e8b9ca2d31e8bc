package dev.kfptribuo.serving;

import dev.kfptribuo.online.BadRequestException;
import dev.kfptribuo.online.OnlinePredictor;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP side of Vertex AI's custom container contract, and nothing else: which route, which
 * method, the body's size; the prediction itself is {@link OnlinePredictor}'s.
 *
 * <ul>
 *   <li>{@code GET} (or {@code HEAD}) on the health route: 200 once the model is loaded, 503
 *       before.
 *   <li>{@code POST} on the predict route: the body, read without holding a thread while it arrives
 *       ({@link RequestBody}), to {@link OnlinePredictor} once one of the config's parallel
 *       predictions is free (in arrival order), its answer as 200; a bad body or instance as 400; a
 *       body over the limit as 413 (once the client has sent it, up to {@link RequestBody#DRAINED}
 *       bytes past the limit, so that it reads the answer; at once when its declared length is
 *       larger still); a body that stops arriving for the idle timeout as 408 (503 once the server
 *       is stopping); 503 until the model is loaded.
 *   <li>Another method on either route: 405 with {@code Allow}; any other path: 404.
 * </ul>
 *
 * The 404, 405 and 503 are answered once the request's body, if any, has arrived (read and dropped,
 * up to as much as a 413 reads), as the 413 is.
 *
 * <p>Every error goes through {@link Response#writeError}, so its body is {@link
 * JsonErrorHandler}'s.
 */
final class VertexRoutes extends Handler.Abstract {
    private static final String HEALTH_METHODS = "GET, HEAD";
    private static final byte[] READY =
            "{\"status\":\"ready\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ServingConfig config;
    // Fair: a request waits for the ones that came before it. With as many in flight as
    // connections,
    // unlimited predictions time-slice the cores and a few requests wait for all the others (on 2
    // cores at 32 connections, a p99 15-25 times the median; bench/serving/README.md).
    private final Semaphore predictions;
    private volatile OnlinePredictor predictor;
    private volatile boolean stopping;

    /**
     * @param config the routes and the request size limit
     */
    VertexRoutes(ServingConfig config) {
        this.config = config;
        this.predictions = new Semaphore(config.parallelPredictions(), true);
    }

    /**
     * @param predictor the loaded model: from now on health answers 200 and predictions are made
     */
    void ready(OnlinePredictor predictor) {
        this.predictor = predictor;
    }

    /**
     * Marks the server as stopping: a body that stops arriving from now on (Jetty gives idle
     * connections a short timeout while it stops) is answered 503, not the idle timeout's 408.
     */
    void stopping() {
        stopping = true;
    }

    /**
     * @return true once {@link #ready} was called
     */
    boolean isReady() {
        return predictor != null;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        boolean health = path.equals(config.healthRoute());
        boolean predict = path.equals(config.predictRoute());
        if (predict && HttpMethod.POST.is(method)) {
            predict(request, response, callback);
        } else if (health && (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method))) {
            health(request, response, callback);
        } else if (health || predict) {
            String allow =
                    health && predict
                            ? HEALTH_METHODS + ", POST"
                            : health ? HEALTH_METHODS : "POST";
            response.getHeaders().put(HttpHeader.ALLOW, allow);
            refuse(
                    request,
                    response,
                    callback,
                    HttpStatus.METHOD_NOT_ALLOWED_405,
                    method + " is not allowed on " + path + " (allowed: " + allow + ")");
        } else {
            refuse(
                    request,
                    response,
                    callback,
                    HttpStatus.NOT_FOUND_404,
                    "no route "
                            + path
                            + ": the routes are GET "
                            + config.healthRoute()
                            + " and POST "
                            + config.predictRoute());
        }
        return true;
    }

    private void health(Request request, Response response, Callback callback) {
        if (predictor == null) {
            refuse(
                    request,
                    response,
                    callback,
                    HttpStatus.SERVICE_UNAVAILABLE_503,
                    "the model is loading");
            return;
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(
                true,
                HttpMethod.HEAD.is(request.getMethod()) ? null : ByteBuffer.wrap(READY),
                callback);
    }

    private void predict(Request request, Response response, Callback callback) {
        OnlinePredictor model = predictor;
        if (model == null) {
            refuse(
                    request,
                    response,
                    callback,
                    HttpStatus.SERVICE_UNAVAILABLE_503,
                    "the model is loading");
            return;
        }
        long limit = config.maxRequestBytes();
        long declared = request.getLength();
        String size = declared > limit ? declared + " bytes" : "more than " + limit + " bytes";
        if (declared > limit + RequestBody.DRAINED) {
            tooLarge(request, response, callback, size); // too much to read only to drop it
            return;
        }
        RequestBody.read(
                request,
                limit,
                new RequestBody.Listener() {
                    @Override
                    public void read(byte[] body) {
                        answer(model, body, request, response, callback);
                    }

                    @Override
                    public void tooLarge() {
                        VertexRoutes.this.tooLarge(request, response, callback, size);
                    }

                    @Override
                    public void timedOut() {
                        if (stopping) {
                            Response.writeError(
                                    request,
                                    response,
                                    callback,
                                    HttpStatus.SERVICE_UNAVAILABLE_503,
                                    "the server is stopping, and the request body had stopped"
                                            + " arriving; send the request again");
                            return;
                        }
                        Response.writeError(
                                request,
                                response,
                                callback,
                                HttpStatus.REQUEST_TIMEOUT_408,
                                "the request body stopped arriving: nothing came for "
                                        + config.idleTimeout().toSeconds()
                                        + " s (serve --idle-timeout)");
                    }

                    @Override
                    public void failed(Throwable failure) {
                        Response.writeError(
                                request,
                                response,
                                callback,
                                HttpStatus.BAD_REQUEST_400,
                                "the request body could not be read: " + failure.getMessage());
                    }
                });
    }

    private void answer(
            OnlinePredictor model,
            byte[] body,
            Request request,
            Response response,
            Callback callback) {
        OnlinePredictor.Answer answer;
        try {
            answer = inTurn(model, body);
        } catch (BadRequestException e) {
            Response.writeError(
                    request, response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
            return;
        }
        request.setAttribute(AccessLog.INSTANCES, answer.instances());
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }

    private OnlinePredictor.Answer inTurn(OnlinePredictor model, byte[] body)
            throws BadRequestException {
        predictions.acquireUninterruptibly();
        try {
            return model.answer(body);
        } finally {
            predictions.release();
        }
    }

    /**
     * Answers an error once the request's body, if any, has arrived (read and dropped, up to the
     * limit plus {@link RequestBody#DRAINED} bytes, as much as a 413 reads; a larger declared one
     * at once): a client still sending when the server answers and closes would often get a reset
     * connection instead of the answer.
     */
    private void refuse(
            Request request, Response response, Callback callback, int status, String message) {
        Runnable answer = () -> Response.writeError(request, response, callback, status, message);
        long most = config.maxRequestBytes() + RequestBody.DRAINED;
        if (request.getLength() == 0 || request.getLength() > most) {
            answer.run();
            return;
        }
        RequestBody.drop(
                request,
                most,
                new RequestBody.Listener() {
                    @Override
                    public void read(byte[] body) {
                        answer.run();
                    }

                    @Override
                    public void tooLarge() {
                        answer.run();
                    }

                    @Override
                    public void timedOut() {
                        answer.run();
                    }

                    @Override
                    public void failed(Throwable failure) {
                        answer.run();
                    }
                });
    }

    private void tooLarge(Request request, Response response, Callback callback, String size) {
        Response.writeError(
                request,
                response,
                callback,
                HttpStatus.PAYLOAD_TOO_LARGE_413,
                "the request body is "
                        + size
                        + "; the limit is "
                        + config.maxRequestBytes()
                        + " bytes (serve --max-request-bytes)");
    }
}
