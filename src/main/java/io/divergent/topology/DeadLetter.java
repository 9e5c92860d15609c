package io.divergent.topology;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A record that was not counted, with why. Sent to the dead-letter topic (when configured) with
 * headers naming the source and the reason: {@value #KIND}, {@value #REASON}, {@value #TOPIC},
 * {@value #PARTITION}, {@value #OFFSET}, {@value #TIMESTAMP} and, when the record was rejected
 * for one monitor only, {@value #MONITOR}.
 *
 * <p>Key and value: a record rejected while it is read (every kind but {@code late} and
 * {@code future}) carries its original key and value bytes and its original headers. A record
 * rejected at its window ({@code late}, {@code future}) was already reduced to one observation
 * of one monitor when the window task saw it, so its dead letter carries the series id as key
 * and the category (UTF-8) as value, and the event time in {@value #EVENT_TIME}; the original
 * record is at {@value #TOPIC} / {@value #PARTITION} / {@value #OFFSET}. (Carrying the original
 * bytes through the repartition topic would cost every counted record their size for the sake of
 * the few that are late.)
 *
 * <p>Size: a dead letter always fits the producer's {@code max.request.size}. When the original
 * value (with the key and headers) would not, the value is cut to fit and the dead letter says so
 * in {@value #TRUNCATED} ({@code value}, or {@code value,key,headers} when the key and the original
 * headers had to go too) and {@value #ORIGINAL_SIZE} (the original value's size in bytes).
 *
 * @param kind      what went wrong (see {@link Kind})
 * @param reason    one readable line (cut to {@value #MAX_REASON_CHARS} characters)
 * @param monitor   the monitor concerned, or null when the whole record was rejected
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 * @param timestamp the source record's timestamp
 * @param key       key bytes (may be null)
 * @param value     value bytes (may be null)
 */
public record DeadLetter(Kind kind, String reason, String monitor, String topic, int partition, long offset,
                         long timestamp, byte[] key, byte[] value) implements Routed {

    public static final String KIND = "divergent.error.kind";
    public static final String REASON = "divergent.error.reason";
    public static final String MONITOR = "divergent.error.monitor";
    public static final String TOPIC = "divergent.error.source.topic";
    public static final String PARTITION = "divergent.error.source.partition";
    public static final String OFFSET = "divergent.error.source.offset";
    public static final String TIMESTAMP = "divergent.error.source.timestamp";
    /** Event time of a {@code late} or {@code future} record, epoch milliseconds. */
    public static final String EVENT_TIME = "divergent.error.event.time";
    /** What was cut to make the dead letter fit: {@code value} or {@code value,key,headers}. */
    public static final String TRUNCATED = "divergent.error.truncated";
    /** Size in bytes of the original value, when it was cut. */
    public static final String ORIGINAL_SIZE = "divergent.error.original.size";

    /** The longest reason a dead letter carries; a longer one is cut and ends with "...". */
    public static final int MAX_REASON_CHARS = 1_000;

    /** Kafka's producer default for {@code max.request.size}. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1_048_576;
    /**
     * Bytes kept free for what the producer adds around a record (a batch header of 61 bytes and at
     * most 21 for the record itself, plus varint lengths), with room to spare.
     */
    static final int PRODUCER_OVERHEAD = 1_024;

    /** Why a record was not counted; the label is the header value and the metric tag. */
    public enum Kind {
        /** The value could not be decoded: a JSON syntax error or trailing content, beyond the read limits, bytes the writer schema cannot read, a null value. */
        MALFORMED("malformed"),
        /** An Avro monitor's value does not start with the wire format's magic byte 0 (JSON, text, other formats). */
        WRONG_MAGIC_BYTE("wrong-magic-byte"),
        /** The value's schema id is unknown to the registry (it answered: not found). */
        UNKNOWN_SCHEMA("unknown-schema"),
        /** The category field is missing or null. */
        MISSING_CATEGORY("missing-category"),
        /** The category is not a string, number, boolean or enum, is empty, or is longer than a category may be. */
        INVALID_CATEGORY("invalid-category"),
        /** A segment value is longer than a segment value may be. */
        INVALID_SEGMENT("invalid-segment"),
        /** The configured timestamp field is missing, not a time, negative or beyond a 64-bit count of milliseconds. */
        INVALID_TIMESTAMP("invalid-timestamp"),
        /** Every window of the record had already closed when it arrived. */
        LATE("late"),
        /** The record is further ahead of stream time than max.future allows. */
        FUTURE("future"),
        /** A reference record could not be decoded or holds invalid weights. */
        INVALID_REFERENCE("invalid-reference"),
        /**
         * With {@code input.partitioned.by.series=true}: the record is not on the partition its
         * series belongs to ({@link SeriesPartitioner#bySegments()}), so counting it would split
         * the series across tasks. The reason names the series, the expected and the actual partition.
         */
        PARTITIONING("partitioning"),
        /**
         * Handling the record failed in a way Divergent did not foresee (a bug, or an input no rule
         * covers): the reason names the exception class and message. The record is set aside so
         * the stream goes on; please report it.
         */
        INTERNAL_ERROR("internal-error");

        private final String label;

        Kind(final String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public DeadLetter {
        if (reason != null && reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS - 3) + "...";
        }
    }

    /**
     * The size budget of one dead letter: the producer's {@code max.request.size} (a
     * {@code producer.} prefixed setting wins) from Kafka properties.
     *
     * @param kafka Kafka client properties, as given to Kafka Streams
     * @return bytes a dead letter's key, value and headers may take together
     * @throws IllegalArgumentException when the setting is not a positive integer
     */
    public static int budget(final Map<String, ?> kafka) {
        Object size = kafka.get("producer.max.request.size");
        if (size == null) {
            size = kafka.get("max.request.size");
        }
        final int max;
        try {
            max = size == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(size.toString().trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("max.request.size is not an integer: " + size);
        }
        if (max <= 0) {
            throw new IllegalArgumentException("max.request.size must be positive: " + max);
        }
        return Math.max(0, max - PRODUCER_OVERHEAD);
    }

    /** The headers this dead letter carries on the dead-letter topic. */
    public Headers headers() {
        final RecordHeaders headers = new RecordHeaders();
        headers.add(KIND, utf8(kind.label()));
        headers.add(REASON, utf8(reason));
        if (monitor != null) {
            headers.add(MONITOR, utf8(monitor));
        }
        headers.add(TOPIC, utf8(topic));
        headers.add(PARTITION, utf8(Integer.toString(partition)));
        headers.add(OFFSET, utf8(Long.toString(offset)));
        headers.add(TIMESTAMP, utf8(Long.toString(timestamp)));
        return headers;
    }

    /**
     * This dead letter as it goes to the dead-letter topic: the original headers, then this dead
     * letter's own, with the value (and, only if that is not enough, the key and the original
     * headers) cut so that key, value and headers together take at most {@code budget} bytes.
     *
     * @param original the source record's headers (not changed), or empty
     * @param extra    headers of this dead letter beyond {@link #headers()} (e.g. the event time)
     * @param budget   see {@link #budget(Map)}
     * @return the dead letter to send and its headers
     */
    public Fitted fit(final Headers original, final Headers extra, final int budget) {
        final RecordHeaders own = new RecordHeaders(headers().toArray());
        extra.forEach(own::add);
        final long ownSize = size(own);
        final long originalSize = size(original);
        final long keySize = key == null ? 0 : key.length;
        final long valueSize = value == null ? 0 : value.length;
        // Room for the two truncation headers themselves.
        final long marks = TRUNCATED.length() + ORIGINAL_SIZE.length() + "value,key,headers".length() + 20 + 2 * 10;
        if (keySize + valueSize + ownSize + originalSize <= budget) {
            return new Fitted(this, concat(original, own));
        }
        final RecordHeaders headers;
        final byte[] keptKey;
        final String truncated;
        long room = budget - ownSize - marks;
        if (keySize + originalSize <= room) {
            headers = concat(original, own);
            keptKey = key;
            room -= keySize + originalSize;
            truncated = "value";
        } else {
            headers = new RecordHeaders(own.toArray());
            keptKey = key == null ? null : Arrays.copyOf(key, (int) Math.max(0, Math.min(keySize, room / 2)));
            room -= keptKey == null ? 0 : keptKey.length;
            truncated = "value,key,headers";
        }
        final byte[] keptValue = value == null ? null : Arrays.copyOf(value, (int) Math.max(0, Math.min(valueSize, room)));
        headers.add(TRUNCATED, utf8(truncated));
        headers.add(ORIGINAL_SIZE, utf8(Long.toString(valueSize)));
        return new Fitted(new DeadLetter(kind, reason, monitor, topic, partition, offset, timestamp, keptKey, keptValue),
                headers);
    }

    /** A dead letter cut to fit, with every header it is sent with. */
    public record Fitted(DeadLetter deadLetter, Headers headers) {
    }

    /**
     * The reason of an {@code internal-error} dead letter: the exception's class and message, and
     * where in Divergent it was thrown.
     */
    public static String internalReason(final Throwable error) {
        final StringBuilder reason = new StringBuilder("unexpected ").append(error.getClass().getName());
        if (error.getMessage() != null) {
            reason.append(": ").append(error.getMessage().replaceAll("\\s*\\R\\s*", " "));
        }
        for (final StackTraceElement frame : error.getStackTrace()) {
            if (frame.getClassName().startsWith("io.divergent.")) {
                reason.append(" (at ").append(frame.getClassName()).append('.').append(frame.getMethodName())
                        .append(':').append(frame.getLineNumber()).append(')');
                break;
            }
        }
        return reason.toString();
    }

    /** One log line: where the record came from and why it was not counted. */
    public String describe() {
        return kind.label() + " record at " + topic + "-" + partition + "@" + offset
                + (monitor == null ? "" : " (monitor '" + monitor + "')") + ": " + reason;
    }

    /** Upper bound of the bytes headers take in a record: each key (UTF-8) and value, and two varint lengths. */
    private static long size(final Headers headers) {
        long size = 5;
        for (final Header header : headers) {
            size += 10 + utf8(header.key()).length + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private static RecordHeaders concat(final Headers first, final Headers second) {
        final RecordHeaders all = new RecordHeaders(first.toArray());
        second.forEach(all::add);
        return all;
    }

    private static byte[] utf8(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
