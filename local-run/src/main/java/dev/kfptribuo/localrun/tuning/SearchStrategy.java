package dev.kfptribuo.localrun.tuning;

import dev.kfptribuo.io.PythonFloats;
import dev.kfptribuo.tuning.ParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses the hyperparameters of each trial of a local study.
 *
 * <p>The cloud service's default algorithm is Bayesian optimisation, which adapts to the results;
 * with the lab's 6 trials, 3 at a time, its first wave is necessarily a space-filling guess. The
 * local stand-in is not adaptive: every trial's values are fixed before the study starts, so a
 * study is reproducible from its seed:
 *
 * <ul>
 *   <li>{@code ALGORITHM_UNSPECIFIED} (the lab's): a Halton sequence (bases 2, 3, 5, ... one per
 *       parameter, from index 1) in the unit hypercube, shifted by a random offset drawn from the
 *       seed (a Cranley-Patterson rotation), so that few trials already cover every parameter's
 *       range evenly;
 *   <li>{@code RANDOM_SEARCH}: independent uniform draws from the seed;
 *   <li>{@code GRID_SEARCH}: every combination of the values (INTEGER: each whole number of the
 *       range), the last parameter varying fastest, up to maxTrials.
 * </ul>
 *
 * A point {@code u} of the unit interval becomes a value through the parameter's scale: DOUBLE
 * linear {@code min + u (max - min)}, log {@code min (max/min)^u}, reverse log {@code max + min -
 * min (max/min)^(1-u)} (dense near max); INTEGER the same over {@code [min, max + 1)}, rounded
 * down; DISCRETE without a scale, or CATEGORICAL, the value of index {@code floor(u n)} (equal
 * chances); DISCRETE with a scale, the value nearest to {@code u} once the values are placed on the
 * unit interval by that scale.
 */
public final class SearchStrategy {
    private static final int[] PRIMES = {
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71
    };

    /**
     * A value given to a trial.
     *
     * @param text the value as the trial receives it on its command line ({@code 0.00042}, {@code
     *     500}, {@code log})
     * @param number the value as a number, or null for a CATEGORICAL value
     */
    public record Value(String text, Double number) {}

    private SearchStrategy() {}

    /**
     * @param spec the study's spec
     * @param seed the study's seed
     * @return the values of each trial, in trial order (trial 1 first), parameters in spec order;
     *     maxTrials of them, fewer for a grid smaller than that
     * @throws IllegalArgumentException if the spec has more parameters than this search supports
     *     (20)
     */
    public static List<Map<String, Value>> suggest(TuningSpec spec, long seed) {
        int dims = spec.params().size();
        if (dims > PRIMES.length) {
            throw new IllegalArgumentException(
                    "at most " + PRIMES.length + " searched parameters are supported, got " + dims);
        }
        List<Map<String, Value>> trials = new ArrayList<>();
        if (spec.algorithm() == TuningSpec.Algorithm.GRID_SEARCH) {
            List<List<Value>> axes = new ArrayList<>();
            for (ParameterSpec p : spec.params()) {
                axes.add(gridValues(p, spec.maxTrials()));
            }
            int[] index = new int[dims];
            while (trials.size() < spec.maxTrials()) {
                Map<String, Value> values = new LinkedHashMap<>();
                for (int d = 0; d < dims; d++) {
                    values.put(spec.params().get(d).name(), axes.get(d).get(index[d]));
                }
                trials.add(Collections.unmodifiableMap(values));
                int d = dims - 1;
                while (d >= 0 && ++index[d] == axes.get(d).size()) {
                    index[d] = 0;
                    d--;
                }
                if (d < 0) {
                    break; // the whole grid
                }
            }
            return List.copyOf(trials);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] shift = new double[dims];
        for (int d = 0; d < dims; d++) {
            shift[d] = random.nextDouble();
        }
        for (int t = 0; t < spec.maxTrials(); t++) {
            Map<String, Value> values = new LinkedHashMap<>();
            for (int d = 0; d < dims; d++) {
                double u =
                        spec.algorithm() == TuningSpec.Algorithm.RANDOM_SEARCH
                                ? random.nextDouble()
                                : frac(halton(t + 1, PRIMES[d]) + shift[d]);
                ParameterSpec p = spec.params().get(d);
                values.put(p.name(), value(p, u));
            }
            trials.add(Collections.unmodifiableMap(values));
        }
        return List.copyOf(trials);
    }

