package io.divergent.topology;

import io.divergent.config.FieldPath;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ValueFormat;
import io.divergent.serde.RegistryUnavailableException;
import io.divergent.serde.SchemaNotFoundException;
import io.divergent.serde.StrictJson;
import io.divergent.serde.Timestamps;
import io.divergent.serde.WireFormat;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an input value into the object the monitors' field paths walk: an Avro
 * {@code GenericRecord} (through the registry), a JSON tree of maps, lists and scalars, or the
 * whole value as a string. Also the rules for what counts as a category and a timestamp.
 */
final class ValueDecoder {

    private final ValueFormat format;
    private final Deserializer<?> avro;

    ValueDecoder(final ValueFormat format, final Deserializer<?> avro) {
        this.format = format;
        this.avro = avro;
    }

    /**
     * Decodes one value.
     *
     * @throws Undecodable with the dead-letter kind and a readable reason when the bytes are not
     *         a value of the format: not JSON, not the registry's wire format (wrong magic byte),
     *         a schema id the registry does not know, or bytes the writer schema cannot read
     * @throws RegistryUnavailableException the record is fine, the registry is down; it must
     *         be retried, not dead-lettered
     */
    Object decode(final String topic, final byte[] value) {
        if (value == null) {
            throw new Undecodable(DeadLetter.Kind.MALFORMED, "value is null");
        }
        switch (format) {
            case STRING:
                return new String(value, StandardCharsets.UTF_8);
            case JSON:
                try {
                    return StrictJson.readValue(value);
                } catch (final IOException e) {
                    throw new Undecodable(DeadLetter.Kind.MALFORMED, "not valid JSON: " + StrictJson.describe(e));
                }
            case AVRO:
            default:
                if (value.length > 0 && !WireFormat.startsWithMagicByte(value)) {
                    throw new Undecodable(DeadLetter.Kind.WRONG_MAGIC_BYTE, reason(avroFailure(topic, value)));
                }
                try {
                    return avro.deserialize(topic, value);
                } catch (final RegistryUnavailableException e) {
                    throw e;
                } catch (final RuntimeException e) {
                    throw new Undecodable(e instanceof SchemaNotFoundException
                            ? DeadLetter.Kind.UNKNOWN_SCHEMA : DeadLetter.Kind.MALFORMED, reason(e));
                }
        }
    }

    /** Why an Avro value was refused, from the deserializer itself (it explains what the bytes look like). */
    private RuntimeException avroFailure(final String topic, final byte[] value) {
        try {
            avro.deserialize(topic, value);
            return new IllegalStateException("the deserializer accepted a value without the magic byte");
        } catch (final RuntimeException e) {
            return e;
        }
    }

    private static String reason(final RuntimeException e) {
        return "not Avro in the registry's wire format: " + rootMessage(e);
    }

    /** A value that cannot be decoded, with the dead-letter kind it gets. */
    static final class Undecodable extends RuntimeException {
        private final DeadLetter.Kind kind;

        Undecodable(final DeadLetter.Kind kind, final String reason) {
            super(reason, null, false, false);
            this.kind = kind;
        }

        DeadLetter.Kind kind() {
            return kind;
        }
    }

    /**
     * The category a monitor counts for a decoded value: the whole value for a string monitor,
     * else the value at its category field, by the rules of {@link #categoryText} and
     * {@link #invalidCategory}.
     *
     * @throws Undecodable ({@code missing-category} or {@code invalid-category}) saying why there is none
     */
    static String category(final MonitorConfig monitor, final Object root) {
        final Object raw = monitor.valueFormat() == ValueFormat.STRING ? root : monitor.categoryField().resolve(root);
        if (raw == null) {
            throw new Undecodable(DeadLetter.Kind.MISSING_CATEGORY,
                    "category field '" + monitor.categoryField() + "' is missing or null");
        }
        final String category = categoryText(raw);
        final String invalid = invalidCategory(category, raw);
        if (invalid != null) {
            throw new Undecodable(DeadLetter.Kind.INVALID_CATEGORY, "category field '" + monitor.categoryField() + "' is " + invalid);
        }
        return category;
    }

    /**
     * The series id of a decoded value for a monitor (see {@link SeriesId}); a missing or
     * non-category segment value is the empty string.
     *
     * @param segmentNames the monitor's segment field names, in order (precomputed by the caller)
     * @throws Undecodable ({@code invalid-segment}) when a segment value is longer than {@link #MAX_CATEGORY_CHARS}
     */
    static String seriesId(final MonitorConfig monitor, final List<String> segmentNames, final Object root) {
        final List<FieldPath> fields = monitor.segmentFields();
        if (fields.isEmpty()) {
            return monitor.name();
        }
        final List<String> values = new ArrayList<>(fields.size());
        for (final FieldPath field : fields) {
            final String value = categoryText(field.resolve(root));
            if (value != null && value.length() > MAX_CATEGORY_CHARS) {
                throw new Undecodable(DeadLetter.Kind.INVALID_SEGMENT, "segment field '" + field + "' is " + value.length()
                        + " characters long: a segment value may have at most " + MAX_CATEGORY_CHARS);
            }
            values.add(value);
        }
        return SeriesId.of(monitor.name(), segmentNames, values);
    }

    /**
     * The longest category (and segment value) in characters. Categories travel in repartition
     * records, state store keys and every event's top contributors: an unbounded one (a 1 MB
     * string) would make records the producer refuses, which would stop the application.
     */
    static final int MAX_CATEGORY_CHARS = 1_000;

    /**
     * Why a category is refused, or null when it is fine.
     *
     * @param category the category text ({@link #categoryText}), null when the value cannot be one
     * @param raw      the field value it came from
     * @return the end of a sentence "category field 'x' is ...", or null
     */
    static String invalidCategory(final String category, final Object raw) {
        if (category == null) {
            return describeType(raw) + ": a category must be a non-empty string, number, boolean or enum";
        }
        if (category.isEmpty()) {
            return "an empty string: a category must be a non-empty string, number, boolean or enum";
        }
        if (category.length() > MAX_CATEGORY_CHARS) {
            return category.length() + " characters long: a category may have at most " + MAX_CATEGORY_CHARS;
        }
        return null;
    }

    /**
     * The category text of a field value: strings, Avro enum symbols, booleans and numbers
     * (integers without a decimal point), or null when the value cannot be a category.
     */
    static String categoryText(final Object value) {
        if (value instanceof CharSequence || value instanceof Boolean || value instanceof GenericEnumSymbol<?>) {
            return value.toString();
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return value.toString();
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if (value instanceof Double || value instanceof Float) {
            final double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? value.toString() : null;
        }
        return null;
    }

    /** What kind of thing a rejected category value is, for the error message. */
    static String describeType(final Object value) {
        if (value instanceof java.util.Map<?, ?> || value instanceof org.apache.avro.generic.GenericRecord) {
            return "a record/object";
        }
        if (value instanceof java.util.List<?> || value instanceof java.util.Collection<?>) {
            return "an array";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /**
     * Event time in epoch milliseconds from a timestamp field, in the one format of
     * {@link Timestamps#epochMillis}.
     *
     * @throws IllegalArgumentException naming the field and what was found
     */
    static long timestampMillis(final String field, final Object value) {
        try {
            return Timestamps.epochMillis(value);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("timestamp field '" + field + "' " + e.getMessage(), e);
        }
    }

    private static String rootMessage(final Throwable error) {
        Throwable t = error;
        String message = t.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                message = message + ": " + t.getMessage();
            }
        }
        return message;
    }
}
