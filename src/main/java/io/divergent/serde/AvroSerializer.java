package io.divergent.serde;

import io.divergent.registry.RegisteredSchema;
import io.divergent.registry.RegistryException;
import io.divergent.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes Avro records (specific or generic, any {@link IndexedRecord}) in the Confluent wire
 * format ({@link WireFormat}), readable by Confluent's deserializers and by
 * {@link AvroDeserializer}.
 *
 * <p>{@link #configure} reads {@code schema.registry.url} and the connection keys of
 * {@link io.divergent.registry.SchemaRegistries}, and:
 * <ul>
 * <li>{@code auto.register.schemas} (default true): register the record's schema under its
 *     subject; when false, look it up and fail if it is not registered there;</li>
 * <li>{@code use.latest.version} (default false; needs {@code auto.register.schemas=false}):
 *     write with the subject's latest version, fetched once per subject and kept for the life
 *     of the serializer. A record of another schema is converted by Avro schema resolution,
 *     which the latest version must be able to do (it must read the record's schema);</li>
 * <li>{@code key.subject.name.strategy} / {@code value.subject.name.strategy}:
 *     {@link SubjectNameStrategy} by short or Confluent class name (default
 *     {@code TopicNameStrategy}).</li>
 * </ul>
 *
 * <p>The registry is asked once per (topic, schema); afterwards serialization needs no
 * registry, so a registry outage does not affect schemas already seen. A null record
 * serializes to null (a tombstone). Thread-safe once configured: Kafka Streams may share one
 * instance between stream threads.
 *
 * @param <T> the record type: a {@link SpecificRecord} class or
 *            {@link org.apache.avro.generic.GenericRecord}
 */
public final class AvroSerializer<T> implements Serializer<T> {

    private static final int MAX_RETAINED_BUFFER = 1 << 20;

    private volatile Settings settings;
    private final Map<Target, Plan> plans = new ConcurrentHashMap<>();
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    private record Settings(SchemaRegistry registry, String url, boolean isKey, boolean autoRegister,
                            boolean useLatest, SubjectNameStrategy strategy) {
    }

    private record Target(String topic, Schema schema) {
    }

    /** How records of one schema are written to one topic. */
    private record Plan(byte[] header, DatumWriter<Object> writer, Schema recordSchema,
                        DatumWriter<Object> recordWriter, DatumReader<Object> converter) {
    }

    private static final class Buffers {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder;
        BinaryDecoder decoder;
    }

    /** Creates an unconfigured serializer; call {@link #configure} before use. */
    public AvroSerializer() {
    }

    /**
     * Connects to the registry and reads the settings described in the class documentation.
     * Calling it again replaces the settings and releases the previous registry handle.
     *
     * @throws ConfigException if the URL is missing or invalid, a boolean is not
     *         {@code true}/{@code false}, the strategy is unknown, or
     *         {@code use.latest.version=true} with {@code auto.register.schemas=true}
     */
    @Override
    public void configure(final Map<String, ?> configs, final boolean isKey) {
        final boolean autoRegister = AvroSerdeConfig.bool(configs, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true);
        final boolean useLatest = AvroSerdeConfig.useLatestVersion(configs);
        final SubjectNameStrategy strategy = AvroSerdeConfig.strategy(configs, isKey);
        final SchemaRegistry registry = AvroSerdeConfig.registry(configs);
        final Settings previous = settings;
        settings = new Settings(registry, AvroSerdeConfig.describeUrl(configs), isKey, autoRegister, useLatest,
                strategy);
        plans.clear();
        if (previous != null) {
            previous.registry().close();
        }
    }

    /**
     * Serializes {@code data} for {@code topic}.
     *
     * @return the wire-format bytes, or null for null data
     * @throws SerializationException if {@code data} is not an Avro record, the registry refuses
     *         or cannot be reached for a schema not seen before (the message names subject and
     *         registry; the {@link RegistryException} is the cause), or Avro cannot encode the
     *         record (for example a required field is null)
     * @throws IllegalStateException if the serializer is not configured or closed
     */
    @Override
    public byte[] serialize(final String topic, final T data) {
        if (data == null) {
            return null;
        }
        final Settings current = settings;
        if (current == null) {
            throw new IllegalStateException("AvroSerializer is not configured (or closed)");
        }
        if (!(data instanceof IndexedRecord record)) {
            throw new SerializationException("AvroSerializer writes Avro records (SpecificRecord or GenericRecord), got "
                    + data.getClass().getName());
        }
        final Target target = new Target(topic, record.getSchema());
        Plan plan = plans.get(target);
        if (plan == null) {
            plan = plan(current, target, record instanceof SpecificRecord
                    ? SpecificData.getForClass(record.getClass()) : GenericData.get());
            final Plan raced = plans.putIfAbsent(target, plan);
            plan = raced == null ? plan : raced;
        }
        final Buffers local = buffers.get();
        try {
            local.out.reset();
            local.out.write(plan.header(), 0, WireFormat.HEADER_SIZE);
            final Object datum = plan.converter() == null ? record : convert(plan, record, local);
            local.encoder = EncoderFactory.get().binaryEncoder(local.out, local.encoder);
            plan.writer().write(datum, local.encoder);
            local.encoder.flush();
            return local.out.toByteArray();
        } catch (final IOException | RuntimeException e) {
            throw new SerializationException("topic " + topic + ": cannot encode record of schema "
                    + record.getSchema().getFullName() + ": " + e, e);
        } finally {
            if (local.out.size() > MAX_RETAINED_BUFFER) {
                local.out = new ByteArrayOutputStream(256);
            }
        }
    }

    /**
     * Does ahead of time what the first {@link #serialize} of a record of {@code schema} for
     * {@code topic} does: registers the schema (or looks it up, or takes the subject's latest
     * version, as configured) and keeps the result, so that later records of that schema need
     * no registry call. An application calls it at startup to fail fast on an unreachable
     * registry, and to keep writing through a later outage.
     *
     * @param topic  the topic records will be written to
     * @param schema the schema of those records (a generated class's {@code SCHEMA$})
     * @throws SerializationException as {@link #serialize}, when the registry refuses or cannot
     *         be reached (the {@link RegistryException} is the cause)
     * @throws IllegalStateException if the serializer is not configured or closed
     */
    public void prepare(final String topic, final Schema schema) {
        final Settings current = settings;
        if (current == null) {
            throw new IllegalStateException("AvroSerializer is not configured (or closed)");
        }
        final Target target = new Target(topic, schema);
        if (!plans.containsKey(target)) {
            plans.putIfAbsent(target, plan(current, target, SpecificData.getForSchema(schema)));
        }
    }

    /** Releases the registry handle. Idempotent. */
    @Override
    public void close() {
        final Settings current = settings;
        settings = null;
        plans.clear();
        if (current != null) {
            current.registry().close();
        }
    }

    private static Object convert(final Plan plan, final IndexedRecord record, final Buffers local) throws IOException {
        final ByteArrayOutputStream scratch = new ByteArrayOutputStream(256);
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(scratch, null);
        plan.recordWriter().write(record, encoder);
        encoder.flush();
        local.decoder = DecoderFactory.get().binaryDecoder(scratch.toByteArray(), local.decoder);
        return plan.converter().read(null, local.decoder);
    }

    private Plan plan(final Settings current, final Target target, final GenericData model) {
        final Schema schema = target.schema();
        final String subject = current.strategy().subject(target.topic(), current.isKey(), schema);
        try {
            if (current.useLatest()) {
                return latestPlan(current, subject, schema, model);
            }
            final int id = current.autoRegister() ? current.registry().register(subject, schema)
                    : current.registry().lookup(subject, schema);
            return new Plan(WireFormat.header(id), writer(model, schema), schema, null, null);
        } catch (final RegistryException e) {
            throw new SerializationException(explain(current, subject, schema, e), e);
        }
    }

    private static Plan latestPlan(final Settings current, final String subject, final Schema schema,
                                   final GenericData model) {
        final RegisteredSchema latest = current.registry().latest(subject);
        final Schema target = latest.schema();
        if (target.equals(schema)) {
            return new Plan(WireFormat.header(latest.id()), writer(model, schema), schema, null, null);
        }
        final SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(target, schema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("use.latest.version: version " + latest.version() + " (id "
                    + latest.id() + ") of subject '" + subject + "' in registry " + current.url()
                    + " cannot read records of schema " + schema.getFullName() + ": "
                    + compatibility.getDescription());
        }
        return new Plan(WireFormat.header(latest.id()), writer(GenericData.get(), target), schema,
                writer(model, schema), new GenericDatumReader<>(schema, target, GenericData.get()));
    }

    private static DatumWriter<Object> writer(final GenericData model, final Schema schema) {
        return CompiledDatumWriter.of(model, schema);
    }

    private static String explain(final Settings current, final String subject, final Schema schema,
                                  final RegistryException e) {
        final String what = "schema " + schema.getFullName() + " under subject '" + subject + "' in registry "
                + current.url();
        if (current.useLatest()) {
            return "use.latest.version: cannot get the latest version of subject '" + subject + "' in registry "
                    + current.url() + ": " + e.getMessage();
        }
        if (!current.autoRegister() && e.isNotFound()) {
            return what + " is not registered and " + AvroSerdeConfig.AUTO_REGISTER_SCHEMAS
                    + "=false: register it first, or enable " + AvroSerdeConfig.AUTO_REGISTER_SCHEMAS;
        }
        if (e.kind() == RegistryException.Kind.INCOMPATIBLE) {
            return "cannot register " + what + ": incompatible with the subject's compatibility rule ("
                    + e.getMessage() + ")";
        }
        return "cannot " + (current.autoRegister() ? "register " : "look up ") + what + ": " + e.getMessage();
    }
}
