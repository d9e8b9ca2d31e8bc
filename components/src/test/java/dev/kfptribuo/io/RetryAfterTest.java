package dev.kfptribuo.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    @Test
    void delaySecondsAndEachFormOfHttpDate() {
        Instant now = Instant.parse("1994-11-06T08:49:00Z");
        assertEquals(Duration.ofSeconds(120), RetryAfter.delay("120", null, now));
        assertEquals(Duration.ZERO, RetryAfter.delay(" 0 ", null, now));
        assertEquals(
                Duration.ofSeconds(37),
                RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", null, now));
        assertEquals(
                Duration.ofSeconds(30),
                RetryAfter.delay(
                        "Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:07 GMT", now),
                "relative to the response's Date, whatever this clock says");
        assertEquals(
                Duration.ofSeconds(37),
                RetryAfter.delay("Sunday, 06-Nov-94 08:49:37 GMT", null, now));
        assertEquals(
                Duration.ofSeconds(37), RetryAfter.delay("Sun Nov  6 08:49:37 1994", null, now));
        assertEquals(
                Duration.ZERO,
                RetryAfter.delay("Sat, 05 Nov 1994 08:49:37 GMT", null, now),
                "a date in the past: retry now");
        assertEquals(
                Duration.ofSeconds(37),
                RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", "not a date", now));
        assertTrue(RetryAfter.delay("99999999999999999999999", null, now).toDays() > 3000);
        assertNull(RetryAfter.delay(null, null, now));
        assertNull(RetryAfter.delay("", null, now));
        assertNull(RetryAfter.delay("soon", null, now));
        assertNull(RetryAfter.delay("-5", null, now));
        assertNull(RetryAfter.delay("1.5", null, now));
    }
}
