package dev.kfptribuo.localrun.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PythonLiteralTest {
    static String labSettings() throws IOException {
        try (InputStream in = PythonLiteralTest.class.getResourceAsStream("/dev/kfptribuo/localrun/hypertune_settings.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheLabsSettingsWithPythonTrue() throws IOException {
        JsonNode root = PythonLiteral.parse(labSettings(), "settings");
        JsonNode spec = root.get("hyperparameters");
        assertTrue(spec.get("enableTrialEarlyStopping").isBoolean());
        assertTrue(spec.get("enableTrialEarlyStopping").booleanValue());
        assertEquals(6, spec.get("maxTrials").intValue());
        assertEquals(1000, spec.get("params").get(0).get("discreteValues").get(1).intValue());
        assertEquals(0.0001, spec.get("params").get(1).get("minValue").doubleValue());
    }

    @Test
    void pythonLiteralForms() {
        JsonNode node = PythonLiteral.parse("{'a': True, \"b\": False, 'c': None, 'd': (1, -2.5e-3, +7,),"
                + " 'e': 'it''s' \"\\n\\t\\x41\\u00e9\", # a comment\n 'f': [1_000, .5, 3.],\n 'g': 'True', 'a': 2,}", "t");
        assertEquals(2, node.get("a").intValue()); // a repeated key keeps its last value
        assertTrue(node.get("b").isBoolean());
        assertTrue(node.get("c").isNull());
        assertEquals("[1,-0.0025,7]", node.get("d").toString());
        assertEquals("its\n\tAé", node.get("e").textValue());
        assertEquals("[1000,0.5,3.0]", node.get("f").toString());
        assertEquals("True", node.get("g").textValue()); // a string, not a boolean: no text substitution
        assertEquals("{\"x\":[true,false,null]}", PythonLiteral.parse("{\"x\": [true, false, null]}", "json").toString());
        assertEquals("12345678901234567890123", PythonLiteral.parse("12345678901234567890123", "big").toString());
    }

    @Test
    void errorsNameLineAndColumn() {
        assertEquals("s: line 2, column 10: 'Tru' is not a literal (expected True, False, None, a number, a string, a dict or a list)",
                assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("{\n  'a': [ Tru ]}", "s")).getMessage());
        assertEquals("s: line 1, column 9: expected ',' or '}' in a dict",
                assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("{'a': 1 'b': 2}", "s")).getMessage());
        assertEquals("s: line 1, column 2: dict keys must be strings here, found 1",
                assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("{1: 2}", "s")).getMessage());
        assertEquals("s: line 1, column 1: unterminated string",
                assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("'abc", "s")).getMessage());
        assertEquals("s: line 1, column 4: unexpected text after the value",
                assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("{} {}", "s")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("r'x'", "s"));
        assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("1.2.3", "s"));
        assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("", "s"));
        assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("007", "s"));
    }
}
