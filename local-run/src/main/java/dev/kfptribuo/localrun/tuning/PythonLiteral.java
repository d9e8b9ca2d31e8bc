package dev.kfptribuo.localrun.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;

/**
 * Reads a Python literal into a Jackson tree: the form in which the lab's pipeline passes its
 * tuning spec ({@code hypertune_settings}, which holds the Python {@code True}).
 *
 * <p>In the cloud, KFP's {@code ml_engine/train} component receives {@code training_input} as a
 * command-line string and Python Fire turns it into a dict by evaluating it as a Python literal,
 * so {@code True} is accepted there. This class is a parser for that literal subset (what
 * {@code ast.literal_eval} accepts for such a document), not a text substitution:
 * <ul>
 *   <li>dicts with string keys (a repeated key keeps its last value, as in Python), lists and
 *       tuples (both become JSON arrays), trailing commas;</li>
 *   <li>strings in single or double quotes, with Python's escapes ({@code \n \t \\ \' \" \xhh
 *       &#92;uXXXX &#92;UXXXXXXXX}), adjacent strings concatenated;</li>
 *   <li>integers (with {@code _} separators) and floats ({@code 1e-4}, {@code .5}), with a sign;</li>
 *   <li>{@code True}, {@code False}, {@code None}, and also JSON's {@code true}, {@code false},
 *       {@code null}, so that strict JSON reads as well;</li>
 *   <li>{@code #} comments to the end of a line.</li>
 * </ul>
 * Anything else (names, calls, operators, string prefixes such as {@code r''}) is an error naming
 * the line and column.
 */
public final class PythonLiteral {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final String text;
    private final String origin;
    private int pos;

    private PythonLiteral(String text, String origin) {
        this.text = text;
        this.origin = origin;
    }

    /**
     * @param text a Python literal, e.g. {@code {"hyperparameters": {"goal": "MAXIMIZE", "enableTrialEarlyStopping": True}}}
     * @param origin what the text is, for messages
     * @return its value as JSON
     * @throws IllegalArgumentException if the text is not a literal of the supported kinds
     */
    public static JsonNode parse(String text, String origin) {
        PythonLiteral parser = new PythonLiteral(text, origin);
        JsonNode value = parser.value();
        parser.skipSpace();
        if (parser.pos < text.length()) {
            throw parser.error("unexpected text after the value");
        }
        return value;
    }

