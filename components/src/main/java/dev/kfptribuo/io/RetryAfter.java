package dev.kfptribuo.io;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Retry-After} header of a 429 or 503 answer (RFC 9110 section 10.2.3), for the clients
 * that honour it: the tuning API's and the Cloud Storage transport's.
 */
public final class RetryAfter {
    /** A Retry-After beyond this many seconds is taken as this long (far beyond any deadline). */
    private static final long LONGEST_RETRY_AFTER_SECONDS = 10L * 366 * 24 * 3600;

    /**
     * RFC 850 dates, obsolete but to be accepted (RFC 9110 section 5.6.7); two-digit years from
     * 1970.
     */
    private static final DateTimeFormatter RFC_850 =
            new DateTimeFormatterBuilder()
                    .appendPattern("EEEE, dd-MMM-")
                    .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
                    .appendPattern(" HH:mm:ss 'GMT'")
                    .toFormatter(Locale.US);

    /** C's asctime() dates, obsolete but to be accepted: {@code Sun Nov 6 08:49:37 1994}. */
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    private RetryAfter() {}

    /**
     * The delay a {@code Retry-After} header asks for (RFC 9110 section 10.2.3): delay-seconds, or
     * an HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) taken relative to the
     * response's {@code Date} header, else to {@code now}; a date in the past asks for no delay.
     *
     * @param value the header's value, or null
     * @param date the response's {@code Date} header, or null
     * @param now the time on this machine
     * @return the delay, or null when there is no header or it is neither form
     */
    public static Duration delay(String value, String date, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        if (text.matches("\\d+")) {
            return Duration.ofSeconds(
                    text.length() > 12
                            ? LONGEST_RETRY_AFTER_SECONDS
                            : Math.min(Long.parseLong(text), LONGEST_RETRY_AFTER_SECONDS));
        }
        Instant at = httpDate(text);
        if (at == null) {
            return null;
        }
        Instant sent = date == null ? null : httpDate(date.strip());
        Duration delay = Duration.between(sent == null ? now : sent, at);
        return delay.isNegative() ? Duration.ZERO : delay;
    }

    /**
     * @return the instant of an HTTP date in any of its three forms, or null
     */
    private static Instant httpDate(String text) {
        try {
            return DateTimeFormatter.RFC_1123_DATE_TIME.parse(text, Instant::from);
        } catch (DateTimeParseException notImfFixdate) {
            // try the obsolete forms
        }
        for (DateTimeFormatter obsolete : List.of(RFC_850, ASCTIME)) {
            try {
                return LocalDateTime.parse(text, obsolete).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notThisOne) {
                // next
            }
        }
        return null;
    }
}
