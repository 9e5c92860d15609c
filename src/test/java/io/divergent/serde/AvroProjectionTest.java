package io.divergent.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.registry.MockSchemaRegistry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 16: an Avro input decoded for the fields the monitors read alone. The projected reader
 * must give the same values at those paths as a full decode, refuse what a full decode refuses,
 * and fall back to the writer's schema when it cannot prune.
 */
class AvroProjectionTest {

    private static final String TOPIC = "events";

    private static final Schema PREDICTION = SchemaBuilder.record("Prediction").namespace("t").fields()
            .requiredString("label").requiredDouble("score").requiredString("model").endRecord();
    private static final Schema GEO = SchemaBuilder.record("Geo").namespace("t").fields()
            .requiredString("country").requiredString("city").endRecord();
    private static final Schema DEVICE = SchemaBuilder.enumeration("Device").namespace("t").symbols("PHONE", "TV", "WEB");
    /** A wide event: nested records, a union with a record, an enum, a map, a logical timestamp. */
    private static final Schema EVENT = SchemaBuilder.record("Event").namespace("t").fields()
            .requiredString("user_id")
            .name("prediction").type(PREDICTION).noDefault()
            .name("geo").type().unionOf().nullType().and().type(GEO).endUnion().nullDefault()
            .name("device").type(DEVICE).noDefault()
            .name("tags").type().map().values().stringType().noDefault()
            .name("at").type(org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
            .noDefault()
            .requiredString("page").requiredLong("session").requiredDouble("amount")
            .optionalString("referrer")
            .endRecord();

    private static final List<List<String>> READ = List.of(List.of("prediction", "label"), List.of("geo", "country"),
            List.of("device"), List.of("at"), List.of("tags"), List.of("referrer"));

    private String scope;
    private Map<String, Object> config;

    @BeforeEach
    void scope(final TestInfo info) {
        scope = info.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID();
        MockSchemaRegistry.forScope(scope);
        config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope);
    }

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(scope);
    }

    private static GenericRecord event(final Random random, final boolean withGeo) {
        final GenericRecord prediction = new GenericData.Record(PREDICTION);
        prediction.put("label", "label-" + random.nextInt(50));
        prediction.put("score", random.nextDouble());
        prediction.put("model", "m" + random.nextInt(3));
        final GenericRecord event = new GenericData.Record(EVENT);
        event.put("user_id", "user-" + random.nextInt(1_000_000));
        event.put("prediction", prediction);
        if (withGeo) {
            final GenericRecord geo = new GenericData.Record(GEO);
            geo.put("country", new String[] {"DE", "US", "NZ"}[random.nextInt(3)]);
            geo.put("city", "city-" + random.nextInt(100));
            event.put("geo", geo);
        }
        event.put("device", new GenericData.EnumSymbol(DEVICE, DEVICE.getEnumSymbols().get(random.nextInt(3))));
        event.put("tags", Map.of("k" + random.nextInt(5), "v"));
        event.put("at", random.nextLong() >>> 24);
        event.put("page", "/p/" + random.nextInt(1000));
        event.put("session", random.nextLong());
        event.put("amount", random.nextDouble() * 100);
        event.put("referrer", random.nextBoolean() ? "r" + random.nextInt(9) : null);
        return event;
    }

    private static Object at(final GenericRecord root, final List<String> path) {
        Object current = root;
        for (final String part : path) {
            if (!(current instanceof GenericRecord record) || record.getSchema().getField(part) == null) {
                return null;
            }
            current = record.get(part);
        }
        return current;
    }

    @Test
    void thePrunedSchemaKeepsThePathsAndTheWritersOrderAndNames() {
        final Schema reader = AvroProjection.of(EVENT, READ);
        assertThat(reader.getFullName()).isEqualTo("t.Event");
        assertThat(reader.getFields()).extracting(Schema.Field::name).containsExactly("prediction", "geo", "device", "tags", "at", "referrer");
        assertThat(reader.getField("prediction").schema().getFields()).extracting(Schema.Field::name).containsExactly("label");
        final Schema geo = reader.getField("geo").schema().getTypes().get(1);
        assertThat(geo.getFullName()).isEqualTo("t.Geo");
        assertThat(geo.getFields()).extracting(Schema.Field::name).containsExactly("country");
        // Kept whole where a path ends: the map, the enum, the logical type.
        assertThat(reader.getField("tags").schema()).isEqualTo(EVENT.getField("tags").schema());
        // A string leaf reads as java.lang.String; the writer's schema is left as it was.
        assertThat(reader.getField("prediction").schema().getField("label").schema().getProp(GenericData.STRING_PROP))
                .isEqualTo("String");
        assertThat(geo.getField("country").schema().getProp(GenericData.STRING_PROP)).isEqualTo("String");
        assertThat(reader.getField("referrer").schema().getTypes()).extracting(t -> t.getProp(GenericData.STRING_PROP))
                .containsExactly(null, "String");
        assertThat(PREDICTION.getField("label").schema().getProp(GenericData.STRING_PROP)).isNull();
        assertThat(reader.getField("at").schema().getLogicalType()).isEqualTo(org.apache.avro.LogicalTypes.timestampMillis());
    }

    @Test
    void projectedRecordsHoldTheSameValuesAtThePathsAsFullOnes() {
        try (AvroSerializer<GenericRecord> serializer = new AvroSerializer<>();
             AvroDeserializer<GenericRecord> full = new AvroDeserializer<>();
             AvroDeserializer<GenericRecord> projected = AvroSerdes.projected(config, READ)) {
            serializer.configure(config, false);
            full.configure(config, false);
            final Random random = new Random(16);
            for (int i = 0; i < 500; i++) {
                final byte[] bytes = serializer.serialize(TOPIC, event(random, i % 3 != 0));
                final GenericRecord whole = full.deserialize(TOPIC, bytes);
                final GenericRecord part = projected.deserialize(TOPIC, bytes);
                for (final List<String> path : READ) {
                    // A string leaf reads as a String where the full reader has a Utf8: the same text.
                    final Object value = at(whole, path);
                    assertThat(at(part, path)).as("%s of record %d", path, i)
                            .isEqualTo(value instanceof org.apache.avro.util.Utf8 ? value.toString() : value);
                }
                assertThat(part.getSchema().getField("page")).isNull();   // skipped, not decoded
                assertThat(at(part, List.of("prediction", "label"))).isInstanceOf(String.class);
                if (i % 3 != 0) {
                    assertThat(at(part, List.of("geo", "country"))).isInstanceOf(String.class);
                }
            }
        }
    }

    @Test
    void aProjectedReaderRefusesWhatAFullOneRefuses() {
        try (AvroSerializer<GenericRecord> serializer = new AvroSerializer<>();
             AvroDeserializer<GenericRecord> projected = AvroSerdes.projected(config, READ)) {
            serializer.configure(config, false);
            final byte[] bytes = serializer.serialize(TOPIC, event(new Random(1), true));
            // Truncated inside a skipped field (the last, amount) and with a byte left over.
            assertThatThrownBy(() -> projected.deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length - 3)))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("cannot decode");
            assertThatThrownBy(() -> projected.deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length + 1)))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("bytes left over");
        }
    }

    @Test
    void aPathToAFieldTheWriterLacksReadsAsAbsentAndNoPathsMeansTheWholeRecord() {
        final Schema reader = AvroProjection.of(EVENT, List.of(List.of("prediction", "label"), List.of("missing")));
        assertThat(reader.getFields()).extracting(Schema.Field::name).containsExactly("prediction");
        assertThat(AvroProjection.of(EVENT, List.of())).isSameAs(EVENT);
        assertThat(AvroProjection.of(Schema.create(Schema.Type.STRING), READ)).isEqualTo(Schema.create(Schema.Type.STRING));
    }

    @Test
    void aRecordTypeOnTwoPathsIsNotPrunedTwoWays() {
        // home and work share the type Geo: pruned for each path alone, the reader would define Geo twice.
        final Schema twoGeos = SchemaBuilder.record("Commute").namespace("t").fields()
                .name("home").type(GEO).noDefault().name("work").type(GEO).noDefault()
                .requiredString("note").endRecord();
        assertThat(AvroProjection.of(twoGeos, List.of(List.of("home", "country"), List.of("work", "city"))))
                .isSameAs(twoGeos);
        assertThat(AvroProjection.of(twoGeos, List.of(List.of("home"), List.of("work", "city")))).isSameAs(twoGeos);
        // One path through it: pruned.
        assertThat(AvroProjection.of(twoGeos, List.of(List.of("home", "country"))).getFields())
                .extracting(Schema.Field::name).containsExactly("home");
    }
}
