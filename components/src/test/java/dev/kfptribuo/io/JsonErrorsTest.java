package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link JsonErrors}: Jackson's errors in JSON's terms, with where they happened. */
class JsonErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Inner(int count, List<String> names) {}

    record Outer(String name, Inner inner, Map<String, Double> scales) {}

    private static String describe(String json) {
        String line =
                JsonErrors.describe(
                        assertThrows(
                                JacksonException.class, () -> JSON.readValue(json, Outer.class)));
        System.out.println(json + " -> " + line);
        assertFalse(line.contains("[Source") || line.contains("REDACTED"), line);
        assertFalse(line.contains("enable") || line.contains("JsonReadFeature"), line);
        assertFalse(line.matches(".*`(java\\.|dev\\.kfptribuo\\.|int`|long`|double`).*"), line);
        assertFalse(line.contains("\n"), line);
        return line;
    }

    @Test
    void syntaxErrorsSayWhereWithoutTheSourceOrJacksonsFeatureHints() {
        assertTrue(describe("{\"name\": 1").endsWith("(line 1, column 11)"));
        String nan = describe("{\"name\": \"x\", \"scales\": {\"a\": NaN}}");
        assertTrue(
                nan.startsWith("field scales: Non-standard token 'NaN'")
                        && nan.endsWith("(line 1, column 34)"),
                nan);
    }

    @Test
    void aOneLineDocumentsErrorGivesTheColumnAlone() {
        JacksonException e = assertThrows(JacksonException.class, () -> JSON.readTree("{\"a\": 1"));
        assertEquals(
                "Unexpected end-of-input: expected close marker for Object (start marker at column 1) (column 8)",
                JsonErrors.describeInLine(e));
        assertTrue(
                JsonErrors.describe(e)
                        .endsWith("(start marker at line 1, column 1) (line 1, column 8)"),
                JsonErrors.describe(e));
    }

    @Test
    void mappingErrorsNameTheFieldAndJsonTypes() {
        String count = describe("{\"inner\": {\"count\": \"two\"}}");
        assertTrue(
                count.startsWith("field inner.count: ")
                        && count.contains("an integer")
                        && count.contains("\"two\""),
                count);
        String names = describe("{\"inner\": {\"names\": [\"a\", {}]}}");
        assertTrue(names.startsWith("field inner.names[1]: ") && names.contains("a string"), names);
        String root = describe("[1]");
        assertTrue(root.contains("an object") && root.endsWith("(line 1, column 1)"), root);
    }
}
