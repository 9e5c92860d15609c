package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Compact encoding of an {@link Observation} on the observations repartition topic:
 * varint source partition, varlong source offset, varlong event time, then the category in UTF-8. A few bytes
 * plus the category: this topic carries one record per counted event.
 */
public final class ObservationSerde implements Serde<Observation> {

    @Override
    public Serializer<Observation> serializer() {
        return (topic, observation) -> {
            if (observation == null) {
                return null;
            }
            final byte[] category = observation.category().getBytes(StandardCharsets.UTF_8);
            final ByteBuffer buffer = ByteBuffer.allocate(ByteUtils.sizeOfVarint(observation.sourcePartition())
                    + ByteUtils.sizeOfVarlong(observation.sourceOffset()) + ByteUtils.sizeOfVarlong(observation.eventTime())
                    + category.length);
            ByteUtils.writeVarint(observation.sourcePartition(), buffer);
            ByteUtils.writeVarlong(observation.sourceOffset(), buffer);
            ByteUtils.writeVarlong(observation.eventTime(), buffer);
            buffer.put(category);
            return buffer.array();
        };
    }

    @Override
    public Deserializer<Observation> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                final int partition = ByteUtils.readVarint(buffer);
                final long offset = ByteUtils.readVarlong(buffer);
                final long eventTime = ByteUtils.readVarlong(buffer);
                final String category = new String(bytes, buffer.position(), buffer.remaining(), StandardCharsets.UTF_8);
                return new Observation(category, partition, offset, eventTime);
            } catch (final RuntimeException e) {
                throw new SerializationException("corrupt observation record on " + topic, e);
            }
        };
    }
}
