package dev.kfptribuo.batch;

import java.util.Locale;

/**
 * How predictions are written, as Vertex AI batch prediction's {@code predictionsFormat} names
 * them.
 */
public enum PredictionsFormat {
    /**
     * JSON Lines, one {@code {"instance": ..., "prediction": {"label", "classes", "scores"}}} per
     * line, in files {@code prediction.results-NNNNN-of-NNNNN}.
     */
    JSONL("prediction.results", ""),
    /**
     * CSV with a header: the instance's columns, {@code predicted_label}, then one column per class
     * ({@code probability_<class>}, or {@code score_<class>} for a model without probabilities), in
     * files {@code prediction.results-NNNNN-of-NNNNN.csv}.
     */
    CSV("prediction.results", ".csv");

    private final String fileName;
    private final String suffix;

    PredictionsFormat(String fileName, String suffix) {
        this.fileName = fileName;
        this.suffix = suffix;
    }

    /**
     * @return the shards' name, before their numbers
     */
    public String fileName() {
        return fileName;
    }

    /**
     * @return what follows the shards' numbers
     */
    public String suffix() {
        return suffix;
    }

    /**
     * @param text {@code jsonl} or {@code csv}, any case
     * @return the format
     * @throws IllegalArgumentException for any other text
     */
    public static PredictionsFormat parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "jsonl", "json" -> JSONL;
            case "csv" -> CSV;
            default ->
                    throw new IllegalArgumentException(
                            "unknown predictions format '" + text + "' (expected jsonl or csv)");
        };
    }
}
