package io.divergent.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.ValueFormat;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import io.divergent.serde.ReferenceJson;
import io.divergent.serde.StrictJson;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference store's processor: reads the reference topic as a global store (every instance
 * holds every series' reference; Kafka Streams fills it before any task processes a record, and
 * reprocesses the topic through this processor when it restores, so the store needs no
 * changelog), validates each record and stores its version under (series, record timestamp) in
 * the {@link HistogramCodec} encoding, a tombstone as empty bytes.
 *
 * <p>An undecodable reference, or one with invalid weights or a total weight of 0, is skipped:
 * it is logged with its source coordinates and why, and counted
 * ({@code invalid-reference-records-total}, monitor {@code all}); the previous versions stay in force. It cannot be
 * dead-lettered: a global store's processor forwards nothing (Kafka Streams' own global tables
 * log and skip a bad record too). Each series keeps its {@link #VERSIONS_KEPT} most recent
 * versions (by timestamp).
 */
final class ReferenceProcessor implements Processor<String, byte[], Void, Void> {

    /** Versions kept per series; an older one is forgotten when a newer one arrives. */
    static final int VERSIONS_KEPT = 16;

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProcessor.class);

    private final ValueFormat format;
    private final Deserializer<ReferenceDistribution> avro;
    private final String storeName;
    private final ReferenceLookup.Generation generation;
    private ProcessorContext<Void, Void> context;
    private DivergentMetrics metrics;
    private KeyValueStore<Bytes, byte[]> references;
    /** The last valid reference's histogram: the next one likely has its categories (its order is then reused). */
    private Histogram lastValid;

    /**
     * @param format    how reference values are encoded
     * @param avro      the Avro deserializer of reference values (used when {@code format} is Avro)
     * @param storeName the reference-version store this processor fills
     * @param generation bumped after each write to the store, so that the window tasks look again
     */
    ReferenceProcessor(final ValueFormat format, final Deserializer<ReferenceDistribution> avro, final String storeName,
                       final ReferenceLookup.Generation generation) {
        this.format = format;
        this.avro = avro;
        this.storeName = storeName;
        this.generation = generation;
    }

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        this.context = context;
        this.metrics = new DivergentMetrics(context.metrics());
        this.references = context.getStateStore(storeName);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        if (record.key() == null || record.key().isEmpty()) {
            skip(deadLetter(record, DeadLetter.Kind.INVALID_REFERENCE,
                    "reference record has no key: the key must be the series id"));
            return;
        }
        if (record.value() == null) {
            store(record, new byte[0]);
            return;
        }
        Object validated;
        try {
            validated = validate(record);
        } catch (final RegistryOutage.StillUnavailable e) {
            throw e; // the registry stayed down past the wait: stop, never skip a good reference
        } catch (final RuntimeException | StackOverflowError e) {
            // Anything unforeseen skips the record: no reference record can stop the application.
            validated = deadLetter(record, DeadLetter.Kind.INTERNAL_ERROR, DeadLetter.internalReason(e));
        }
        if (validated instanceof DeadLetter dead) {
            skip(dead);
        } else {
            store(record, (byte[]) validated);
        }
    }

    /** Stores a version and forgets the series' versions beyond the {@link #VERSIONS_KEPT} most recent. */
    private void store(final Record<String, byte[]> record, final byte[] encoded) {
        references.put(StoreKeys.versionKey(record.key(), record.timestamp()), encoded);
        final List<Bytes> versions = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = references.range(StoreKeys.versionKey(record.key(), 0),
                StoreKeys.versionKey(record.key(), Long.MAX_VALUE))) {
            while (it.hasNext()) {
                versions.add(it.next().key);
            }
        }
        for (int i = 0; i < versions.size() - VERSIONS_KEPT; i++) {
            references.delete(versions.get(i));
        }
        generation.advance();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Reference of series '{}' as of timestamp {}: {}", record.key(), record.timestamp(),
                    encoded.length == 0 ? "removed" : HistogramCodec.decode(encoded).histogram().size() + " categories");
        }
    }

    private void skip(final DeadLetter dead) {
        metrics.skipped(dead.kind(), null);
        LOG.warn("Skipped {}; the series' previous reference versions stay in force", dead.describe());
    }

    /** The encoded version of a record, or the dead letter saying why it has none. */
    private Object validate(final Record<String, byte[]> record) {
        final Map<String, Double> weights;
        final String source;
        final BaselineKind kind;
        try {
            if (format == ValueFormat.JSON) {
                final JsonNode tree = StrictJson.readTree(record.value());
                weights = ReferenceJson.weights(tree);
                source = ReferenceJson.source(tree);
                kind = BaselineKind.valueOf(ReferenceJson.weightsKind(tree).name());
            } else {
                final ReferenceDistribution reference = decodeAvro(record.value());
                weights = reference.getWeights();
                source = reference.getSource();
                kind = BaselineKind.valueOf(reference.getWeightsKind().name());
            }
            final Histogram histogram = ReferenceRules.histogramOf(weights, lastValid);
            lastValid = histogram;
            return HistogramCodec.encode(histogram, source, kind);
        } catch (final java.io.IOException e) {
            return deadLetter(record, DeadLetter.Kind.INVALID_REFERENCE,
                    "invalid reference for series '" + record.key() + "': not valid JSON: " + StrictJson.describe(e));
        } catch (final IllegalArgumentException | org.apache.kafka.common.errors.SerializationException
                       | org.apache.avro.AvroRuntimeException e) {
            return deadLetter(record, DeadLetter.Kind.INVALID_REFERENCE,
                    "invalid reference for series '" + record.key() + "': " + e.getMessage());
        }
    }

    /** Decodes an Avro reference, waiting for the registry while it is unavailable (see {@link RegistryOutage}). */
    private ReferenceDistribution decodeAvro(final byte[] value) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        return RegistryOutage.decode(() -> avro.deserialize(meta.topic(), value), meta, metrics::registryUnavailable);
    }

    private DeadLetter deadLetter(final Record<String, byte[]> record, final DeadLetter.Kind kind, final String reason) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        return new DeadLetter(kind, reason, null, meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value());
    }
}
