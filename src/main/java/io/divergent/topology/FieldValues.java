package io.divergent.topology;

import io.divergent.config.MonitorConfig;
import io.divergent.config.ValueFormat;
import org.apache.kafka.common.serialization.Deserializer;

import java.util.List;

/**
 * The topology's rules for input values, for code outside the topology that must read input
 * exactly as the monitors do (the {@code divergent reference} command): how a value is decoded,
 * what counts as a category, and how a timestamp field is read. Each method delegates to the one
 * place the topology keeps the rule.
 */
public final class FieldValues {

    private FieldValues() {
    }

    /**
     * The category text of a field value, as the monitors count it: strings, Avro enum symbols,
     * booleans and numbers (integers without a decimal point, finite floating-point numbers).
     *
     * @param value a value found at a field path, or null
     * @return the text, or null when the value cannot be a category (null, a record, an array,
     *         NaN or an infinity); an empty string is returned as is and is not a valid category
     */
    public static String categoryText(final Object value) {
        return ValueDecoder.categoryText(value);
    }

    /**
     * The category a monitor counts for a decoded value, by the topology's rules (a missing,
     * empty, non-scalar or over-long category is refused).
     *
     * @throws IllegalArgumentException saying why the value has no category
     */
    public static String category(final MonitorConfig monitor, final Object root) {
        try {
            return ValueDecoder.category(monitor, root);
        } catch (final ValueDecoder.Undecodable e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The series id of a decoded value for a monitor, as the topology keys it.
     *
     * @param segmentNames the monitor's segment field names, in order
     * @throws IllegalArgumentException when a segment value is too long
     */
    public static String seriesId(final MonitorConfig monitor, final List<String> segmentNames, final Object root) {
        try {
            return ValueDecoder.seriesId(monitor, segmentNames, root);
        } catch (final ValueDecoder.Undecodable e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * What kind of thing a value that is not a category is, for messages: {@code a record/object},
     * {@code an array}, or {@code a <class>}.
     *
     * @param value a non-null value
     * @return the description
     */
    public static String describeType(final Object value) {
        return ValueDecoder.describeType(value);
    }

    /**
     * Event time in epoch milliseconds, as a monitor's {@code timestamp.field} is read: a number
     * of milliseconds, an {@link java.time.Instant}, or an ISO-8601 instant string.
     *
     * @param field the name to show in messages
     * @param value the value
     * @return epoch milliseconds, never negative
     * @throws IllegalArgumentException naming the field and what was found
     */
    public static long timestampMillis(final String field, final Object value) {
        return ValueDecoder.timestampMillis(field, value);
    }

    /**
     * Decodes one input value as the monitors of a topic do: an Avro record through the
     * registry, a JSON tree of maps, lists and scalars, or the whole value as a string.
     *
     * @param format the topic's value format
     * @param avro   the Avro deserializer for {@link ValueFormat#AVRO}; ignored otherwise
     * @param topic  the topic the value was read from
     * @param value  the bytes
     * @return the object field paths walk
     * @throws IllegalArgumentException with the reason when the bytes are not a value of the
     *         format (the topology dead-letters such records)
     * @throws org.apache.kafka.common.errors.SerializationException when the registry is
     *         unavailable: the value may be fine
     */
    public static Object decode(final ValueFormat format, final Deserializer<?> avro, final String topic,
                                final byte[] value) {
        try {
            return new ValueDecoder(format, avro).decode(topic, value);
        } catch (final ValueDecoder.Undecodable e) {
            throw new IllegalArgumentException(e.kind().label() + ": " + e.getMessage(), e);
        }
    }
}
