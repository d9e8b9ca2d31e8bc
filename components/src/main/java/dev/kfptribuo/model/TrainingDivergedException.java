package dev.kfptribuo.model;

/** Training produced a non-finite loss: the fit diverged and no model is returned. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what diverged and when, one line
     */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
