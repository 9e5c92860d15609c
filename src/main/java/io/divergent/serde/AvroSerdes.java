package io.divergent.serde;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

import java.util.List;
import java.util.Map;

/** Configured {@link AvroSerde}s in one call. */
public final class AvroSerdes {

    private AvroSerdes() {
    }

    /**
     * A configured serde for a generated Avro class.
     *
     * @param type   the class
     * @param config serde configuration ({@code schema.registry.url} and the keys of
     *               {@link AvroSerializer})
     * @param isKey  whether the serde is for record keys
     * @throws org.apache.kafka.common.config.ConfigException if the configuration is invalid
     * @throws IllegalArgumentException if {@code type} has no Avro schema
     */
    public static <T extends SpecificRecord> Serde<T> specific(final Class<T> type, final Map<String, ?> config,
                                                               final boolean isKey) {
        final AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(config, isKey);
        return serde;
    }

    /**
     * A configured serde for {@link GenericRecord}s (read with the writer's schema).
     *
     * @param config serde configuration, as for {@link #specific}
     * @param isKey  whether the serde is for record keys
     * @throws org.apache.kafka.common.config.ConfigException if the configuration is invalid
     */
    public static Serde<GenericRecord> generic(final Map<String, ?> config, final boolean isKey) {
        final AvroSerde<GenericRecord> serde = new AvroSerde<>();
        serde.configure(config, isKey);
        return serde;
    }

    /**
     * A configured generic deserializer that decodes only the fields at {@code paths} (see
     * {@link AvroDeserializer#AvroDeserializer(List)}).
     *
     * @param config serde configuration, as for {@link #specific}
     * @param paths  field paths from the top-level record
     * @throws org.apache.kafka.common.config.ConfigException if the configuration is invalid
     */
    public static AvroDeserializer<GenericRecord> projected(final Map<String, ?> config, final List<List<String>> paths) {
        final AvroDeserializer<GenericRecord> deserializer = new AvroDeserializer<>(paths);
        deserializer.configure(config, false);
        return deserializer;
    }
}
