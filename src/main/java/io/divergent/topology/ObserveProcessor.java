package io.divergent.topology;

import io.divergent.config.FieldPath;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ValueFormat;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one input topic once for all of its monitors: decodes each value once, then forwards
 * one {@link Observation} per monitor, keyed by series id and stamped with its event time.
 * A record that cannot be decoded, or lacks a monitor's category, is forwarded as a
 * {@link DeadLetter} instead (for that monitor only when other monitors can still use it).
 *
 * <p>No input record can stop the stream: what a record yields is worked out first, and anything
 * unexpected while doing so sets the whole record aside as {@code internal-error} (nothing of it
 * is counted); only then is it forwarded. The one failure that does stop the application is a
 * registry still unavailable after {@link RegistryOutage#MAX_WAIT}: the record is fine, and a
 * restart resumes at it. Stateless: nothing here survives a record.
 *
 * <p>Where the input is partitioned by series ({@code input.partitioned.by.series}), each record
 * is checked to be on the partition its series belongs to ({@link SeriesPartitioner#bySegments()};
 * the monitors of a topic share their segment fields, so one series id decides for all): a record
 * that is not is dead-lettered whole ({@code partitioning}) and nothing of it is counted.
 */
final class ObserveProcessor implements Processor<byte[], byte[], String, Routed> {

    private final List<MonitorConfig> monitors;
    private final ValueDecoder decoder;
    private final int deadLetterBudget;
    /** The input's partition count to check each record's partition against; 0: no check. */
    private final int checkedPartitions;
    private final List<List<String>> segmentNames = new ArrayList<>();
    /** What the current record yields, reused from record to record: observations, or dead letters. */
    private final List<Object> yields = new ArrayList<>();
    private ProcessorContext<String, Routed> context;
    private DivergentMetrics metrics;
    private DeadLetters deadLetters;

    /**
     * @param checkedPartitions the input's partition count, to check that each record is on its
     *                          series' partition ({@link SeriesPartitioner#bySegments()}); 0: no check
     */
    ObserveProcessor(final List<MonitorConfig> monitors, final ValueDecoder decoder, final int deadLetterBudget,
                     final int checkedPartitions) {
        this.monitors = monitors;
        this.decoder = decoder;
        this.deadLetterBudget = deadLetterBudget;
        this.checkedPartitions = checkedPartitions;
        for (final MonitorConfig monitor : monitors) {
            segmentNames.add(monitor.segmentFields().stream().map(FieldPath::toString).toList());
        }
    }

    @Override
    public void init(final ProcessorContext<String, Routed> context) {
        this.context = context;
        this.metrics = new DivergentMetrics(context.metrics());
        this.deadLetters = new DeadLetters(context, metrics, deadLetterBudget);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        yields.clear();
        try {
            observe(record, meta);
            if (checkedPartitions > 0) {
                checkPartition(record, meta);
            }
        } catch (final RegistryOutage.StillUnavailable e) {
            throw e;
        } catch (final RuntimeException | StackOverflowError e) {
            yields.clear();
            yields.add(deadLetter(record, meta, DeadLetter.Kind.INTERNAL_ERROR, DeadLetter.internalReason(e), null));
        }
        for (final Object yielded : yields) {
            if (yielded instanceof DeadLetter dead) {
                deadLetters.send(dead, dead.monitor() == null ? "" : dead.monitor(), record.headers());
            } else {
                @SuppressWarnings("unchecked")
                final Record<String, Routed> observation = (Record<String, Routed>) yielded;
                context.forward(observation);
            }
        }
        yields.clear();
    }

    /** Fills {@link #yields} with what the record gives each monitor. */
    private void observe(final Record<byte[], byte[]> record, final RecordMetadata meta) {
        final Object root;
        try {
            root = decode(meta, record.value());
        } catch (final ValueDecoder.Undecodable e) {
            yields.add(deadLetter(record, meta, e.kind(), e.getMessage(), null));
            return;
        }
        for (int m = 0; m < monitors.size(); m++) {
            final MonitorConfig monitor = monitors.get(m);
            final String category;
            final String series;
            try {
                category = ValueDecoder.category(monitor, root);
                series = ValueDecoder.seriesId(monitor, segmentNames.get(m), root);
            } catch (final ValueDecoder.Undecodable e) {
                yields.add(deadLetter(record, meta, e.kind(), e.getMessage(), monitor.name()));
                continue;
            }
            final long timestamp;
            if (monitor.timestampField().isPresent()) {
                final FieldPath field = monitor.timestampField().get();
                try {
                    timestamp = ValueDecoder.timestampMillis(field.toString(), field.resolve(root));
                } catch (final IllegalArgumentException e) {
                    yields.add(deadLetter(record, meta, DeadLetter.Kind.INVALID_TIMESTAMP, e.getMessage(), monitor.name()));
                    continue;
                }
            } else if (record.timestamp() < 0) {
                yields.add(deadLetter(record, meta, DeadLetter.Kind.INVALID_TIMESTAMP,
                        "record timestamp is negative (" + record.timestamp() + ")", monitor.name()));
                continue;
            } else {
                timestamp = record.timestamp();
            }
            // The record keeps the input's timestamp, which the broker accepted once; see Observation.
            // No headers: the input's are not forwarded (the three-argument Record starts empty, without a copy).
            yields.add(new Record<String, Routed>(series,
                    new Observation(category, meta.partition(), meta.offset(), timestamp), record.timestamp()));
        }
    }

    /** Replaces {@link #yields} by one {@code partitioning} dead letter if the record is not on its series' partition. */
    private void checkPartition(final Record<byte[], byte[]> record, final RecordMetadata meta) {
        for (final Object yielded : yields) {
            if (yielded instanceof Record<?, ?> observation) {
                final String series = (String) observation.key();
                final int expected = SeriesPartitioner.bySegments().partition(series, checkedPartitions);
                if (expected != meta.partition()) {
                    yields.clear();
                    yields.add(deadLetter(record, meta, DeadLetter.Kind.PARTITIONING, partitioningReason(series,
                            expected, meta.partition(), checkedPartitions), null));
                }
                return;
            }
        }
    }

    /** The reason of a {@code partitioning} dead letter: the series, its partition key, the expected and the actual partition. */
    static String partitioningReason(final String series, final int expected, final int actual, final int partitions) {
        return "input.partitioned.by.series=true, but series '" + series + "' (partition key '"
                + SeriesId.partitionKey(series) + "') belongs on partition " + expected + " of " + partitions
                + " and the record is on partition " + actual;
    }

    /** Decodes a value, waiting for the registry while it is unavailable (see {@link RegistryOutage}). */
    private Object decode(final RecordMetadata meta, final byte[] value) {
        return RegistryOutage.decode(() -> decoder.decode(meta.topic(), value), meta, metrics::registryUnavailable);
    }

    private static DeadLetter deadLetter(final Record<byte[], byte[]> record, final RecordMetadata meta,
                                         final DeadLetter.Kind kind, final String reason, final String monitor) {
        return new DeadLetter(kind, reason, monitor, meta.topic(), meta.partition(), meta.offset(),
                record.timestamp(), record.key(), record.value());
    }
}
