package dev.kfptribuo.tuning;

import java.util.Locale;

/** Whether a tuning job looks for the largest or the smallest value of its metric. */
public enum Goal {
    /** Larger is better (accuracy). */
    MAXIMIZE,
    /** Smaller is better (loss). */
    MINIMIZE;

    /**
     * @param text the goal as both APIs spell it, {@code MAXIMIZE} or {@code MINIMIZE}
     * @return the goal
     * @throws IllegalArgumentException for anything else, including {@code GOAL_TYPE_UNSPECIFIED}
     */
    public static Goal parse(String text) {
        if (text != null) {
            switch (text.strip().toUpperCase(Locale.ROOT)) {
                case "MAXIMIZE":
                    return MAXIMIZE;
                case "MINIMIZE":
                    return MINIMIZE;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(
                "goal is "
                        + (text == null ? "missing" : "'" + text + "'")
                        + ", expected MAXIMIZE or MINIMIZE");
    }

    /**
     * @param candidate a metric value
     * @param best the best value so far
     * @return true if {@code candidate} is strictly better than {@code best} under this goal
     */
    public boolean better(double candidate, double best) {
        return this == MAXIMIZE ? candidate > best : candidate < best;
    }
}
