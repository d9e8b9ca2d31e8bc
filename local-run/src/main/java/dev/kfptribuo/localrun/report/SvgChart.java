package dev.kfptribuo.localrun.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for the report: a scatter of trials (one hyperparameter against the metric) and
 * horizontal bars. Written through {@link Html}, so every label is escaped.
 */
final class SvgChart {
    private static final String SVG = "http://www.w3.org/2000/svg";
    private static final int WIDTH = 380;
    private static final int HEIGHT = 250;
    private static final int LEFT = 58;
    private static final int RIGHT = 16;
    private static final int TOP = 14;
    private static final int BOTTOM = 44;

    private SvgChart() {}

    /** How a value maps to the horizontal axis. */
    enum Kind {
        /** Linear numbers. */
        LINEAR,
        /** Logarithmic numbers. */
        LOG,
        /** Equally spaced categories (DISCRETE values, CATEGORICAL values). */
        CATEGORY
    }

    /**
     * The horizontal axis.
     *
     * @param kind the mapping
     * @param min smallest value (numbers)
     * @param max largest value (numbers)
     * @param categories the categories, in order (CATEGORY)
     */
    record Axis(Kind kind, double min, double max, List<String> categories) {}

    /**
     * One trial.
     *
     * @param x its value: a number, or the category's index
     * @param y its metric
     * @param label the trial id
     * @param best whether it is the best trial
     * @param tooltip text shown on hover
     */
    record Point(double x, double y, String label, boolean best, String tooltip) {}

    static void scatter(Html h, String xLabel, Axis axis, String yLabel, List<Point> points) {
        double yMin = points.stream().mapToDouble(Point::y).min().orElse(0);
        double yMax = points.stream().mapToDouble(Point::y).max().orElse(1);
        double pad = Math.max((yMax - yMin) * 0.15, Math.max(Math.abs(yMax) * 0.002, 1e-4));
        yMin -= pad;
        yMax += pad;
        List<Double> yTicks = ticks(yMin, yMax, 5);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double finalYMin = yMin;
        double finalYMax = yMax;
        java.util.function.DoubleUnaryOperator py =
                v -> TOP + plotH - (v - finalYMin) / (finalYMax - finalYMin) * plotH;
        java.util.function.DoubleUnaryOperator px = v -> LEFT + position(axis, v) * plotW;

        h.open(
                "svg",
                "xmlns",
                SVG,
                "width",
                WIDTH,
                "height",
                HEIGHT,
                "viewBox",
                "0 0 " + WIDTH + " " + HEIGHT,
                "role",
                "img",
                "class",
                "chart");
        h.element("title", yLabel + " against " + xLabel);
        h.open(
                        "rect",
                        "x",
                        LEFT,
                        "y",
                        TOP,
                        "width",
                        fmt(plotW),
                        "height",
                        fmt(plotH),
                        "class",
                        "plot")
                .close();
        for (double t : yTicks) {
            double y = py.applyAsDouble(t);
            h.open(
                            "line",
                            "x1",
                            LEFT,
                            "x2",
                            fmt(LEFT + plotW),
                            "y1",
                            fmt(y),
                            "y2",
                            fmt(y),
                            "class",
                            "grid")
                    .close();
            h.element(
                    "text",
                    tickLabel(t, yTicks),
                    "x",
                    LEFT - 6,
                    "y",
                    fmt(y + 4),
                    "text-anchor",
                    "end",
                    "class",
                    "tick");
        }
        List<Double> xTicks = new ArrayList<>();
        List<String> xTickLabels = new ArrayList<>();
        if (axis.kind() == Kind.CATEGORY) {
            for (int i = 0; i < axis.categories().size(); i++) {
                xTicks.add((double) i);
                xTickLabels.add(axis.categories().get(i));
            }
        } else if (axis.kind() == Kind.LOG) {
            for (double decade = Math.pow(10, Math.floor(Math.log10(axis.min())));
                    decade <= axis.max() * 1.0001;
                    decade *= 10) {
                for (int m : new int[] {1, 2, 5}) {
                    double v = decade * m;
                    if (v >= axis.min() * 0.9999 && v <= axis.max() * 1.0001) {
                        xTicks.add(v);
                    }
                }
            }
            xTicks.forEach(v -> xTickLabels.add(number(v)));
        } else {
            xTicks.addAll(ticks(axis.min(), axis.max(), 5));
            xTicks.forEach(v -> xTickLabels.add(tickLabel(v, xTicks)));
        }
        for (int i = 0; i < xTicks.size(); i++) {
            double x = px.applyAsDouble(xTicks.get(i));
            h.open(
                            "line",
                            "x1",
                            fmt(x),
                            "x2",
                            fmt(x),
                            "y1",
                            TOP,
                            "y2",
                            fmt(TOP + plotH),
                            "class",
                            "grid")
                    .close();
            h.element(
                    "text",
                    xTickLabels.get(i),
                    "x",
                    fmt(x),
                    "y",
                    fmt(TOP + plotH + 16),
                    "text-anchor",
                    "middle",
                    "class",
                    "tick");
        }
        h.element(
                "text",
                xLabel,
                "x",
                fmt(LEFT + plotW / 2),
                "y",
                HEIGHT - 6,
                "text-anchor",
                "middle",
                "class",
                "axis");
        h.element(
                "text",
                yLabel,
                "x",
                12,
                "y",
                fmt(TOP + plotH / 2),
                "text-anchor",
                "middle",
                "class",
                "axis",
                "transform",
                "rotate(-90 12 " + fmt(TOP + plotH / 2) + ")");
        for (Point p : points) {
            double x = px.applyAsDouble(p.x());
            double y = py.applyAsDouble(p.y());
            h.open("g", "class", p.best() ? "point best" : "point");
            h.open("circle", "cx", fmt(x), "cy", fmt(y), "r", p.best() ? 7 : 5);
            h.element("title", p.tooltip());
            h.close();
            h.element("text", p.label(), "x", fmt(x + 8), "y", fmt(y - 6), "class", "label");
            h.close();
        }
        h.close();
    }

