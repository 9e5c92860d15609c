package io.divergent.serde;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.PlayEvent;
import io.divergent.avro.ReferenceDistribution;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The compiled writer writes byte for byte what Avro's own writer of the same model writes:
 * random records of every generated class (specific, with their logical-type conversions) and
 * of their schemas (generic), nulls, empty and non-ASCII strings, empty and larger maps and
 * arrays, infinite and NaN doubles included.
 */
class CompiledDatumWriterTest {

    private static final int RECORDS = 300;

    @ParameterizedTest
    @ValueSource(classes = {DivergenceEvent.class, DriftAlert.class, PlayEvent.class, ReferenceDistribution.class})
    void writesWhatAvrosOwnWriterWritesForEveryGeneratedClass(final Class<? extends SpecificRecord> type) throws IOException {
        final Schema schema = SpecificData.get().getSchema(type);
        AvroClassTrust.trust(type, schema);   // as the deserializer does: Avro trusts no generated class by default
        final SpecificData specific = SpecificData.getForClass(type);
        final CompiledDatumWriter compiledSpecific = CompiledDatumWriter.of(specific, schema);
        final CompiledDatumWriter compiledGeneric = CompiledDatumWriter.of(GenericData.get(), schema);
        @SuppressWarnings("unchecked")
        final DatumWriter<Object> avroSpecific = (DatumWriter<Object>) specific.createDatumWriter(schema);
        final DatumWriter<Object> avroGeneric = new GenericDatumWriter<>(schema, GenericData.get());
        final SpecificDatumReader<Object> reader = new SpecificDatumReader<>(schema, schema, specific);
        final SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < RECORDS; i++) {
            final Object generic = randomValue(schema, random, 0);
            final byte[] expected = bytes(avroGeneric, generic);
            assertThat(bytes(compiledGeneric, generic)).as("generic record %d of %s", i, type.getSimpleName())
                    .isEqualTo(expected);
            // The same record as an instance of the generated class, its timestamps as Instants.
            final Object instance = reader.read(null, DecoderFactory.get().binaryDecoder(expected, null));
            assertThat(instance).isInstanceOf(type);
            assertThat(bytes(compiledSpecific, instance)).as("specific record %d of %s", i, type.getSimpleName())
                    .isEqualTo(bytes(avroSpecific, instance));
        }
    }

    @Test
    void aNullInARequiredFieldNamesTheField() {
        final Schema schema = DivergenceEvent.getClassSchema();
        final GenericRecord record = (GenericRecord) randomValue(schema, new SplittableRandom(1), 0);
        record.put("series_id", null);
        assertThatThrownBy(() -> bytes(CompiledDatumWriter.of(GenericData.get(), schema), record))
                .isInstanceOf(AvroTypeException.class).hasMessageContaining("DivergenceEvent.series_id")
                .hasMessageContaining("null value for a non-nullable field");
    }

    /**
     * Issue 16: every non-null primitive field (no logical type) of a generated record is read
     * through its getter, unboxed; the bytes are the same (the test above). A generic record has
     * no getters.
     */
    @ParameterizedTest
    @ValueSource(classes = {DivergenceEvent.class, DriftAlert.class, PlayEvent.class, ReferenceDistribution.class})
    void readsEveryNonNullPrimitiveOfAGeneratedRecordThroughItsGetter(final Class<? extends SpecificRecord> type) {
        final Schema schema = SpecificData.get().getSchema(type);
        final int primitives = primitiveFields(schema, new java.util.HashSet<>());
        assertThat(CompiledDatumWriter.of(SpecificData.getForClass(type), schema).directFields()).isEqualTo(primitives);
        assertThat(CompiledDatumWriter.of(GenericData.get(), schema).directFields()).isZero();
        // A second writer of the class (another serializer, another application started in this
        // JVM) reuses the getters: no new class for the JIT to compile.
        final int spun = CompiledDatumWriter.spun();
        assertThat(CompiledDatumWriter.of(SpecificData.getForClass(type), schema).directFields()).isEqualTo(primitives);
        assertThat(CompiledDatumWriter.spun()).isEqualTo(spun);
        if (type == DivergenceEvent.class) {
            assertThat(primitives).as("a divergence event's").isGreaterThan(20);
        }
    }

    /** Non-null double, long, int and boolean fields without a logical type, over the named records reachable from a schema. */
    private static int primitiveFields(final Schema schema, final java.util.Set<String> seen) {
        return switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    yield 0;
                }
                int n = 0;
                for (final Schema.Field field : schema.getFields()) {
                    final Schema.Type t = field.schema().getType();
                    if (field.schema().getLogicalType() == null && (t == Schema.Type.DOUBLE || t == Schema.Type.LONG
                            || t == Schema.Type.INT || t == Schema.Type.BOOLEAN)) {
                        n++;
                    }
                    n += primitiveFields(field.schema(), seen);
                }
                yield n;
            }
            case UNION -> schema.getTypes().stream().mapToInt(b -> primitiveFields(b, seen)).sum();
            case ARRAY -> primitiveFields(schema.getElementType(), seen);
            case MAP -> primitiveFields(schema.getValueType(), seen);
            default -> 0;
        };
    }

    private static byte[] bytes(final DatumWriter<Object> writer, final Object datum) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(datum, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** A random value of a schema, as a generic datum (timestamps as raw longs). */
    private static Object randomValue(final Schema schema, final SplittableRandom random, final int depth) {
        return switch (schema.getType()) {
            case RECORD -> {
                final GenericData.Record record = new GenericData.Record(schema);
                for (final Schema.Field field : schema.getFields()) {
                    record.put(field.pos(), randomValue(field.schema(), random, depth + 1));
                }
                yield record;
            }
            case UNION -> {
                final List<Schema> branches = schema.getTypes();
                yield randomValue(branches.get(random.nextInt(branches.size())), random, depth + 1);
            }
            case ARRAY -> {
                final int n = depth > 4 ? 0 : random.nextInt(5);
                final List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(randomValue(schema.getElementType(), random, depth + 1));
                }
                yield new GenericData.Array<>(schema, items);
            }
            case MAP -> {
                final int n = depth > 4 ? 0 : random.nextInt(5);
                final Map<String, Object> entries = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    entries.put(randomString(random), randomValue(schema.getValueType(), random, depth + 1));
                }
                yield entries;
            }
            case ENUM -> new GenericData.EnumSymbol(schema,
                    schema.getEnumSymbols().get(random.nextInt(schema.getEnumSymbols().size())));
            case STRING -> randomString(random);
            case BYTES -> ByteBuffer.wrap(randomString(random).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case FIXED -> new GenericData.Fixed(schema, new byte[schema.getFixedSize()]);
            case INT -> random.nextInt();
            case LONG -> random.nextBoolean() ? random.nextLong(0, 4_102_444_800_000L) : random.nextLong();
            case FLOAT -> (float) random.nextDouble();
            case DOUBLE -> switch (random.nextInt(8)) {
                case 0 -> Double.POSITIVE_INFINITY;
                case 1 -> Double.NaN;
                case 2 -> 0.0;
                default -> random.nextDouble() * 1e6 - 5e5;
            };
            case BOOLEAN -> random.nextBoolean();
            case NULL -> null;
        };
    }

    private static String randomString(final SplittableRandom random) {
        final String[] pieces = {"", "a", "rock", "série", "日本", "genres|country=DE", "x".repeat(40)};
        return pieces[random.nextInt(pieces.length)] + (random.nextBoolean() ? "" : Integer.toString(random.nextInt(1000)));
    }
}
