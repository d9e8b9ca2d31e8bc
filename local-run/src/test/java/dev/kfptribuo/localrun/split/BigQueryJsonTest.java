package dev.kfptribuo.localrun.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BigQueryJsonTest {
    /** The lab's load schema (lab-02 README, bq load). */
    static final RowSchema LAB_SCHEMA =
            RowSchema.parse(
                    "Elevation:INTEGER,Aspect:INTEGER,Slope:INTEGER,"
                            + "Horizontal_Distance_To_Hydrology:INTEGER,Vertical_Distance_To_Hydrology:INTEGER,"
                            + "Horizontal_Distance_To_Roadways:INTEGER,Hillshade_9am:INTEGER,Hillshade_Noon:INTEGER,"
                            + "Hillshade_3pm:INTEGER,Horizontal_Distance_To_Fire_Points:INTEGER,Wilderness_Area:STRING,"
                            + "Soil_Type:STRING,Cover_Type:INTEGER");

    /**
     * The first 300 rows of covertype_small.csv against golden.tsv, whose JSON, fingerprints and
     * lots come from Python's json module and Google's C++ FarmHash (generate.py beside it).
     */
    @Test
    void realRowsMatchAnIndependentImplementation() throws IOException {
        List<String> golden =
                Files.readAllLines(
                        Path.of("src/test/resources/split/golden.tsv"), StandardCharsets.UTF_8);
        List<String> rows =
                Files.readAllLines(
                        Path.of("../data/covertype/covertype_small.csv"), StandardCharsets.UTF_8);
        assertEquals(300, golden.size());
        BigQueryJson json = new BigQueryJson(LAB_SCHEMA);
        for (int i = 0; i < golden.size(); i++) {
            String[] expected = golden.get(i).split("\t");
            String text = json.toJsonString(Arrays.asList(rows.get(i + 1).split(",", -1)));
            assertEquals(expected[2], text, "row " + (i + 1));
            long fingerprint = FarmFingerprint.of(text);
            assertEquals(Long.parseLong(expected[0]), fingerprint, "row " + (i + 1));
            assertEquals(
                    Integer.parseInt(expected[1]),
                    FarmFingerprint.lot(fingerprint, 10),
                    "row " + (i + 1));
        }
    }

    @Test
    void int64BeyondTwoToThe53IsQuoted() {
        BigQueryJson json =
                new BigQueryJson(RowSchema.parse("a:INT64,b:INT64,c:INT64,d:INT64,e:INT64"));
        assertEquals(
                "{\"a\":9007199254740992,\"b\":\"9007199254740993\",\"c\":-9007199254740992,"
                        + "\"d\":\"-9223372036854775808\",\"e\":7}",
                json.toJsonString(
                        List.of(
                                "9007199254740992",
                                "9007199254740993",
                                "-9007199254740992",
                                "-9223372036854775808",
                                "+007")));
    }

    @Test
    void nullAndStringEscapes() {
        BigQueryJson json = new BigQueryJson(RowSchema.parse("s:STRING,n:INT64,q\"k:STRING"));
        assertEquals(
                "{\"s\":\"a\\\"b\\\\c/d\\n\\t\\r\\b\\f\\u0001\\u001f\u007fé€\\u2028\\u2029😀\",\"n\":null,\"q\\\"k\":null}",
                json.toJsonString(
                        List.of("a\"b\\c/d\n\t\r\b\f\u0001\u001f\u007fé€\u2028\u2029😀", "", "")));
    }

    /** Expected texts from C: Python's '%.15g' % x, or '%.17g' when that does not read back. */
    @ParameterizedTest
    @CsvSource({
        "1.0, 1",
        "0.1, 0.1",
        "1e20, 1e+20",
        "1.5e-7, 1.5e-07",
        "123456.789, 123456.789",
        "0.30000000000000004, 0.30000000000000004",
        "1e15, 1e+15",
        "1e16, 1e+16",
        "123456789012345678, 1.2345678901234568e+17",
        "-2.5, -2.5",
        "4.9e-324, 4.94065645841247e-324",
        "1.7976931348623157e308, 1.7976931348623157e+308",
        "0.0001, 0.0001",
        "0.00001, 1e-05",
        "100, 100",
        "9007199254740993, 9007199254740992",
        "0.6666666666666666, 0.66666666666666663",
        "-0.0, -0"
    })
    void float64LikeGoogleSql(double value, String expected) {
        assertEquals(expected, BigQueryJson.roundTripDouble(value));
    }

    @Test
    void float64Specials() {
        BigQueryJson json =
                new BigQueryJson(RowSchema.parse("a:FLOAT64,b:FLOAT,c:FLOAT64,d:FLOAT64"));
        assertEquals(
                "{\"a\":\"NaN\",\"b\":\"Infinity\",\"c\":\"-Infinity\",\"d\":2.5}",
                json.toJsonString(List.of("NaN", "inf", "-Infinity", "2.50")));
    }

    @Test
    void wrongCellsFailNamingTheColumn() {
        BigQueryJson json = new BigQueryJson(RowSchema.parse("a:INT64,b:FLOAT64"));
        assertEquals(
                "column a: \"1.5\" is not an INT64",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> json.toJsonString(List.of("1.5", "1")))
                        .getMessage());
        assertEquals(
                "column b: \"0x1p3\" is not a FLOAT64",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> json.toJsonString(List.of("1", "0x1p3")))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> json.toJsonString(List.of("1")));
    }

    @Test
    void schemaParsingAndInference() {
        assertEquals(
                "x:INT64,y:FLOAT64,z:STRING",
                RowSchema.parse(" x:integer , y:FLOAT ,z:String").toString());
        assertThrows(IllegalArgumentException.class, () -> RowSchema.parse("x:BOOL"));
        assertThrows(IllegalArgumentException.class, () -> RowSchema.parse("x"));
        assertThrows(IllegalArgumentException.class, () -> RowSchema.parse("x:INT64,x:STRING"));

        RowSchema.Inference inference =
                new RowSchema.Inference(List.of("i", "f", "s", "empty", "big"));
        inference.add(List.of("1", "1", "a", "", "1"));
        inference.add(List.of("-2", "2.5", "3", "", "99999999999999999999"));
        inference.add(List.of("", "1e3", "", "", "2"));
        assertEquals(
                "i:INT64,f:FLOAT64,s:STRING,empty:STRING,big:FLOAT64",
                inference.result().toString());
    }
}
