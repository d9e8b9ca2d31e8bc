package dev.kfptribuo.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.regex.Pattern;

/**
 * Jackson's errors as one line for a user who wrote JSON, not Java: without the source excerpt,
 * without Jackson's hints to enable its features, with Java types named as JSON ones ({@code
 * `java.lang.String`} is a string, {@code `dev.kfptribuo.model.Manifest`} an object), and with
 * where it went wrong: the field path of a mapping error, the line and column of a syntax one.
 */
public final class JsonErrors {
    private static final Pattern SOURCE_AT =
            Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)]");
    private static final Pattern SOURCE = Pattern.compile("\\s*\\[Source: [^\\]]*]");
    private static final Pattern AS_PER = Pattern.compile(" as per `[A-Za-z]+Feature\\.[A-Z_]+`");
    private static final Pattern BOUND = Pattern.compile("\\s*\\(bound as `[^`]*`\\)");
    private static final Pattern TOKEN = Pattern.compile("\\s*\\(token `JsonToken\\.[A-Z_]+`\\)");
    private static final Pattern NOT_VALID_INTEGER =
            Pattern.compile(
                    "not a valid `(?:int|long|short|java\\.lang\\.(?:Integer|Long|Short))` value");
    private static final Pattern NOT_VALID_NUMBER =
            Pattern.compile("not a valid `(?:double|float|java\\.lang\\.(?:Double|Float))` value");
    private static final Pattern HINT =
            Pattern.compile(
                    "[:;,]?\\s*\\(?\\s*(?:enable|disable) `[^`]+`[^)]*?(?:to allow|\\)|$)\\)?");
    private static final Pattern STRING = Pattern.compile("`java\\.lang\\.String`");
    private static final Pattern INTEGER =
            Pattern.compile("`(?:int|long|short|java\\.lang\\.(?:Integer|Long|Short))`");
    private static final Pattern NUMBER =
            Pattern.compile("`(?:double|float|java\\.lang\\.(?:Double|Float))`");
    private static final Pattern BOOLEAN = Pattern.compile("`(?:boolean|java\\.lang\\.Boolean)`");
    private static final Pattern LIST =
            Pattern.compile("`java\\.util\\.[A-Za-z]*(?:List|Set)(?:<[^`]*>)?`");
    private static final Pattern MAP = Pattern.compile("`java\\.util\\.[A-Za-z]*Map(?:<[^`]*>)?`");
    private static final Pattern CLASS =
            Pattern.compile("`(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$.]*`");

    private JsonErrors() {}

    /**
     * @param e a Jackson parse or mapping error
     * @return its reason in one line, for example {@code field format_version: cannot read a string
     *     as an integer ("two")} or {@code Unexpected end-of-input (line 1, column 16)}
     */
    public static String describe(JacksonException e) {
        return describe(e, true);
    }

    /**
     * For a document of one line, such as a JSON Lines instance, whose line in its file the caller
     * names: Jackson counts lines from the document's start, so its line would always be 1.
     *
     * @param e a Jackson parse or mapping error
     * @return its reason in one line, as {@link #describe} gives it but with the column alone, for
     *     example {@code Unexpected end-of-input: expected close marker for Object (column 16)}
     */
    public static String describeInLine(JacksonException e) {
        return describe(e, false);
    }

    private static String describe(JacksonException e, boolean withLine) {
        String reason =
                e.getOriginalMessage() == null
                        ? e.getClass().getSimpleName()
                        : e.getOriginalMessage();
        reason = reason.strip().replaceAll("\\s*\\R\\s*", " ");
        reason =
                SOURCE_AT.matcher(reason).replaceAll(withLine ? "line $1, column $2" : "column $2");
        reason = SOURCE.matcher(reason).replaceAll("");
        reason = TOKEN.matcher(reason).replaceAll("");
        reason = AS_PER.matcher(reason).replaceAll("");
        reason = BOUND.matcher(reason).replaceAll("");
        reason = NOT_VALID_INTEGER.matcher(reason).replaceAll("not an integer");
        reason = NOT_VALID_NUMBER.matcher(reason).replaceAll("not a number");
        reason = HINT.matcher(reason).replaceAll("");
        reason = STRING.matcher(reason).replaceAll("a string");
        reason = INTEGER.matcher(reason).replaceAll("an integer");
        reason = NUMBER.matcher(reason).replaceAll("a number");
        reason = BOOLEAN.matcher(reason).replaceAll("a boolean");
        reason = LIST.matcher(reason).replaceAll("an array");
        reason = MAP.matcher(reason).replaceAll("an object");
        reason = CLASS.matcher(reason).replaceAll("an object");
        reason = reason.strip();
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            reason +=
                    withLine
                            ? " (line "
                                    + location.getLineNr()
                                    + ", column "
                                    + location.getColumnNr()
                                    + ")"
                            : " (column " + location.getColumnNr() + ")";
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return "field " + path(mapping) + ": " + reason;
        }
        return reason;
    }

    /**
     * @param e a mapping error
     * @return the JSON path it happened at, e.g. {@code study_spec.parameters[1].parameter_id}, or
     *     {@code (root)}
     */
    public static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "(root)" : path.toString();
    }
}
