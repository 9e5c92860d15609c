package io.divergent.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * A record that was not counted, with why. Sent to the dead-letter topic (when configured) with
 * the original key and value bytes and headers naming the source and the reason:
 * {@value #KIND}, {@value #REASON}, {@value #TOPIC}, {@value #PARTITION}, {@value #OFFSET},
 * {@value #TIMESTAMP} and, when the record was rejected for one monitor only, {@value #MONITOR}.
 *
 * @param kind      what went wrong (see {@link Kind})
 * @param reason    one readable line
 * @param monitor   the monitor concerned, or null when the whole record was rejected
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 * @param timestamp event time of the record, or its record timestamp
 * @param key       original key bytes (may be null)
 * @param value     original value bytes (may be null)
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

    /** Why a record was not counted; the label is the header value and the metric tag. */
    public enum Kind {
        /** The value could not be decoded: a JSON syntax error, bytes the writer schema cannot read, a null value. */
        MALFORMED("malformed"),
        /** An Avro monitor's value does not start with the wire format's magic byte 0 (JSON, text, other formats). */
        WRONG_MAGIC_BYTE("wrong-magic-byte"),
        /** The value's schema id is unknown to the registry (it answered: not found). */
        UNKNOWN_SCHEMA("unknown-schema"),
        /** The category field is missing or null. */
        MISSING_CATEGORY("missing-category"),
        /** The category is not a string, number, boolean or enum, or is empty. */
        INVALID_CATEGORY("invalid-category"),
        /** The configured timestamp field is missing, not a time, or negative. */
        INVALID_TIMESTAMP("invalid-timestamp"),
        /** Every window of the record had already closed when it arrived. */
        LATE("late"),
        /** The record is further ahead of stream time than max.future allows. */
        FUTURE("future"),
        /** A reference record could not be decoded or holds invalid weights. */
        INVALID_REFERENCE("invalid-reference");

        private final String label;

        Kind(final String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
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

    /** One log line: where the record came from and why it was not counted. */
    public String describe() {
        return kind.label() + " record at " + topic + "-" + partition + "@" + offset
                + (monitor == null ? "" : " (monitor '" + monitor + "')") + ": " + reason;
    }

    private static byte[] utf8(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
