package io.divergent.topology;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;

import java.time.Duration;

/**
 * Gathers a source task's observations into one {@link ObservationBatch} per window partition
 * and forwards each batch as one record, keyed by that partition, to the observation batches
 * repartition topic (issue 16, lever 3: the repartition's cost per record, a serialisation, a
 * send, an append, a fetch and a dispatch, is paid once per batch). A series' partition is the
 * one {@link SeriesPartitioner#bySeriesId()} gives, as when each observation was its own record.
 *
 * <p>When a batch goes:
 * <ul>
 *   <li>before every commit of the task ({@link CommitHook}), so a commit never covers an
 *       observation still on the heap: under exactly-once the batches are in the transaction
 *       that commits their input offsets, under at-least-once they are sent before them;</li>
 *   <li>every {@link #LINGER} of wall-clock time (the producer's own {@code linger.ms} in Kafka
 *       Streams), so that at-least-once's 30 s commit interval does not hold observations back;</li>
 *   <li>as soon as the task's batches together reach {@link #MAX_BYTES}, which bounds the memory
 *       and each record's size.</li>
 * </ul>
 * What it does to arrival: an observation reaches its window task at most a linger (or a
 * commit) after it would have as a record of its own, and observations from different input
 * partitions interleave there in batches rather than in the producer's batches of records.
 *
 * <p>Forwarding from the commit hook uses Kafka Streams' internal processor context, as its own
 * record caches do when they forward at a commit ({@code TimestampedCacheFlushListener}): the
 * node is the one it was initialized in, the record context that of the last input record.
 *
 * <p>In the topology it is not a node of its own: the {@link ObserveProcessor} of each input topic
 * holds one, initializes it with its own context and calls it per observation (a Kafka Streams
 * forward per observation, through a branch and a cast node, was ~4% of the stream threads).
 */
final class ObservationBatcher {

    /** How long an observation waits at most for its batch when no commit comes first. */
    static final Duration LINGER = Duration.ofMillis(100);
    /** The task's batches are sent once they hold this many bytes together. */
    static final int MAX_BYTES = 64 * 1024;

    private final int partitions;
    private final String hookStore;
    private final ObservationBatch.Writer[] batches;
    private ProcessorContext<Integer, byte[]> context;
    private InternalProcessorContext<Integer, byte[]> internal;
    private ProcessorNode<?, ?, ?, ?> node;
    private int bytes;
    private String lastTopic;
    private int lastPartition = -1;
    private long lastOffset = -1;

    /**
     * @param partitions the window tasks' partition count (of the batches topic), {@code >= 1}
     * @param hookStore  the name of the {@link CommitHook} connected to this processor
     */
    ObservationBatcher(final int partitions, final String hookStore) {
        this.partitions = partitions;
        this.hookStore = hookStore;
        this.batches = new ObservationBatch.Writer[partitions];
    }

    /**
     * Connects to the observe processor's context: the commit hook and the linger punctuation.
     *
     * @param context the context batches are forwarded through (that of the processor holding this batcher)
     */
    void init(final ProcessorContext<Integer, byte[]> context) {
        this.context = context;
        // Kafka Streams always hands its internal context; a test's mock context has none, and
        // then only the linger and the size send batches.
        if (context instanceof InternalProcessorContext<Integer, byte[]> kafka) {
            this.internal = kafka;
            this.node = kafka.currentNode();
        }
        final CommitHook hook = context.getStateStore(hookStore);
        hook.beforeCommit(this::beforeCommit);
        context.schedule(LINGER, PunctuationType.WALL_CLOCK_TIME, now -> sendAll());
    }

    /**
     * Adds one observation to its window partition's batch (and sends the batches if they have grown to {@link #MAX_BYTES}).
     *
     * @param series          the series id
     * @param observation     the observation
     * @param recordTimestamp the input record's timestamp
     */
    void add(final String series, final Observation observation, final long recordTimestamp) {
        final int partition = SeriesPartitioner.bySeriesId().partition(series, partitions);
        ObservationBatch.Writer batch = batches[partition];
        if (batch == null) {
            // A writer keeps about its share of MAX_BYTES (a doubling's worth more) between batches.
            batch = new ObservationBatch.Writer(2 * Math.max(4096, MAX_BYTES / partitions));
            batches[partition] = batch;
        }
        final int before = batch.size();
        batch.add(series, observation, recordTimestamp);
        bytes += batch.size() - before;
        final RecordMetadata meta = context.recordMetadata().orElse(null);
        if (meta != null) {
            lastTopic = meta.topic();
            lastPartition = meta.partition();
            lastOffset = meta.offset();
        }
        if (bytes >= MAX_BYTES) {
            sendAll();
        }
    }

    /** In the commit hook: Kafka Streams has no current node and no record context there; set them as its caches do. */
    private void beforeCommit() {
        if (bytes == 0) {
            return;
        }
        if (internal == null) {
            throw new IllegalStateException("a commit hook without Kafka Streams' processor context");
        }
        final ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
        final ProcessorRecordContext previousContext = internal.recordContext();
        internal.setCurrentNode(node);
        internal.setRecordContext(new ProcessorRecordContext(maxTimestamp(), lastOffset, lastPartition, lastTopic,
                new RecordHeaders()));
        try {
            sendAll();
        } finally {
            internal.setRecordContext(previousContext);
            internal.setCurrentNode(previousNode);
        }
    }

    private long maxTimestamp() {
        long max = 0;
        for (final ObservationBatch.Writer batch : batches) {
            if (batch != null && !batch.isEmpty()) {
                max = Math.max(max, batch.maxTimestamp());
            }
        }
        return max;
    }

    private void sendAll() {
        for (int p = 0; p < partitions; p++) {
            final ObservationBatch.Writer batch = batches[p];
            if (batch != null && !batch.isEmpty()) {
                final long timestamp = batch.maxTimestamp();
                context.forward(new Record<>(p, batch.drain(), timestamp));
            }
        }
        bytes = 0;
    }
}
