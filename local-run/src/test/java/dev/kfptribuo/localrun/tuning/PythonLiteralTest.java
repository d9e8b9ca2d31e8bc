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
        try (InputStream in =
                PythonLiteralTest.class.getResourceAsStream(
                        "/dev/kfptribuo/localrun/hypertune_settings.txt")) {
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
        JsonNode node =
                PythonLiteral.parse(
                        "{'a': True, \"b\": False, 'c': None, 'd': [1, -2.5e-3, +7],"
                                + " 'e': \"it's\\n\\t\\x41\\u00e9\", # a comment\n 'f': [1_000, .5, 3.],\n 'g': 'True', 'a': 2}",
                        "t");
        assertEquals(2, node.get("a").intValue()); // a repeated key keeps its last value
        assertTrue(node.get("b").isBoolean());
        assertTrue(node.get("c").isNull());
        assertEquals("[1,-0.0025,7]", node.get("d").toString());
        assertEquals("it's\n\tAé", node.get("e").textValue());
        assertEquals("[1000,0.5,3.0]", node.get("f").toString());
        assertEquals(
                "True",
                node.get("g").textValue()); // a quoted string, not a boolean: no text substitution
        assertEquals(
                "{\"x\":[true,false,null]}",
                PythonLiteral.parse("{\"x\": [true, false, null]}", "json").toString());
    }

    @Test
    void errorsNameLineAndColumn() {
        IllegalArgumentException unclosed =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> PythonLiteral.parse("{\n  'a': [1, 2}", "s"));
        assertTrue(unclosed.getMessage().startsWith("s: line 2, column "), unclosed.getMessage());
        IllegalArgumentException quote =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> PythonLiteral.parse("{'a': 'abc}", "s"));
        assertTrue(quote.getMessage().startsWith("s: line "), quote.getMessage());
        assertEquals("[1,2]", PythonLiteral.parse("[1, 2]", "s").toString());
        assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("", "s"));
        assertThrows(IllegalArgumentException.class, () -> PythonLiteral.parse("{} {}", "s"));
    }
}
