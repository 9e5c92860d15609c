package io.divergent.serde;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An {@link AvroSerializer} and {@link AvroDeserializer} pair in the Confluent wire format,
 * configured together. Specific ({@link #AvroSerde(Class)}) or generic ({@link #AvroSerde()});
 * see {@link AvroSerdes} for configured instances in one call.
 *
 * @param <T> the specific record class, or {@link GenericRecord}
 */
public final class AvroSerde<T> implements Serde<T> {

    private final AvroSerializer<T> serializer = new AvroSerializer<>();
    private final AvroDeserializer<T> deserializer;

    /** A generic serde; {@code T} must be {@link GenericRecord}. Call {@link #configure} before use. */
    public AvroSerde() {
        this.deserializer = new AvroDeserializer<>();
    }

    /**
     * A specific serde for {@code type}. Call {@link #configure} before use.
     *
     * @throws IllegalArgumentException if {@code type} is not a generated Avro class
     * @throws NullPointerException if {@code type} is null
     */
    public AvroSerde(final Class<T> type) {
        this.deserializer = new AvroDeserializer<>(type);
    }

    /**
     * Configures both halves (see {@link AvroSerializer#configure} and
     * {@link AvroDeserializer#configure}).
     *
     * @throws org.apache.kafka.common.config.ConfigException as those methods
     */
    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    /** Closes both halves. Idempotent. */
    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }
}
