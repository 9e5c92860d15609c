package io.divergent.topology;

import io.divergent.config.FieldPath;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ValueFormat;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one input topic once for all of its monitors: decodes each value once, then forwards
 * one {@link Observation} per monitor, keyed by series id and stamped with its event time.
 * A record that cannot be decoded, or lacks a monitor's category, is forwarded as a
 * {@link DeadLetter} instead (for that monitor only when other monitors can still use it).
 * Stateless: nothing here survives a record.
 */
final class ObserveProcessor implements Processor<byte[], byte[], String, Routed> {

    private static final Logger LOG = LoggerFactory.getLogger(ObserveProcessor.class);

    private final List<MonitorConfig> monitors;
    private final ValueDecoder decoder;
    private final List<List<String>> segmentNames = new ArrayList<>();
    private ProcessorContext<String, Routed> context;
    private DivergentMetrics metrics;

    ObserveProcessor(final List<MonitorConfig> monitors, final ValueDecoder decoder) {
        this.monitors = monitors;
        this.decoder = decoder;
        for (final MonitorConfig monitor : monitors) {
            segmentNames.add(monitor.segmentFields().stream().map(FieldPath::toString).toList());
        }
    }

    @Override
    public void init(final ProcessorContext<String, Routed> context) {
        this.context = context;
        this.metrics = new DivergentMetrics(context.metrics());
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        final Object root;
        try {
            root = decode(meta, record.value());
        } catch (final ValueDecoder.Undecodable e) {
            deadLetter(record, meta, e.kind(), e.getMessage(), null);
            return;
        }
        for (int m = 0; m < monitors.size(); m++) {
            final MonitorConfig monitor = monitors.get(m);
            final Object raw = monitor.valueFormat() == ValueFormat.STRING ? root : monitor.categoryField().resolve(root);
            if (raw == null) {
                deadLetter(record, meta, DeadLetter.Kind.MISSING_CATEGORY,
                        "category field '" + monitor.categoryField() + "' is missing or null", monitor.name());
                continue;
            }
            final String category = ValueDecoder.categoryText(raw);
            if (category == null || category.isEmpty()) {
                deadLetter(record, meta, DeadLetter.Kind.INVALID_CATEGORY, "category field '" + monitor.categoryField()
                        + "' is " + (category == null ? ValueDecoder.describeType(raw) : "an empty string")
                        + ": a category must be a non-empty string, number, boolean or enum", monitor.name());
                continue;
            }
            final long timestamp;
            if (monitor.timestampField().isPresent()) {
                final FieldPath field = monitor.timestampField().get();
                try {
                    timestamp = ValueDecoder.timestampMillis(field.toString(), field.resolve(root));
                } catch (final IllegalArgumentException e) {
                    deadLetter(record, meta, DeadLetter.Kind.INVALID_TIMESTAMP, e.getMessage(), monitor.name());
                    continue;
                }
            } else if (record.timestamp() < 0) {
                deadLetter(record, meta, DeadLetter.Kind.INVALID_TIMESTAMP,
                        "record timestamp is negative (" + record.timestamp() + ")", monitor.name());
                continue;
            } else {
                timestamp = record.timestamp();
            }
            // The record keeps the input's timestamp, which the broker accepted once; see Observation.
            context.forward(new Record<>(seriesId(m, monitor, root),
                    new Observation(category, meta.partition(), meta.offset(), timestamp), record.timestamp(),
                    new RecordHeaders()));
        }
    }

    /** Decodes a value, waiting for the registry while it is unavailable (see {@link RegistryOutage}). */
    private Object decode(final RecordMetadata meta, final byte[] value) {
        return RegistryOutage.decode(() -> decoder.decode(meta.topic(), value), meta, metrics::registryUnavailable);
    }

    private String seriesId(final int index, final MonitorConfig monitor, final Object root) {
        final List<FieldPath> fields = monitor.segmentFields();
        if (fields.isEmpty()) {
            return monitor.name();
        }
        final List<String> values = new ArrayList<>(fields.size());
        for (final FieldPath field : fields) {
            values.add(ValueDecoder.categoryText(field.resolve(root)));
        }
        return SeriesId.of(monitor.name(), segmentNames.get(index), values);
    }

    private void deadLetter(final Record<byte[], byte[]> record, final RecordMetadata meta, final DeadLetter.Kind kind,
                            final String reason, final String monitor) {
        final DeadLetter dead = new DeadLetter(kind, reason, monitor, meta.topic(), meta.partition(), meta.offset(),
                record.timestamp(), record.key(), record.value());
        LOG.warn("Skipped {}", dead.describe());
        metrics.skipped(kind, monitor);
        final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        dead.headers().forEach(headers::add);
        context.forward(new Record<>(monitor == null ? "" : monitor, dead, record.timestamp(), headers));
    }
}
