package dev.kfptribuo.online;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kfptribuo.prediction.Instances;
import dev.kfptribuo.prediction.PredictionException;
import dev.kfptribuo.prediction.Predictor;
import java.util.List;

/**
 * Answers Vertex AI online prediction requests with a model: the request body ({@link
 * PredictRequest}) in, the response body ({@code {"predictions": [...]}}, one per instance, in
 * order; {@link PredictionsEncoder}) out. Every instance goes through the one prediction path
 * ({@link Instances}, {@link Predictor}), so a row gets the label and scores that {@code
 * evaluate-model} and {@code batch-predict} give it.
 *
 * <p>A request is answered whole or refused whole: the first instance that cannot be predicted (see
 * {@link Instances#read}: wrong kind, a missing, null or non-numeric value; or decision values that
 * overflow) refuses the request with its 0-based position in {@code instances} and the column.
 *
 * <p>Thread-safe: requests may be answered concurrently.
 */
public final class OnlinePredictor {
    private final Instances instances;
    private final PredictionsEncoder.Parts parts;

    /**
     * @param predictor the model
     */
    public OnlinePredictor(Predictor predictor) {
        this.instances = new Instances(predictor);
        this.parts = new PredictionsEncoder.Parts(predictor.classes());
    }

    /**
     * @return the model
     */
    public Predictor predictor() {
        return instances.predictor();
    }

    /** A request's answer: the response body and how many instances it predicted. */
    public record Answer(byte[] body, int instances) {}

    /**
     * @param body a request body, {@code {"instances": [...], "parameters": {...}}}
     * @return the response body, {@code {"predictions": [...]}}
     * @throws BadRequestException if the body or one of its instances cannot be predicted, with
     *     where and why in one line ({@code instance 3: column Elevation: missing})
     */
    public Answer answer(byte[] body) throws BadRequestException {
        return answer(PredictRequest.parse(body));
    }

    /**
     * @param request a parsed request
     * @return the response body
     * @throws BadRequestException if one of its instances cannot be predicted
     */
    public Answer answer(PredictRequest request) throws BadRequestException {
        Predictor predictor = instances.predictor();
        double[] numeric = new double[predictor.numericColumns().size()];
        String[] categorical = new String[predictor.categoricalColumns().size()];
        double[] scores = new double[predictor.classes().size()];
        int count = request.instances().size();
        PredictionsEncoder encoder = new PredictionsEncoder(parts, count);
        for (int i = 0; i < count; i++) {
            JsonNode instance = request.instances().get(i);
            String problem = instances.read(instance, numeric, categorical);
            if (problem != null) {
                throw new BadRequestException("instance " + i + ": " + problem);
            }
            int label;
            try {
                label = predictor.predict(numeric, categorical, scores);
            } catch (PredictionException e) {
                throw new BadRequestException("instance " + i + ": " + e.getMessage());
            }
            encoder.add(label, scores);
        }
        return new Answer(encoder.finish(), count);
    }

    /**
     * @return the model's classes, the order of every prediction's scores
     */
    public List<String> classes() {
        return instances.predictor().classes();
    }
}
