package dev.kfptribuo.io;

/**
 * Named points in the steps that make outputs appear whole (each write and rename of a model save,
 * of a deploy), where the reliability tests stop the process as {@code kill -9} would: at the point
 * named by the system property {@value #PROPERTY} or, for child processes, the environment variable
 * {@value #ENV}, the JVM halts at once with exit code 137, running no shutdown hook and no {@code
 * finally} block. Unset (always, outside those tests), a point costs one lookup.
 */
public final class CrashPoints {
    /** System property naming the point to halt at. */
    public static final String PROPERTY = "kfptribuo.crashAt";

    /** Environment variable naming the point to halt at, when the property is unset. */
    public static final String ENV = "KFP_TRIBUO_CRASH_AT";

    /** The exit code of a halt, as a shell reports a process killed by SIGKILL. */
    public static final int EXIT_CODE = 137;

    private static final String TARGET = target();

    private CrashPoints() {}

    private static String target() {
        String property = System.getProperty(PROPERTY);
        return property != null && !property.isBlank() ? property : System.getenv(ENV);
    }

    /**
     * @param point the point's name, e.g. {@code save:model-written}
     */
    public static void reached(String point) {
        if (TARGET != null && TARGET.equals(point)) {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
