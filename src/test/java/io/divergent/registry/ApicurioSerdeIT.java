package io.divergent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.avro.PlayEvent;
import io.divergent.serde.AvroSerdeConfig;
import io.divergent.serde.AvroSerdes;
import io.divergent.serde.WireFormat;
import io.divergent.testing.ApicurioRegistry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Serializer to deserializer through a real Apicurio Registry (shared with the other ITs). */
// Failsafe sets the property; a surefire run selected by package (-Dtest=...) skips these.
@EnabledIfSystemProperty(named = ApicurioRegistry.HOME_PROPERTY, matches = ".+",
        disabledReason = "integration test: run with mvn verify (failsafe)")
class ApicurioSerdeIT {

    private static final Schema PLAY_EVENT_V0 = SchemaBuilder.record("PlayEvent").namespace("io.divergent.avro")
            .fields().requiredString("user_id").optionalString("genre").endRecord();

    private String topic;
    private Map<String, Object> config;

    @BeforeEach
    void topic(final TestInfo info) {
        topic = info.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID();
        config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, ApicurioRegistry.shared().ccompatUrl());
    }

    @Test
    void specificRoundTripCarriesTheRegisteredId() {
        final PlayEvent event = PlayEvent.newBuilder().setUserId("u1").setGenre("jazz")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false);
             SchemaRegistry registry = SchemaRegistries.create(config)) {
            final byte[] bytes = serde.serializer().serialize(topic, event);
            assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
            final int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            try (HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(
                    HttpSchemaRegistryClient.Options.of(ApicurioRegistry.shared().ccompatUrl()))) {
                assertThat(fresh.latest(topic + "-value").id()).isEqualTo(id);
                assertThat(fresh.lookup(topic + "-value", PlayEvent.getClassSchema())).isEqualTo(id);
                assertThat(fresh.schemaById(id)).as("the registry keeps the schema as sent, props included")
                        .isEqualTo(PlayEvent.getClassSchema());
            }
            assertThat(serde.deserializer().deserialize(topic, bytes)).isEqualTo(event);
            assertThat(registry.versions(topic + "-value")).containsExactly(1);
        }
    }

    @Test
    void anOldWriterIsReadByTheNewSpecificClassAfterABackwardCompatibleEvolution() {
        final GenericRecord old = new GenericRecordBuilder(PLAY_EVENT_V0).set("user_id", "u2").set("genre", "rock").build();
        try (Serde<GenericRecord> writer = AvroSerdes.generic(config, false);
             Serde<PlayEvent> reader = AvroSerdes.specific(PlayEvent.class, config, false)) {
            final byte[] oldBytes = writer.serializer().serialize(topic, old);
            // Registering today's schema as version 2 passes the real BACKWARD check.
            final byte[] newBytes = reader.serializer().serialize(topic,
                    PlayEvent.newBuilder().setUserId("u3").setDevice("tv").build());
            assertThat(WireFormat.readSchemaId(newBytes, topic)).isNotEqualTo(WireFormat.readSchemaId(oldBytes, topic));

            final PlayEvent fromOld = reader.deserializer().deserialize(topic, oldBytes);
            assertThat(fromOld.getUserId()).isEqualTo("u2");
            assertThat(fromOld.getGenre()).isEqualTo("rock");
            assertThat(fromOld.getDevice()).isNull();
            assertThat(reader.deserializer().deserialize(topic, newBytes).getDevice()).isEqualTo("tv");
        }
    }

    @Test
    void anIncompatibleSchemaIsRefusedByTheRealRegistry() {
        final Schema required = SchemaBuilder.record("PlayEvent").namespace("io.divergent.avro").fields()
                .requiredString("user_id").requiredString("genre").requiredString("mood").endRecord();
        try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
            serde.serializer().serialize(topic, new GenericRecordBuilder(PLAY_EVENT_V0).set("user_id", "a").build());
            assertThatThrownBy(() -> serde.serializer().serialize(topic, new GenericRecordBuilder(required)
                    .set("user_id", "a").set("genre", "g").set("mood", "m").build()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("incompatible")
                    .hasRootCauseInstanceOf(RegistryException.class);
        }
    }

    @Test
    void withoutAutoRegisterAnUnknownSubjectIsAClearError() {
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            assertThatThrownBy(() -> serde.serializer().serialize(topic, PlayEvent.newBuilder().setUserId("u").build()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("subject '" + topic + "-value'")
                    .hasMessageContaining(ApicurioRegistry.shared().ccompatUrl())
                    .hasMessageContaining("auto.register.schemas=false");
        }
    }

    @Test
    void useLatestVersionWritesWithTheRegisteredLatest() {
        try (SchemaRegistry registry = SchemaRegistries.create(config)) {
            registry.register(topic + "-value", PLAY_EVENT_V0);
            final int latest = registry.register(topic + "-value", PlayEvent.getClassSchema());
            config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
            config.put(AvroSerdeConfig.USE_LATEST_VERSION, true);
            try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false);
                 Serde<PlayEvent> reader = AvroSerdes.specific(PlayEvent.class, config, false)) {
                final byte[] bytes = serde.serializer().serialize(topic,
                        new GenericRecordBuilder(PLAY_EVENT_V0).set("user_id", "u").set("genre", "folk").build());
                assertThat(WireFormat.readSchemaId(bytes, topic)).isEqualTo(latest);
                assertThat(reader.deserializer().deserialize(topic, bytes).getGenre()).isEqualTo("folk");
            }
        }
    }

    @Test
    void anUnknownIdIsAClearDeserializationError() {
        final byte[] bytes = ByteBuffer.allocate(7).put((byte) 0).putInt(Integer.MAX_VALUE - 3).put((byte) 2)
                .put((byte) 'x').array();
        try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(topic, bytes))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("schema id " + (Integer.MAX_VALUE - 3) + " not found in registry "
                            + ApicurioRegistry.shared().ccompatUrl());
        }
    }
}
