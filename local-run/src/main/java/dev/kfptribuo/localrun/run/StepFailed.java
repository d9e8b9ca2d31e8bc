package dev.kfptribuo.localrun.run;

/** A step's failure: its message is the run's one error line. */
public final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why, in one line
     */
    public StepFailed(String message) {
        super(message);
    }
}
