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
 * Reads one input topic once for all of its monitors: decodes each value once, then yields
 * one {@link Observation} per monitor, keyed by series id and stamped with its event time:
 * forwarded as a record of its own, or, where the observations are repartitioned, handed to the
 * task's {@link ObservationBatcher}, whose batches (keyed by window partition) this processor
 * forwards. A record that cannot be decoded, or lacks a monitor's category, is forwarded as a
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
final class ObserveProcessor implements Processor<byte[], byte[], Object, Object> {

    private final List<MonitorConfig> monitors;
    private final ValueDecoder decoder;
    private final int deadLetterBudget;
    /** The input's partition count to check each record's partition against; 0: no check. */
    private final int checkedPartitions;
    private final List<List<String>> segmentNames = new ArrayList<>();
    /** What the current record yields, reused from record to record: {@link Observed}s, or dead letters. */
    private final List<Object> yields = new ArrayList<>();
    /** Where the observations go: gathered into batches for the repartition, or (null) forwarded one by one. */
    private final ObservationBatcher batcher;
    private ProcessorContext<Object, Object> context;
    private DivergentMetrics metrics;
    private DeadLetters deadLetters;

    /**
     * @param checkedPartitions the input's partition count, to check that each record is on its
     *                          series' partition ({@link SeriesPartitioner#bySegments()}); 0: no check
     * @param batcher           the source task's batcher, which this processor initializes with its
     *                          own context and hands each observation to (the batches are then
     *                          forwarded from here, keyed by window partition); null: each
     *                          observation is forwarded as a record keyed by its series id
     */
    ObserveProcessor(final List<MonitorConfig> monitors, final ValueDecoder decoder, final int deadLetterBudget,
                     final int checkedPartitions, final ObservationBatcher batcher) {
        this.monitors = monitors;
        this.batcher = batcher;
        this.decoder = decoder;
        this.deadLetterBudget = deadLetterBudget;
        this.checkedPartitions = checkedPartitions;
        for (final MonitorConfig monitor : monitors) {
            segmentNames.add(monitor.segmentFields().stream().map(FieldPath::toString).toList());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(final ProcessorContext<Object, Object> context) {
        this.context = context;
        this.metrics = new DivergentMetrics(context.metrics());
        // One context, three kinds of record: the topology splits them by value type right after this node.
        this.deadLetters = new DeadLetters((ProcessorContext<String, Routed>) (ProcessorContext<?, ?>) context, metrics,
                deadLetterBudget);
        if (batcher != null) {
            batcher.init((ProcessorContext<Integer, byte[]>) (ProcessorContext<?, ?>) context);
        }
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
                // The observation keeps the input's timestamp, which the broker accepted once; see Observation.
                final Observed observed = (Observed) yielded;
                if (batcher != null) {
                    // A call, not a forward: no processor node (metrics, record context) per observation (issue 16).
                    batcher.add(observed.series(), observed.observation(), record.timestamp());
                } else {
                    // No headers: the input's are not forwarded (the three-argument Record starts empty, without a copy).
                    context.forward(new Record<>(observed.series(), observed.observation(), record.timestamp()));
                }
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
            yields.add(new Observed(series, new Observation(category, meta.partition(), meta.offset(), timestamp)));
        }
    }

    /** An observation a record yields, and its series. */
    private record Observed(String series, Observation observation) {
    }

    /** Replaces {@link #yields} by one {@code partitioning} dead letter if the record is not on its series' partition. */
    private void checkPartition(final Record<byte[], byte[]> record, final RecordMetadata meta) {
        for (final Object yielded : yields) {
            if (yielded instanceof Observed observed) {
                final String series = observed.series();
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
        try {
            return decoder.decode(meta.topic(), value);
        } catch (final RuntimeException first) {
            return RegistryOutage.retry(first, () -> decoder.decode(meta.topic(), value), meta, metrics::registryUnavailable);
        }
    }

    private static DeadLetter deadLetter(final Record<byte[], byte[]> record, final RecordMetadata meta,
                                         final DeadLetter.Kind kind, final String reason, final String monitor) {
        return new DeadLetter(kind, reason, monitor, meta.topic(), meta.partition(), meta.offset(),
                record.timestamp(), record.key(), record.value());
    }
}
