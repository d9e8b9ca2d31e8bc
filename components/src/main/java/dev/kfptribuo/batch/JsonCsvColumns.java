package dev.kfptribuo.batch;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.data.CsvTableReader;
import dev.kfptribuo.data.DataFormatException;
import dev.kfptribuo.data.LineTooLongException;
import dev.kfptribuo.io.InputFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The instance columns of CSV predictions of JSON Lines instances, fixed before the instances are
 * read in parallel: the keys of the dataset's first object instance, in its order, then the model's
 * input columns it lacks, at the end.
 *
 * <p>The first instance is the first line, in file order, that holds a JSON object or array; lines
 * before it that are blank, not JSON, or another JSON value are passed over here (the prediction
 * pass reports them as bad rows). An array first, or no instance at all, gives the model's input
 * columns. Under these columns ({@link #cells}) a later object puts each key's value under the
 * column of that name, and a key that is not a column makes the instance a bad row, named with its
 * file and line like any other; a column an instance lacks is an empty cell. An array's values are
 * the model's input columns.
 */
final class JsonCsvColumns {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final List<String> names;
    private final String source;
    private final Map<String, Integer> index = new HashMap<>();

    /**
     * @param names the columns, in order, each once
     * @param source where they come from, for messages: {@code FILE: line N}, or the model's
     *     columns
     */
    JsonCsvColumns(List<String> names, String source) {
        this.names = List.copyOf(names);
        this.source = source;
        for (int i = 0; i < this.names.size(); i++) {
            index.put(this.names.get(i), i);
        }
    }

    /**
     * @return the columns, in order
     */
    List<String> names() {
        return names;
    }

    /**
     * @return where the columns come from: {@code FILE: line N}, or the model's input columns
     */
    String source() {
        return source;
    }

    /**
     * Reads the dataset's first instance.
     *
     * @param files the instances' files, in order
     * @param inputColumns the model's input columns
     * @return the columns
     * @throws DataFormatException if a line before the first instance is longer than {@link
     *     LineTooLongException#MAX_LINE}
     * @throws IOException if a file cannot be read
     */
    static JsonCsvColumns of(List<InputFile> files, List<String> inputColumns) throws IOException {
        for (InputFile file : files) {
            try (InputStream in = CsvTableReader.withoutByteOrderMark(file.open())) {
                byte[] line;
                for (long number = 1; (line = nextLine(in, file, number)) != null; number++) {
                    JsonNode instance = parse(line);
                    if (instance != null && instance.isObject()) {
                        List<String> names = new ArrayList<>();
                        instance.fieldNames().forEachRemaining(names::add);
                        inputColumns.stream().filter(c -> !instance.has(c)).forEach(names::add);
                        return new JsonCsvColumns(List.copyOf(names), file + ": line " + number);
                    }
                    if (instance != null && instance.isArray()) {
                        break;
                    }
                }
                if (line != null) {
                    break;
                }
            }
        }
        return new JsonCsvColumns(List.copyOf(inputColumns), "the model's input columns");
    }

    /** The line as JSON, or null if it is blank or not JSON. */
    private static JsonNode parse(byte[] line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node == null || node.isMissingNode() ? null : node;
        } catch (
                IOException
                        e) { // not JSON: Jackson's parse errors, the only ones of bytes in memory
            return null;
        }
    }

    /** The next line's bytes without its line break, or null at the end of the file. */
    private static byte[] nextLine(InputStream in, InputFile file, long number) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b = in.read();
        if (b < 0) {
            return null;
        }
        for (; b >= 0 && b != '\n'; b = in.read()) {
            if (line.size() >= LineTooLongException.MAX_LINE) {
                throw DataFormatException.at(
                        file.toString(), number, null, new LineTooLongException().getMessage());
            }
            line.write(b);
        }
        return line.toByteArray();
    }

    /**
     * The instance's values as the cells of a CSV row under these columns.
     *
     * @param instance a JSON object or array whose model columns were read without a problem
     * @param inputColumns the model's input columns, an array's order
     * @param cells receives a cell per column, in order: a string as it is, another scalar as its
     *     JSON text, null or a missing key as an empty cell, an object or array as its JSON
     * @return null, or the problem: a key that is not a column
     */
    String cells(JsonNode instance, List<String> inputColumns, List<String> cells) {
        String[] values = new String[names.size()];
        Arrays.fill(values, "");
        if (instance.isArray()) {
            for (int c = 0; c < inputColumns.size(); c++) {
                values[index.get(inputColumns.get(c))] = text(instance.get(c));
            }
        } else {
            for (Map.Entry<String, JsonNode> field : instance.properties()) {
                Integer column = index.get(field.getKey());
                if (column == null) {
                    return "key "
                            + field.getKey()
                            + " is not a column of the CSV predictions, whose columns are"
                            + " the keys of the first instance ("
                            + source
                            + ")";
                }
                values[column] = text(field.getValue());
            }
        }
        cells.addAll(Arrays.asList(values));
        return null;
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return "";
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
