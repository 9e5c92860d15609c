package io.divergent.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.avro.ContributionDirection;
import io.divergent.avro.Contributor;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.PlayEvent;
import io.divergent.avro.ReferenceInfo;
import io.divergent.avro.ReferenceKind;
import io.divergent.avro.Unit;
import io.divergent.registry.MockSchemaRegistry;
import io.divergent.registry.RegistryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Serializer and deserializer against a {@code mock://} registry, one scope per test. */
class AvroSerdeTest {

    private static final String TOPIC = "plays";

    /** An older PlayEvent: same full name, only two of today's fields. */
    private static final Schema PLAY_EVENT_V0 = SchemaBuilder.record("PlayEvent").namespace("io.divergent.avro")
            .fields().requiredString("user_id").optionalString("genre").endRecord();

    private static final Schema USER_V1 = SchemaBuilder.record("User").namespace("t").fields()
            .requiredString("name").endRecord();
    private static final Schema USER_V2 = SchemaBuilder.record("User").namespace("t").fields()
            .requiredString("name").name("age").type().intType().intDefault(-1).endRecord();

    private String scope;
    private MockSchemaRegistry registry;
    private Map<String, Object> config;

    @BeforeEach
    void scope(final TestInfo info) {
        scope = info.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID();
        registry = MockSchemaRegistry.forScope(scope);
        config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope);
    }

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(scope);
    }

    private static PlayEvent play(final String user, final String genre) {
        return PlayEvent.newBuilder().setUserId(user).setGenre(genre).setCountry("NZ")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L)).build();
    }

    @Test
    void specificRoundTrip() {
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            final PlayEvent event = play("u1", "jazz");
            final byte[] bytes = serde.serializer().serialize(TOPIC, event);
            assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(event);
        }
    }

    @Test
    void specificRoundTripOfANestedRecordWithMapsEnumsAndLogicalTypes() {
        final DivergenceEvent event = DivergenceEvent.newBuilder()
                .setSeriesId("m|country=NZ").setMonitor("m").setSegments(Map.of("country", "NZ"))
                .setWindowStart(Instant.ofEpochMilli(0)).setWindowEnd(Instant.ofEpochMilli(60_000))
                .setObservedTotal(10).setDistinctCategories(2).setHasReference(true)
                .setReference(ReferenceInfo.newBuilder().setKind(ReferenceKind.TOPIC).setTimestamp(Instant.ofEpochMilli(5))
                        .setTotalWeight(4.0).setDistinctCategories(2).build())
                .setUnit(Unit.BITS).setSmoothing("none").setAlpha(0).setCategories(2).setEntropyP(1.0)
                .setKlPq(Double.POSITIVE_INFINITY).setKlInfinite(true)
                .setTopContributors(List.of(new Contributor("jazz", 0.5, 0.0, Double.POSITIVE_INFINITY, 0.25,
                        ContributionDirection.NEW)))
                .build();
        try (Serde<DivergenceEvent> serde = AvroSerdes.specific(DivergenceEvent.class, config, false)) {
            final byte[] bytes = serde.serializer().serialize("divergence", event);
            assertThat(serde.deserializer().deserialize("divergence", bytes)).isEqualTo(event);
        }
    }

    @Test
    void genericRoundTripReadsWithTheWriterSchema() {
        final GenericRecord user = new GenericRecordBuilder(USER_V2).set("name", "ann").set("age", 7).build();
        try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
            final GenericRecord back = serde.deserializer().deserialize("users", serde.serializer().serialize("users", user));
            assertThat(back.getSchema()).isEqualTo(USER_V2);
            assertThat(back.get("name").toString()).isEqualTo("ann");
            assertThat(back.get("age")).isEqualTo(7);
        }
    }

    @Test
    void rawBytesAreMagicZeroThenTheRegisteredIdBigEndianThenAvro() {
        // Make the id of our schema something other than 1, as it would be on a shared registry.
        registry.register("unrelated", USER_V1);
        registry.register("unrelated2", USER_V2);
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            final byte[] bytes = serde.serializer().serialize(TOPIC, play("u1", "jazz"));
            final int id = registry.latest(TOPIC + "-value").id();
            assertThat(id).isEqualTo(registry.lookup(TOPIC + "-value", PlayEvent.getClassSchema()));
            assertThat(bytes[0]).isZero();
            assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
            assertThat(WireFormat.readSchemaId(bytes, TOPIC)).isEqualTo(id);
            // The rest is plain Avro binary: user_id "u1" is zig-zag length 2 (0x04) then the bytes.
            assertThat(bytes[5]).isEqualTo((byte) 0x04);
            assertThat(new String(bytes, 6, 2, StandardCharsets.UTF_8)).isEqualTo("u1");
        }
    }

    @Test
    void anOldWriterIsResolvedIntoTheNewReaderWithDefaults() {
        final GenericRecord old = new GenericRecordBuilder(PLAY_EVENT_V0).set("user_id", "u9").set("genre", "rock").build();
        try (Serde<GenericRecord> writer = AvroSerdes.generic(config, false);
             Serde<PlayEvent> reader = AvroSerdes.specific(PlayEvent.class, config, false)) {
            final byte[] bytes = writer.serializer().serialize(TOPIC, old);
            final PlayEvent event = reader.deserializer().deserialize(TOPIC, bytes);
            assertThat(event.getUserId()).isEqualTo("u9");
            assertThat(event.getGenre()).isEqualTo("rock");
            assertThat(event.getDevice()).as("default").isNull();
            assertThat(event.getEventTime()).as("default").isNull();
        }
    }

    @Test
    void aNewWriterIsReadByAnOldGenericConsumerWithTheWriterSchema() {
        try (Serde<PlayEvent> writer = AvroSerdes.specific(PlayEvent.class, config, false);
             Serde<GenericRecord> reader = AvroSerdes.generic(config, false)) {
            final GenericRecord record = reader.deserializer().deserialize(TOPIC,
                    writer.serializer().serialize(TOPIC, play("u2", "pop")));
            assertThat(record.get("genre")).isEqualTo("pop");
            // Generic data carries the logical type's underlying long.
            assertThat(record.get("event_time")).isEqualTo(1_700_000_000_123L);
        }
    }

    @Test
    void nullsPassThrough() {
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
            assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
        }
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void jsonIsRefusedNamingTheMagicByte() {
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC,
                    "{\"user_id\":\"u1\"}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("unknown magic byte 0x7b")
                    .hasMessageContaining("not Confluent Avro wire format (JSON?)")
                    .hasMessageContaining(TOPIC);
        }
    }

    @Test
    void aPayloadShorterThanTheHeaderIsRefused() {
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("3 byte(s) is too short");
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[0]))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("0 byte(s) is too short");
        }
    }

    @Test
    void anUnknownSchemaIdIsRefusedNamingIdAndRegistry() {
        final byte[] bytes = {0, 0, 0, 0, 42, 4, 'u', '1'};
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("schema id 42 not found in registry mock://" + scope)
                    .hasCauseInstanceOf(RegistryException.class);
        }
    }

    @Test
    void undecodableAvroIsRefused() {
        final int id = registry.register(TOPIC + "-value", PlayEvent.getClassSchema());
        final byte[] header = WireFormat.header(id);
        // String length -64 (zig-zag 0x7f): negative length.
        final byte[] garbage = {header[0], header[1], header[2], header[3], header[4], 0x7f};
        // A complete record followed by junk: the payload belongs to another schema.
        final byte[] trailing = {header[0], header[1], header[2], header[3], header[4], 2, 'a', 0, 0, 0, 0, 0, 9, 9};
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, garbage))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("cannot decode Avro payload of 6 bytes with schema id " + id);
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, trailing))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("bytes left over");
            // Truncated: the header and nothing else.
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, header))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("cannot decode");
        }
    }

    @Test
    void aWriterSchemaTheClassCannotReadIsRefusedWithTheReason() {
        final GenericRecord user = new GenericRecordBuilder(USER_V1).set("name", "x").build();
        try (Serde<GenericRecord> writer = AvroSerdes.generic(config, false);
             Serde<PlayEvent> reader = AvroSerdes.specific(PlayEvent.class, config, false)) {
            final byte[] bytes = writer.serializer().serialize("users", user);
            assertThatThrownBy(() -> reader.deserializer().deserialize("users", bytes))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("(t.User) cannot be read as io.divergent.avro.PlayEvent");
        }
    }

    @Test
    void topicNameStrategyIsTheDefaultForKeysAndValues() {
        try (Serde<GenericRecord> keys = AvroSerdes.generic(config, true);
             Serde<GenericRecord> values = AvroSerdes.generic(config, false)) {
            keys.serializer().serialize("t1", new GenericRecordBuilder(USER_V1).set("name", "k").build());
            values.serializer().serialize("t1", new GenericRecordBuilder(USER_V1).set("name", "v").build());
        }
        assertThat(registry.subjects()).containsExactlyInAnyOrder("t1-key", "t1-value");
    }

    @Test
    void recordAndTopicRecordStrategiesByShortOrConfluentName() {
        config.put(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "io.confluent.kafka.serializers.subject.RecordNameStrategy");
        config.put(AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY, "TopicRecordNameStrategy");
        try (Serde<PlayEvent> values = AvroSerdes.specific(PlayEvent.class, config, false);
             Serde<PlayEvent> keys = AvroSerdes.specific(PlayEvent.class, config, true)) {
            values.serializer().serialize("a", play("u", "g"));
            values.serializer().serialize("b", play("u", "g"));
            keys.serializer().serialize("a", play("u", "g"));
        }
        assertThat(registry.subjects()).containsExactlyInAnyOrder("io.divergent.avro.PlayEvent", "a-io.divergent.avro.PlayEvent");
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaIsAClearError() {
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, play("u", "g")))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("subject '" + TOPIC + "-value'")
                    .hasMessageContaining("mock://" + scope)
                    .hasMessageContaining("is not registered and auto.register.schemas=false");
            assertThat(registry.subjects()).isEmpty();

            final int id = registry.register(TOPIC + "-value", PlayEvent.getClassSchema());
            assertThat(WireFormat.readSchemaId(serde.serializer().serialize(TOPIC, play("u", "g")), TOPIC)).isEqualTo(id);
        }
    }

    @Test
    void useLatestVersionWritesWithTheLatestSchemaConvertingOlderRecords() {
        final String subject = "users-value";
        registry.register(subject, USER_V1);
        final int latest = registry.register(subject, USER_V2);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION, true);
        try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
            final byte[] bytes = serde.serializer().serialize("users", new GenericRecordBuilder(USER_V1).set("name", "old").build());
            assertThat(WireFormat.readSchemaId(bytes, "users")).isEqualTo(latest);
            final GenericRecord back = serde.deserializer().deserialize("users", bytes);
            assertThat(back.getSchema()).isEqualTo(USER_V2);
            assertThat(back.get("name").toString()).isEqualTo("old");
            assertThat(back.get("age")).as("default of v2").isEqualTo(-1);

            final byte[] same = serde.serializer().serialize("users", new GenericRecordBuilder(USER_V2)
                    .set("name", "new").set("age", 3).build());
            assertThat(WireFormat.readSchemaId(same, "users")).isEqualTo(latest);
        }
        assertThat(registry.versions(subject)).containsExactly(1, 2);
    }

    @Test
    void useLatestVersionRefusesRecordsTheLatestCannotRead() {
        final Schema other = SchemaBuilder.record("User").namespace("t").fields().requiredLong("id").endRecord();
        registry.setCompatibility("users-value", "NONE");
        registry.register("users-value", other);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION, true);
        try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
            assertThatThrownBy(() -> serde.serializer().serialize("users", new GenericRecordBuilder(USER_V1)
                    .set("name", "x").build()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("cannot read records of schema t.User");
        }
    }

    @Test
    void useLatestVersionWithAutoRegisterIsAConfigError() {
        config.put(AvroSerdeConfig.USE_LATEST_VERSION, "true");
        assertThatThrownBy(() -> AvroSerdes.generic(config, false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas=false");
    }

    @Test
    void anIncompatibleSchemaIsRefusedByTheSerializer() {
        final Schema required = SchemaBuilder.record("User").namespace("t").fields()
                .requiredString("name").requiredInt("age").endRecord();
        try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
            serde.serializer().serialize("users", new GenericRecordBuilder(USER_V1).set("name", "a").build());
            assertThatThrownBy(() -> serde.serializer().serialize("users",
                    new GenericRecordBuilder(required).set("name", "a").set("age", 1).build()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("incompatible")
                    .hasCauseInstanceOf(RegistryException.class);
        }
    }

    @Test
    void configurationErrorsAreConfigExceptions() {
        assertThatThrownBy(() -> AvroSerdes.generic(Map.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        config.put(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "FancyStrategy");
        assertThatThrownBy(() -> AvroSerdes.generic(config, false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("FancyStrategy");
        config.remove(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "yes");
        assertThatThrownBy(() -> AvroSerdes.generic(config, false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
    }

    @Test
    void unconfiguredOrNonRecordUseIsRefused() {
        final AvroSerializer<Object> serializer = new AvroSerializer<>();
        assertThatThrownBy(() -> serializer.serialize(TOPIC, "x")).isInstanceOf(IllegalStateException.class);
        serializer.configure(config, false);
        assertThatThrownBy(() -> serializer.serialize(TOPIC, "x"))
                .isInstanceOf(SerializationException.class).hasMessageContaining("java.lang.String");
        serializer.close();
        assertThatThrownBy(() -> new AvroDeserializer<>(String.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AvroDeserializer.generic().deserialize(TOPIC, new byte[5]))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void oneInstanceIsSafeToShareBetweenThreads() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Serde<PlayEvent> serde = AvroSerdes.specific(PlayEvent.class, config, false)) {
            final List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        final PlayEvent event = play("u" + thread + "-" + i, i % 2 == 0 ? "jazz" : null);
                        if (!event.equals(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, event)))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (final Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.versions(TOPIC + "-value")).containsExactly(1);
    }

    @Test
    void aGenericRecordThatViolatesItsSchemaIsASerializationException() {
        final GenericData.Record broken = new GenericData.Record(USER_V1);
        try (Serde<GenericRecord> serde = AvroSerdes.generic(config, false)) {
            assertThatThrownBy(() -> serde.serializer().serialize("users", broken))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("cannot encode");
        }
    }
}
