package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;

/**
 * One Space-Saving counter of the counts store: the events of a category counted since it last
 * took a counter ({@code count}, exact), and the count it inherited from the category it evicted
 * ({@code error}, an upper bound on its events before that). The category's true count in the
 * pane lies in {@code [count, count + error]}; {@code count + error} is the Space-Saving estimate.
 *
 * @param count  events counted since the category took its counter, {@code >= 1}
 * @param error  the count inherited on eviction, {@code >= 0}; 0 when the count is exact
 */
record SketchCount(long count, long error) {

    /** The Space-Saving estimate {@code count + error}: an upper bound of the true count. */
    long estimate() {
        return count + error;
    }

    SketchCount plusOne() {
        return new SketchCount(count + 1, error);
    }

    /**
     * The store value format. An exact counter is written as the 8-byte big-endian long of
     * Kafka's {@code LongSerializer}, so counts stores written before Space-Saving (every value
     * exact) read unchanged; a counter with an error is 16 bytes: count, then error.
     */
    static Serde<SketchCount> serde() {
        final Serializer<SketchCount> serializer = (topic, value) -> value == null ? null
                : value.error == 0 ? ByteBuffer.allocate(8).putLong(value.count).array()
                : ByteBuffer.allocate(16).putLong(value.count).putLong(value.error).array();
        final Deserializer<SketchCount> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return switch (bytes.length) {
                case 8 -> new SketchCount(buffer.getLong(), 0);
                case 16 -> new SketchCount(buffer.getLong(), buffer.getLong());
                default -> throw new SerializationException("a count is 8 or 16 bytes, not " + bytes.length);
            };
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(serializer, deserializer);
    }
}