    private JsonNode value() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("expected a value, found the end of the text");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict();
            case '[':
                return sequence('[', ']');
            case '(':
                return sequence('(', ')');
            case '"':
            case '\'':
                return NODES.textNode(strings());
            default:
                break;
        }
        if (c == '+' || c == '-' || c == '.' || Character.isDigit(c)) {
            return number();
        }
        if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "True":
                case "true":
                    return NODES.booleanNode(true);
                case "False":
                case "false":
                    return NODES.booleanNode(false);
                case "None":
                case "null":
                    return NODES.nullNode();
                default:
                    pos = start;
                    if (pos + word.length() < text.length() && "'\"".indexOf(text.charAt(pos + word.length())) >= 0) {
                        throw error("string prefixes such as " + word + "'...' are not supported");
                    }
                    throw error("'" + word + "' is not a literal (expected True, False, None, a number, a string, a dict or a list)");
            }
        }
        throw error("unexpected character '" + c + "'");
    }

    private ObjectNode dict() {
        ObjectNode object = NODES.objectNode();
        pos++; // '{'
        while (true) {
            skipSpace();
            if (peek('}')) {
                pos++;
                return object;
            }
            int keyAt = pos;
            JsonNode key = value();
            if (!key.isTextual()) {
                pos = keyAt;
                throw error("dict keys must be strings here, found " + key);
            }
            skipSpace();
            expect(':');
            object.set(key.textValue(), value());
            skipSpace();
            if (peek(',')) {
                pos++;
            } else if (!peek('}')) {
                throw error("expected ',' or '}' in a dict");
            }
        }
    }

    private ArrayNode sequence(char open, char close) {
        ArrayNode array = NODES.arrayNode();
        pos++; // open
        while (true) {
            skipSpace();
            if (peek(close)) {
                pos++;
                return array;
            }
            array.add(value());
            skipSpace();
            if (peek(',')) {
                pos++;
            } else if (!peek(close)) {
                throw error("expected ',' or '" + close + "' in a " + (open == '[' ? "list" : "tuple"));
            }
        }
    }

    /** One or more adjacent string literals, concatenated as Python does. */
    private String strings() {
        StringBuilder out = new StringBuilder();
        do {
            string(out);
            skipSpace();
        } while (peek('"') || peek('\''));
        return out.toString();
    }

    private void string(StringBuilder out) {
        char quote = text.charAt(pos);
        int start = pos;
        boolean triple = text.startsWith(String.valueOf(quote).repeat(3), pos);
        pos += triple ? 3 : 1;
        while (true) {
            if (pos >= text.length()) {
                pos = start;
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == quote && (!triple || text.startsWith(String.valueOf(quote).repeat(3), pos))) {
                pos += triple ? 3 : 1;
                return;
            }
            if (!triple && (c == '\n' || c == '\r')) {
                throw error("line break inside a string");
            }
            if (c != '\\') {
                out.append(c);
                pos++;
                continue;
            }
            if (pos + 1 >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case '\n':
                    break; // line continuation
                case '\\':
                case '\'':
                case '"':
                    out.append(e);
                    break;
                case 'n':
                    out.append('\n');
                    break;
                case 't':
                    out.append('\t');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case 'b':
                    out.append('\b');
                    break;
                case 'f':
                    out.append('\f');
                    break;
                case 'a':
                    out.append('\u0007');
                    break;
                case 'v':
                    out.append('\u000b');
                    break;
                case '0':
                    out.append('\0');
                    break;
                case 'x':
                    out.appendCodePoint(hex(2));
                    break;
                case 'u':
                    out.appendCodePoint(hex(4));
                    break;
                case 'U':
                    out.appendCodePoint(hex(8));
                    break;
                default:
                    out.append('\\').append(e); // Python keeps unknown escapes as they are
            }
        }
    }

    private int hex(int digits) {
        if (pos + digits > text.length()) {
            throw error("truncated \\x, \\u or \\U escape");
        }
        String hex = text.substring(pos, pos + digits);
        try {
            int value = Integer.parseUnsignedInt(hex, 16);
            if (value > Character.MAX_CODE_POINT) {
                throw error("escape \\U" + hex + " is beyond Unicode");
            }
            pos += digits;
            return value;
        } catch (NumberFormatException e) {
            throw error("bad hex escape '" + hex + "'");
        }
    }

    private JsonNode number() {
        int start = pos;
        if (peek('+') || peek('-')) {
            pos++;
            skipSpace();
        }
        int digitsStart = pos;
        boolean isFloat = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isDigit(c) || c == '_') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                isFloat = true;
                pos++;
                if ((c == 'e' || c == 'E') && (peek('+') || peek('-'))) {
                    pos++;
                }
            } else {
                break;
            }
        }
        String body = text.substring(digitsStart, pos).replace("_", "");
        String sign = text.charAt(start) == '-' ? "-" : "";
        if (body.isEmpty() || body.equals(".")) {
            pos = start;
            throw error("expected a number");
        }
        try {
            if (isFloat) {
                if (!body.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                    throw new NumberFormatException();
                }
                return NODES.numberNode(Double.parseDouble(sign + body));
            }
            if (body.length() > 1 && body.startsWith("0") && !body.matches("0+")) {
                throw error("leading zeros are not allowed in Python integers");
            }
            BigInteger value = new BigInteger(sign + body);
            return value.bitLength() < 64 ? NODES.numberNode(value.longValue()) : NODES.numberNode(value);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("'" + text.substring(start, Math.min(text.length(), digitsStart + body.length() + 1)).strip()
                    + "' is not a number");
        }
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
                pos += 2;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private IllegalArgumentException error(String message) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new IllegalArgumentException(origin + ": line " + line + ", column " + column + ": " + message);
    }
}
