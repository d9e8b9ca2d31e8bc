package dev.kfptribuo.localrun.run;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** The run's printed lines: one at a time (trials end on their own threads), flushed at once. */
public final class Console {
    private final PrintWriter out;

    /**
     * @param out where the lines go
     */
    public Console(PrintWriter out) {
        this.out = out;
    }

    /**
     * Prints one line.
     *
     * @param format a {@link String#format} format, formatted in {@link Locale#ROOT}
     * @param args its arguments
     */
    public synchronized void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    /**
     * @param path a path
     * @return it as the user would type it: relative to the working directory when inside it
     */
    public static String shown(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
    }

    /**
     * @param start a {@link System#nanoTime()}
     * @return the wall seconds since, to two decimals
     */
    public static double seconds(long start) {
        return Math.round((System.nanoTime() - start) / 1e7) / 100.0;
    }
}
