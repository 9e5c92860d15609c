package io.divergent.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.ValueFormat;
import io.divergent.math.Histogram;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProcessor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ValueFormat format;
    private final Deserializer<ReferenceDistribution> avro;
    private ProcessorContext<String, Routed> context;
    private DivergentMetrics metrics;

    ReferenceProcessor(final ValueFormat format, final Deserializer<ReferenceDistribution> avro) {
        this.format = format;
        this.avro = avro;
    }

    @Override
    public void init(final ProcessorContext<String, Routed> context) {
        this.context = context;
        this.metrics = new DivergentMetrics(context.metrics());
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        if (record.key() == null || record.key().isEmpty()) {
            reject(record, "reference record has no key: the key must be the series id");
            return;
        }
        if (record.value() == null) {
            context.forward(record.withValue(ReferenceVersion.TOMBSTONE));
            return;
        }
        final Map<String, Double> weights;
        final String source;
        try {
            if (format == ValueFormat.JSON) {
                final JsonNode tree = JSON.readTree(record.value());
                weights = ReferenceJson.weights(tree);
                source = ReferenceJson.source(tree);
            } else {
                final ReferenceDistribution reference = decodeAvro(record.value());
                weights = reference.getWeights();
                source = reference.getSource();
            }
            final Histogram histogram = ReferenceVersion.histogramOf(weights);
            context.forward(record.withValue(new ReferenceVersion(HistogramCodec.encode(histogram, source))));
        } catch (final RuntimeException | java.io.IOException e) {
            if (e instanceof RuntimeException runtime && RegistryOutage.of(runtime).isPresent()) {
                throw runtime; // the registry stayed down past the wait: stop, never dead-letter a good reference
            }
            reject(record, "invalid reference for series '" + record.key() + "': " + e.getMessage());
        }
    }

    /** Decodes an Avro reference, waiting for the registry while it is unavailable (see {@link RegistryOutage}). */
    private ReferenceDistribution decodeAvro(final byte[] value) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        return RegistryOutage.decode(() -> avro.deserialize(meta.topic(), value), meta, metrics::registryUnavailable);
    }

    private void reject(final Record<String, byte[]> record, final String reason) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        final DeadLetter dead = new DeadLetter(DeadLetter.Kind.INVALID_REFERENCE, reason, null, meta.topic(),
                meta.partition(), meta.offset(), record.timestamp(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value());
        LOG.warn("Skipped {}", dead.describe());
        metrics.skipped(DeadLetter.Kind.INVALID_REFERENCE, null);
        final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        dead.headers().forEach(headers::add);
        context.forward(new Record<>(record.key(), dead, record.timestamp(), headers));
    }
}
