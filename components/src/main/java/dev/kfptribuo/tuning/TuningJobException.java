package dev.kfptribuo.tuning;

/**
 * A tuning job that was read but gives no answer: it has not finished, has no usable trial, or its
 * best trial lacks a hyperparameter that was asked for. The message is one line naming the job and
 * what is wrong.
 */
public class TuningJobException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the job and the problem
     */
    public TuningJobException(String message) {
        super(message);
    }
}
