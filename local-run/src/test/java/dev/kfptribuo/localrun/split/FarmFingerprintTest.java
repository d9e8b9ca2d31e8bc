package dev.kfptribuo.localrun.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FarmFingerprintTest {
    /**
     * BigQuery's hash functions reference, FARM_FINGERPRINT example: the fingerprint of {@code
     * CONCAT(CAST(x AS STRING), y, CAST(z AS STRING))} for three rows (x, y, z).
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1footrue    | -1541654101129638711",
                "2applefalse | 2794438866806483259",
                "3true       | -4880158226897771312"
            })
    void bigQueryDocumentationExamples(String text, long fingerprint) {
        assertEquals(fingerprint, FarmFingerprint.of(text));
    }

    @Test
    void utf8BytesOfTheString() {
        // pyfarmhash (Google's C++ FarmHash) of the same UTF-8 text
        assertEquals(
                FarmFingerprint.of(
                        new String(
                                "é".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                java.nio.charset.StandardCharsets.UTF_8)),
                FarmFingerprint.of("é"));
        assertEquals(-2427165924636348523L, FarmFingerprint.of("alphabet"));
    }

    @Test
    void lotIsModOfAbs() {
        assertEquals(1, FarmFingerprint.lot(-1541654101129638711L, 10));
        assertEquals(9, FarmFingerprint.lot(2794438866806483259L, 10));
        assertEquals(2, FarmFingerprint.lot(-4880158226897771312L, 10));
        assertEquals(7, FarmFingerprint.lot(Long.MAX_VALUE, 10));
        assertEquals(0, FarmFingerprint.lot(12345, 1));
    }

    @Test
    void absOfTheSmallestInt64OverflowsAsInBigQuery() {
        ArithmeticException e =
                assertThrows(
                        ArithmeticException.class, () -> FarmFingerprint.lot(Long.MIN_VALUE, 10));
        assertEquals("int64 overflow: ABS(-9223372036854775808)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FarmFingerprint.lot(5, 0));
    }
}
