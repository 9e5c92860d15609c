package io.divergent.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.ValueFormat;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import io.divergent.serde.ReferenceJson;
import io.divergent.serde.StrictJson;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Decodes and validates reference records before they are repartitioned to the window tasks:
 * a valid one is forwarded as a {@link ReferenceVersion} in the compact store encoding, a
 * tombstone as {@link ReferenceVersion#TOMBSTONE}. An undecodable reference, or one with
 * invalid weights or a total weight of 0, is dead-lettered with its source coordinates and the
 * previous versions stay in force. Stateless.
 */
final class ReferenceProcessor implements Processor<String, byte[], String, Routed> {

    private final ValueFormat format;
    private final Deserializer<ReferenceDistribution> avro;
    private final int deadLetterBudget;
    private ProcessorContext<String, Routed> context;
    private DivergentMetrics metrics;
    private DeadLetters deadLetters;

    ReferenceProcessor(final ValueFormat format, final Deserializer<ReferenceDistribution> avro,
                       final int deadLetterBudget) {
        this.format = format;
        this.avro = avro;
        this.deadLetterBudget = deadLetterBudget;
    }

    @Override
    public void init(final ProcessorContext<String, Routed> context) {
        this.context = context;
        this.metrics = new DivergentMetrics(context.metrics());
        this.deadLetters = new DeadLetters(context, metrics, deadLetterBudget);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        if (record.key() == null || record.key().isEmpty()) {
            reject(record, DeadLetter.Kind.INVALID_REFERENCE, "reference record has no key: the key must be the series id");
            return;
        }
        if (record.value() == null) {
            context.forward(record.withValue(ReferenceVersion.TOMBSTONE));
            return;
        }
        Routed validated;
        try {
            validated = validate(record);
        } catch (final RegistryOutage.StillUnavailable e) {
            throw e; // the registry stayed down past the wait: stop, never dead-letter a good reference
        } catch (final RuntimeException | StackOverflowError e) {
            // Anything unforeseen sets the record aside: no reference record can stop the stream.
            validated = deadLetter(record, DeadLetter.Kind.INTERNAL_ERROR, DeadLetter.internalReason(e));
        }
        if (validated instanceof DeadLetter dead) {
            deadLetters.send(dead, record.key(), record.headers());
        } else {
            context.forward(record.withValue(validated));
        }
    }

    /** The reference version of a record, or the dead letter saying why it has none. */
    private Routed validate(final Record<String, byte[]> record) {
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
            final Histogram histogram = ReferenceVersion.histogramOf(weights);
            return new ReferenceVersion(HistogramCodec.encode(histogram, source, kind));
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

    private void reject(final Record<String, byte[]> record, final DeadLetter.Kind kind, final String reason) {
        deadLetters.send(deadLetter(record, kind, reason), record.key(), record.headers());
    }

    private DeadLetter deadLetter(final Record<String, byte[]> record, final DeadLetter.Kind kind, final String reason) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        return new DeadLetter(kind, reason, null, meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value());
    }
}
