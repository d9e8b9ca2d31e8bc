package dev.kfptribuo.batch;

import java.util.Locale;

/**
 * How the instances to predict are stored, as Vertex AI batch prediction's {@code instancesFormat}
 * names them.
 */
public enum InstancesFormat {
    /** CSV with a header, as the trainer reads it; the label column may be there or not. */
    CSV,
    /**
     * JSON Lines: one instance per line, an object of column values or an array in the model's
     * column order.
     */
    JSONL;

    /**
     * @param text {@code csv}, {@code jsonl}, or {@code auto} to tell by the path's name
     * @param path the dataset path, for {@code auto}
     * @return the format
     * @throws IllegalArgumentException for any other text
     */
    public static InstancesFormat parse(String text, String path) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "csv" -> CSV;
            case "jsonl", "json" -> JSONL;
            case "auto" -> of(path);
            default ->
                    throw new IllegalArgumentException(
                            "unknown instances format '"
                                    + text
                                    + "' (expected csv, jsonl or auto)");
        };
    }

    /**
     * @param path a dataset path or pattern
     * @return JSONL for names ending in {@code .jsonl} or {@code .json} (before a {@code .gz}),
     *     else CSV
     */
    public static InstancesFormat of(String path) {
        String name = path.toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        return name.endsWith(".jsonl") || name.endsWith(".json") ? JSONL : CSV;
    }
}
