package dev.kfptribuo.online;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kfptribuo.io.JsonErrors;
import dev.kfptribuo.prediction.Instances;
import java.io.IOException;

/**
 * The body of a Vertex AI online prediction request, {@code {"instances": [...], "parameters":
 * {...}}} (vertex-ai/docs/predictions/custom-container-requirements): one JSON object whose {@code
 * instances} is an array; {@code parameters} is optional (absent or null, or an object), and this
 * model has none, so it is read and not used. Other keys are ignored, as Vertex AI ignores them.
 * The body is UTF-8 (RFC 8259 section 8.1): one that starts like UTF-16 or UTF-32, which Jackson
 * would otherwise read, is refused.
 *
 * @param instances the instances, in order; each is checked later, by {@link OnlinePredictor}
 * @param parameters the parameters, or null when absent
 */
public record PredictRequest(ArrayNode instances, JsonNode parameters) {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * @param body the request body, UTF-8 JSON
     * @return the request
     * @throws BadRequestException if the body is not one JSON object with an {@code instances}
     *     array: not UTF-8, not JSON (with the line and column of the problem), empty, another kind
     *     of value, no {@code instances} or one that is not an array, or {@code parameters} that is
     *     not an object
     */
    public static PredictRequest parse(byte[] body) throws BadRequestException {
        if (startsLikeUtf16Or32(body)) {
            throw new BadRequestException(
                    "the body is not UTF-8: it starts like UTF-16 or UTF-32 (a byte-order mark or"
                            + " zero bytes); send UTF-8 JSON");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequestException("the body is not valid JSON: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new BadRequestException("the body could not be read as JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new BadRequestException("the body is empty; expected " + SHAPE);
        }
        if (!root.isObject()) {
            throw new BadRequestException(
                    "the body is " + Instances.kind(root) + "; expected " + SHAPE);
        }
        JsonNode instances = root.get("instances");
        if (instances == null) {
            throw new BadRequestException("the body has no \"instances\"; expected " + SHAPE);
        }
        if (!instances.isArray()) {
            throw new BadRequestException(
                    "\"instances\" is "
                            + Instances.kind(instances)
                            + "; expected an array of instances");
        }
        JsonNode parameters = root.get("parameters");
        if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
            throw new BadRequestException(
                    "\"parameters\" is " + Instances.kind(parameters) + "; expected an object");
        }
        return new PredictRequest((ArrayNode) instances, parameters);
    }

    /**
     * Jackson finds UTF-16 and UTF-32 from a byte-order mark or from zero bytes among the first
     * four; UTF-8 JSON has neither (a zero byte is a control character, which JSON escapes).
     */
    private static boolean startsLikeUtf16Or32(byte[] body) {
        if (body.length >= 2
                && (body[0] == (byte) 0xFE && body[1] == (byte) 0xFF
                        || body[0] == (byte) 0xFF && body[1] == (byte) 0xFE)) {
            return true;
        }
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static final String SHAPE =
            "a JSON object {\"instances\": [...], \"parameters\": {...}}";
}
