package dev.kfptribuo.prediction;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts the rows that hold categories the model never saw in training (they are predicted without
 * them) and keeps the values met, at most {@value #KEPT} per column, for the log. Not thread-safe:
 * one per piece of rows, then {@link #add}ed up.
 */
public final class UnseenCategories {
    /** Values kept per column: enough for a log line, bounded for a column of ids. */
    public static final int KEPT = 100;

    private final Predictor predictor;
    private final Map<String, Set<String>> values = new LinkedHashMap<>();
    private long rows;

    /**
     * @param predictor the model
     */
    public UnseenCategories(Predictor predictor) {
        this.predictor = predictor;
        for (String column : predictor.categoricalColumns()) {
            values.put(column, new TreeSet<>());
        }
    }

    /**
     * @param categorical a row's values of {@link Predictor#categoricalColumns()}
     * @return true if one of them is unseen
     */
    public boolean count(String[] categorical) {
        boolean unseen = false;
        List<String> columns = predictor.categoricalColumns();
        for (int c = 0; c < categorical.length; c++) {
            if (!predictor.knowsCategory(c, categorical[c])) {
                Set<String> kept = values.get(columns.get(c));
                if (kept.size() < KEPT) {
                    kept.add(categorical[c]);
                }
                unseen = true;
            }
        }
        rows += unseen ? 1 : 0;
        return unseen;
    }

    /**
     * @param other counts of other rows, added to these
     */
    public void add(UnseenCategories other) {
        rows += other.rows;
        other.values.forEach(
                (column, more) -> {
                    Set<String> kept = values.get(column);
                    for (String value : more) {
                        if (kept.size() < KEPT) {
                            kept.add(value);
                        }
                    }
                });
    }

    /**
     * @return the rows holding at least one unseen category
     */
    public long rows() {
        return rows;
    }

    /**
     * @return per categorical column, the unseen values met (at most {@value #KEPT}), sorted
     */
    public Map<String, Set<String>> values() {
        return Collections.unmodifiableMap(values);
    }

    /**
     * @return the unseen values for a log line, e.g. {@code Soil_Type=[C9999]}; empty if none
     */
    public String describe() {
        StringBuilder text = new StringBuilder();
        values.forEach(
                (column, kept) -> {
                    if (!kept.isEmpty()) {
                        text.append(text.length() == 0 ? "" : " ")
                                .append(column)
                                .append('=')
                                .append(kept)
                                .append(kept.size() == KEPT ? " (and maybe more)" : "");
                    }
                });
        return text.toString();
    }
}
