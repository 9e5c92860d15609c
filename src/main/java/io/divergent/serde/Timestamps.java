package io.divergent.serde;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one timestamp format of Divergent's inputs: an event time is either a whole number of
 * epoch milliseconds (UTC) or an ISO-8601 instant ({@code 2026-01-01T00:00:00Z}, any offset).
 * Used for timestamp fields of input values, the {@code "timestamp"} of replay lines and
 * timestamp logical types given as JSON.
 */
public final class Timestamps {

    /** What every message about a bad timestamp says is expected. */
    public static final String EXPECTED = "expected epoch milliseconds or an ISO-8601 instant";

    private Timestamps() {
    }

    /**
     * Epoch milliseconds of a timestamp value.
     *
     * @param value an integral number ({@link Integer}, {@link Long}, {@link Short}, {@link Byte},
     *              {@link BigInteger}, or a {@link BigDecimal} without a fraction), an
     *              {@link Instant}, or an ISO-8601 instant string
     * @return epoch milliseconds; never negative
     * @throws IllegalArgumentException saying what was found, when the value is null, of another
     *         type, a fraction, outside the range of a {@code long} of milliseconds (never wrapped
     *         around), negative, or text that is not an ISO-8601 instant
     */
    public static long epochMillis(final Object value) {
        if (value == null) {
            throw new IllegalArgumentException("is missing or null");
        }
        final long millis;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            millis = ((Number) value).longValue();
        } else if (value instanceof BigInteger integer) {
            millis = exactLong(integer, value);
        } else if (value instanceof BigDecimal decimal) {
            final BigInteger integer;
            try {
                integer = decimal.toBigIntegerExact();
            } catch (final ArithmeticException e) {
                throw new IllegalArgumentException("is " + shorten(decimal.toString()) + ": " + EXPECTED + " (a whole number)");
            }
            millis = exactLong(integer, value);
        } else if (value instanceof Instant instant) {
            millis = toMillis(instant, value);
        } else if (value instanceof CharSequence text) {
            millis = parseInstant(text.toString());
        } else {
            throw new IllegalArgumentException("is " + describe(value) + ": " + EXPECTED);
        }
        if (millis < 0) {
            throw new IllegalArgumentException("is negative (" + millis + ")");
        }
        return millis;
    }

    /**
     * Epoch milliseconds of an ISO-8601 instant.
     *
     * @throws IllegalArgumentException when the text is not an instant, or one beyond the range of
     *         a {@code long} of milliseconds
     */
    public static long parseInstant(final String text) {
        final Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (final DateTimeParseException e) {
            throw new IllegalArgumentException("is '" + shorten(text) + "': " + EXPECTED);
        }
        return toMillis(instant, text);
    }

    private static long toMillis(final Instant instant, final Object shown) {
        try {
            return instant.toEpochMilli();
        } catch (final ArithmeticException | DateTimeException e) {
            throw new IllegalArgumentException("is " + shorten(shown.toString()) + ": beyond the range of epoch milliseconds");
        }
    }

    private static long exactLong(final BigInteger integer, final Object shown) {
        if (integer.bitLength() > 63) {
            throw new IllegalArgumentException("is " + shorten(shown.toString())
                    + ": beyond the range of epoch milliseconds (a 64-bit integer)");
        }
        return integer.longValue();
    }

    private static String describe(final Object value) {
        if (value instanceof java.util.Map<?, ?> || value instanceof org.apache.avro.generic.GenericRecord) {
            return "a record/object";
        }
        if (value instanceof java.util.Collection<?>) {
            return "an array";
        }
        if (value instanceof Double || value instanceof Float) {
            return "a fraction (" + value + ")";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /** Long inputs (a 1,000-digit number) are shown by their start and length, not whole. */
    private static String shorten(final String text) {
        return text.length() <= 40 ? text : text.substring(0, 20) + "... (" + text.length() + " characters)";
    }
}
