package dev.kfptribuo.localrun.split;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * BigQuery's {@code FARM_FINGERPRINT} and the lot expression of the lab's split query, {@code
 * MOD(ABS(FARM_FINGERPRINT(text)), lots)}.
 *
 * <p>{@code FARM_FINGERPRINT(STRING)} is FarmHash's {@code Fingerprint64} of the string's UTF-8
 * bytes, returned as a signed INT64 (BigQuery's hash function reference). The hash comes from
 * Guava's {@link Hashing#farmHashFingerprint64()}, a port of FarmHash's {@code farmhashna} {@code
 * Fingerprint64}, whose output the tests check against the values BigQuery's documentation
 * publishes.
 *
 * <p>{@code ABS} of the one INT64 without a positive counterpart, -2<sup>63</sup>, overflows:
 * BigQuery fails the query with an overflow error. {@link #lot} fails the same way (a row has a
 * chance of 2<sup>-64</sup> to hash there), rather than putting the row in a lot BigQuery would
 * never produce.
 */
public final class FarmFingerprint {
    private static final HashFunction FINGERPRINT64 = Hashing.farmHashFingerprint64();

    private FarmFingerprint() {}

    /**
     * @param text any string
     * @return {@code FARM_FINGERPRINT(text)}: Fingerprint64 of its UTF-8 bytes, as a signed 64-bit
     *     integer
     */
    public static long of(String text) {
        return FINGERPRINT64.hashString(text, StandardCharsets.UTF_8).asLong();
    }

    /**
     * @param fingerprint a {@code FARM_FINGERPRINT} value
     * @param lots the number of lots, &gt;= 1 (the lab's 10)
     * @return {@code MOD(ABS(fingerprint), lots)}, in {@code [0, lots)}
     * @throws ArithmeticException for -2<sup>63</sup>, whose ABS overflows INT64 as in BigQuery
     * @throws IllegalArgumentException if {@code lots < 1}
     */
    public static int lot(long fingerprint, int lots) {
        if (lots < 1) {
            throw new IllegalArgumentException("the number of lots must be >= 1, got " + lots);
        }
        if (fingerprint == Long.MIN_VALUE) {
            throw new ArithmeticException("int64 overflow: ABS(" + fingerprint + ")");
        }
        return (int) (Math.abs(fingerprint) % lots);
    }
}
