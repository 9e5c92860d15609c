package io.divergent.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format shared with every Confluent-compatible serde: byte 0 is the magic
 * byte {@code 0}, bytes 1-4 the schema id as a big-endian signed int, then the Avro binary
 * encoding of the datum.
 */
public final class WireFormat {

    /** The only magic byte defined. */
    public static final byte MAGIC_BYTE = 0;
    /** Bytes before the Avro payload: magic byte plus 4-byte id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /**
     * Writes the header into {@code target[0..4]}.
     *
     * @throws IllegalArgumentException if {@code target} is shorter than {@link #HEADER_SIZE}
     */
    public static void writeHeader(final byte[] target, final int schemaId) {
        if (target.length < HEADER_SIZE) {
            throw new IllegalArgumentException("target of " + target.length + " bytes is shorter than the header");
        }
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** A fresh 5-byte header for {@code schemaId}. */
    public static byte[] header(final int schemaId) {
        final byte[] header = new byte[HEADER_SIZE];
        writeHeader(header, schemaId);
        return header;
    }

    /**
     * The schema id in the header of {@code data}, after checking the header is there.
     *
     * @param data  a serialized record; not null
     * @param topic the topic it came from, for the message (may be null)
     * @throws SerializationException if {@code data} is shorter than the header or does not
     *         start with the magic byte; the message says what the bytes look like instead
     */
    public static int readSchemaId(final byte[] data, final String topic) {
        if (data.length < HEADER_SIZE) {
            throw new SerializationException(where(topic) + "payload of " + data.length
                    + " byte(s) is too short for the Confluent wire format (5-byte header: magic byte 0, schema id)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new SerializationException(where(topic) + String.format("unknown magic byte 0x%02x", data[0] & 0xff)
                    + ": not Confluent Avro wire format" + guess(data[0]));
        }
        return (data[1] & 0xff) << 24 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 8 | data[4] & 0xff;
    }

    /**
     * True when {@code data} starts with the wire format's magic byte 0 (whatever follows).
     *
     * @param data bytes of a record value; null or empty gives false
     */
    public static boolean startsWithMagicByte(final byte[] data) {
        return data != null && data.length > 0 && data[0] == MAGIC_BYTE;
    }

    private static String guess(final byte first) {
        if (first == '{' || first == '[') {
            return " (JSON?)";
        }
        if (first == '"') {
            return " (a JSON string?)";
        }
        if (first >= 0x20 && first < 0x7f) {
            return " (plain text?)";
        }
        return "";
    }

    private static String where(final String topic) {
        return topic == null ? "" : "topic " + topic + ": ";
    }
}