    /**
     * @param index the sequence index, &gt;= 1
     * @param base a prime
     * @return the radical inverse of the index in the base, in [0, 1)
     */
    static double halton(int index, int base) {
        double result = 0;
        double f = 1.0 / base;
        for (int i = index; i > 0; i /= base) {
            result += f * (i % base);
            f /= base;
        }
        return result;
    }

    private static double frac(double x) {
        return x - Math.floor(x);
    }

    /**
     * @param p a parameter
     * @param u a point of [0, 1)
     * @return the parameter's value there (see the class comment)
     */
    static Value value(ParameterSpec p, double u) {
        switch (p.type()) {
            case DOUBLE:
                {
                    double x =
                            Math.min(
                                    p.max(),
                                    Math.max(p.min(), scaled(p.scale(), p.min(), p.max(), u)));
                    return new Value(PythonFloats.repr(x), x);
                }
            case INTEGER:
                {
                    double x = Math.floor(scaled(p.scale(), p.min(), p.max() + 1, u));
                    long v = (long) Math.min(p.max(), Math.max(p.min(), x));
                    return new Value(Long.toString(v), (double) v);
                }
            case DISCRETE:
                {
                    List<Double> values = p.discreteValues();
                    int index;
                    if (p.scale() == ParameterSpec.Scale.NONE || values.size() == 1) {
                        index = Math.min(values.size() - 1, (int) Math.floor(u * values.size()));
                    } else {
                        double lo = values.get(0);
                        double hi = values.get(values.size() - 1);
                        index = 0;
                        double best = Double.POSITIVE_INFINITY;
                        for (int i = 0; i < values.size(); i++) {
                            double position = unscaled(p.scale(), lo, hi, values.get(i));
                            if (Math.abs(position - u) < best) {
                                best = Math.abs(position - u);
                                index = i;
                            }
                        }
                    }
                    return discrete(p, values.get(index));
                }
            default:
                {
                    List<String> values = p.categoricalValues();
                    String v =
                            values.get(
                                    Math.min(
                                            values.size() - 1,
                                            (int) Math.floor(u * values.size())));
                    return new Value(v, null);
                }
        }
    }

    private static Value discrete(ParameterSpec p, double v) {
        return new Value(p.wholeValued() ? Long.toString((long) v) : PythonFloats.repr(v), v);
    }

    /** Maps u in [0, 1) into [lo, hi) by a scale. */
    private static double scaled(ParameterSpec.Scale scale, double lo, double hi, double u) {
        switch (scale) {
            case UNIT_LOG_SCALE:
                return lo * Math.pow(hi / lo, u);
            case UNIT_REVERSE_LOG_SCALE:
                return hi + lo - lo * Math.pow(hi / lo, 1 - u);
            default:
                return lo + u * (hi - lo);
        }
    }

    /** The inverse of {@link #scaled}: where x in [lo, hi] sits on the unit interval. */
    private static double unscaled(ParameterSpec.Scale scale, double lo, double hi, double x) {
        switch (scale) {
            case UNIT_LOG_SCALE:
                return Math.log(x / lo) / Math.log(hi / lo);
            case UNIT_REVERSE_LOG_SCALE:
                return 1 - Math.log((hi + lo - x) / lo) / Math.log(hi / lo);
            default:
                return (x - lo) / (hi - lo);
        }
    }

    private static List<Value> gridValues(ParameterSpec p, int limit) {
        List<Value> values = new ArrayList<>();
        if (p.type() == ParameterSpec.Type.INTEGER) {
            for (long v = p.min().longValue();
                    v <= p.max().longValue() && values.size() < Math.max(limit, 1);
                    v++) {
                values.add(new Value(Long.toString(v), (double) v));
            }
        } else if (p.type() == ParameterSpec.Type.DISCRETE) {
            for (double v : p.discreteValues()) {
                values.add(discrete(p, v));
            }
        } else {
            for (String v : p.categoricalValues()) {
                values.add(new Value(v, null));
            }
        }
        return values;
    }
}