    /**
     * Horizontal bars with a label and a value each.
     *
     * @param labels one per bar
     * @param values one per bar, &gt;= 0
     * @param valueLabels the text written after each bar
     */
    static void bars(
            Html h,
            String title,
            List<String> labels,
            List<Double> values,
            List<String> valueLabels) {
        int rowH = 20;
        int labelW = 110;
        int barW = 220;
        int height = rowH * labels.size() + 6;
        int width = labelW + barW + 90;
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        h.open(
                "svg",
                "xmlns",
                SVG,
                "width",
                width,
                "height",
                height,
                "viewBox",
                "0 0 " + width + " " + height,
                "role",
                "img",
                "class",
                "chart");
        h.element("title", title);
        for (int i = 0; i < labels.size(); i++) {
            double w = max > 0 ? values.get(i) / max * barW : 0;
            int y = 3 + i * rowH;
            h.element(
                    "text",
                    labels.get(i),
                    "x",
                    labelW - 6,
                    "y",
                    y + 14,
                    "text-anchor",
                    "end",
                    "class",
                    "tick");
            h.open(
                            "rect",
                            "x",
                            labelW,
                            "y",
                            y + 3,
                            "width",
                            fmt(Math.max(w, 0.5)),
                            "height",
                            rowH - 6,
                            "class",
                            "bar")
                    .close();
            h.element(
                    "text",
                    valueLabels.get(i),
                    "x",
                    fmt(labelW + w + 6),
                    "y",
                    y + 14,
                    "class",
                    "tick");
        }
        h.close();
    }

    private static double position(Axis axis, double v) {
        switch (axis.kind()) {
            case CATEGORY:
                {
                    int n = axis.categories().size();
                    return n <= 1 ? 0.5 : 0.08 + 0.84 * v / (n - 1);
                }
            case LOG:
                {
                    double lo = Math.log(axis.min());
                    double hi = Math.log(axis.max());
                    return hi == lo ? 0.5 : 0.04 + 0.92 * (Math.log(v) - lo) / (hi - lo);
                }
            default:
                return axis.max() == axis.min()
                        ? 0.5
                        : 0.04 + 0.92 * (v - axis.min()) / (axis.max() - axis.min());
        }
    }

    /** About {@code count} round tick values covering [min, max]. */
    static List<Double> ticks(double min, double max, int count) {
        List<Double> ticks = new ArrayList<>();
        if (!(max > min)) {
            ticks.add(min);
            return ticks;
        }
        double raw = (max - min) / count;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (magnitude * m >= raw) {
                step = magnitude * m;
                break;
            }
        }
        for (double v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
            ticks.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return ticks;
    }

    private static String tickLabel(double v, List<Double> ticks) {
        double step = ticks.size() > 1 ? Math.abs(ticks.get(1) - ticks.get(0)) : Math.abs(v);
        if (step > 0 && (step < 1e-3 || Math.abs(v) >= 1e6)) {
            return String.format(Locale.ROOT, "%.1e", v);
        }
        int decimals = step >= 1 || step == 0 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + Math.min(decimals + 1, 6) + "f", v)
                .replaceAll("(\\.\\d*?[1-9])0+$", "$1")
                .replaceAll("\\.0+$", "");
    }

    private static String number(double v) {
        return dev.kfptribuo.io.PythonFloats.repr(v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
