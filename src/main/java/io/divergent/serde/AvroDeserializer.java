package io.divergent.serde;

import io.divergent.registry.RegistryException;
import io.divergent.registry.SchemaRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Deserializes the Confluent wire format ({@link WireFormat}) written by {@link AvroSerializer}
 * or Confluent's serializers.
 *
 * <p>Two modes, fixed at construction:
 * <ul>
 * <li><b>specific</b> ({@link #AvroDeserializer(Class)}): the class's own schema is the reader
 *     schema; data written with another schema is resolved into it by Avro's rules (a field
 *     missing from the writer takes the reader's default). Writer schemas the class cannot
 *     read are refused with the reason;</li>
 * <li><b>generic</b> ({@link #AvroDeserializer()}): a {@link GenericRecord} with the writer's
 *     schema.</li>
 * </ul>
 *
 * <p>Avro 1.12.2 instantiates only classes its JVM-wide
 * {@link org.apache.avro.util.ClassSecurityValidator} trusts. Constructing a specific
 * deserializer trusts exactly the generated types named in that class's schema (the class, its
 * nested records, enums and fixed types), added to the installed validator, never replacing it.
 *
 * <p>{@link #configure} reads {@code schema.registry.url} and the connection keys of
 * {@link io.divergent.registry.SchemaRegistries}. The registry is asked once per schema id;
 * after that no registry is needed for that id. Null data deserializes to null. Thread-safe
 * once configured.
 *
 * @param <T> the specific record class, or {@link GenericRecord}
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

    private final Class<T> type;
    private final Schema readerSchema;
    private final SpecificData model;
    /** Generic only: the field paths read ({@link AvroProjection}); null: every field. */
    private final List<List<String>> projection;
    private volatile SchemaRegistry registry;
    private volatile String url = "(none)";
    private final Map<Integer, Reading<T>> readings = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    /** How data of one writer schema is read; {@code refusal} is set when it cannot be. */
    private record Reading<T>(Schema writer, DatumReader<T> reader, String refusal) {
    }

    /** A generic deserializer; {@code T} must be {@link GenericRecord}. Call {@link #configure} before use. */
    public AvroDeserializer() {
        this((List<List<String>>) null);
    }

    /**
     * A generic deserializer that decodes only some fields of each record: the writer's schema
     * pruned to {@code paths} ({@link AvroProjection}); the other fields are skipped and absent
     * from the records it returns. Payloads are checked as fully as by {@link #AvroDeserializer()}
     * (a skipped field is still parsed, and bytes left over are refused). Call {@link #configure}
     * before use.
     *
     * @param paths field paths (field names from the top-level record); null: every field
     */
    public AvroDeserializer(final List<List<String>> paths) {
        this.type = null;
        this.readerSchema = null;
        this.model = null;
        this.projection = paths == null ? null : paths.stream().map(List::copyOf).toList();
    }

    /**
     * A specific deserializer for {@code type}. Call {@link #configure} before use.
     *
     * @param type a generated Avro class (it has a static {@code SCHEMA$})
     * @throws IllegalArgumentException if {@code type} is not a {@link SpecificRecord} with a schema
     * @throws NullPointerException if {@code type} is null
     */
    public AvroDeserializer(final Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not an Avro SpecificRecord");
        }
        this.projection = null;
        this.model = SpecificData.getForClass(type);
        try {
            this.readerSchema = model.getSchema(type);
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException(type.getName() + " has no Avro schema (SCHEMA$)", e);
        }
        AvroClassTrust.trust(type, readerSchema);
    }

    /** A generic deserializer, typed. */
    public static AvroDeserializer<GenericRecord> generic() {
        return new AvroDeserializer<>();
    }

    /**
     * Connects to the registry. Calling it again replaces the registry and releases the
     * previous handle.
     *
     * @throws ConfigException if the registry URL is missing or invalid
     */
    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
        final SchemaRegistry created = AvroSerdeConfig.registry(configs);
        final SchemaRegistry previous = registry;
        url = AvroSerdeConfig.describeUrl(configs);
        readings.clear();
        registry = created;
        if (previous != null) {
            previous.close();
        }
    }

    /**
     * Deserializes {@code data} from {@code topic}.
     *
     * @return the record, or null for null data
     * @throws SchemaNotFoundException when the registry does not know the payload's schema id
     * @throws RegistryUnavailableException when the registry cannot be asked for the schema (no
     *         answer, timeout, 5xx after the client's retries): the same payload may decode later
     * @throws SerializationException with a message saying which: payload shorter than the
     *         5-byte header; magic byte not 0 (not this format, for example JSON); writer schema
     *         not readable as the specific class; payload not decodable with the writer schema,
     *         or longer than it; any other registry failure. The two above are subclasses; each
     *         registry failure has the {@link RegistryException} as its cause
     * @throws IllegalStateException if the deserializer is not configured or closed
     */
    @Override
    public T deserialize(final String topic, final byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer is not configured (or closed)");
        }
        final int id = WireFormat.readSchemaId(data, topic);
        Reading<T> reading = readings.get(id);
        if (reading == null) {
            reading = prepare(topic, id);
            final Reading<T> raced = readings.putIfAbsent(id, reading);
            reading = raced == null ? reading : raced;
        }
        if (reading.refusal() != null) {
            throw new SerializationException("topic " + topic + ": " + reading.refusal());
        }
        final BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, decoders.get());
        decoders.set(decoder);
        final T value;
        final boolean consumed;
        try {
            value = reading.reader().read(null, decoder);
            consumed = decoder.isEnd();
        } catch (final IOException | RuntimeException e) {
            throw new SerializationException(decodeFailure(topic, id, data.length, reading) + ": " + e, e);
        }
        if (!consumed) {
            throw new SerializationException(decodeFailure(topic, id, data.length, reading)
                    + ": bytes left over after the record (wrong schema id for this payload?)");
        }
        return value;
    }

    /** Releases the registry handle. Idempotent. */
    @Override
    public void close() {
        final SchemaRegistry current = registry;
        registry = null;
        readings.clear();
        if (current != null) {
            current.close();
        }
    }

    private String decodeFailure(final String topic, final int id, final int length, final Reading<T> reading) {
        return "topic " + topic + ": cannot decode Avro payload of " + length + " bytes with schema id " + id
                + " (" + reading.writer().getFullName() + ")"
                + (type == null ? "" : " as " + type.getName());
    }

    @SuppressWarnings("unchecked")
    private Reading<T> prepare(final String topic, final int id) {
        final Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (final RegistryException e) {
            // Translated here, so that no caller above the serde layer needs the registry client's types.
            final String cannotFetch = "topic " + topic + ": cannot fetch schema id " + id + " from registry "
                    + url + ": " + e.getMessage();
            if (e.isUnavailable()) {
                throw new RegistryUnavailableException(cannotFetch, e.url(), e.getMessage(), e);
            }
            if (e.isNotFound()) {
                throw new SchemaNotFoundException(e.kind() == RegistryException.Kind.SCHEMA_NOT_FOUND
                        ? "topic " + topic + ": schema id " + id + " not found in registry " + url : cannotFetch, id, e);
            }
            throw new SerializationException(cannotFetch, e);
        }
        if (type == null) {
            final Schema reader = projection == null ? writer : AvroProjection.of(writer, projection);
            return new Reading<>(writer, (DatumReader<T>) new GenericDatumReader<GenericRecord>(writer, reader,
                    GenericData.get()), null);
        }
        AvroClassTrust.ensureInstalled();
        final SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return new Reading<>(writer, null, "data written with schema id " + id + " (" + writer.getFullName()
                    + ") cannot be read as " + type.getName() + ": " + compatibility.getDescription());
        }
        return new Reading<>(writer, new SpecificDatumReader<>(writer, readerSchema, model), null);
    }
}
