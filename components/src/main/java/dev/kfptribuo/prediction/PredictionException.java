package dev.kfptribuo.prediction;

/**
 * A row the model cannot predict, with what is wrong in one line; the caller adds where the row is
 * (a file's line, a request's instance).
 */
public final class PredictionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong
     */
    public PredictionException(String message) {
        super(message);
    }
}
