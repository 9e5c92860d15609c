package io.divergent.bench;

import io.divergent.config.DivergentConfig;
import io.divergent.runtime.DivergentApp;
import io.divergent.runtime.NewTopicSpec;
import io.divergent.runtime.TopicManager;
import io.divergent.topology.DivergentTopology;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * State restoration time (issue #5): P counts input that holds every (series, category) pair
 * once in one open window, so its panes store holds about {@code counts} counters (written as one
 * value per (pane, series) per commit since issue 16);
 * then a fresh instance with an empty state directory restores it, timed from
 * {@code start()} until every store has finished restoring and Kafka Streams is RUNNING.
 */
public final class RestoreBench {

    /** Categories per series in the restore input; the series count follows from the wanted counts. */
    static final int CATEGORIES = 100;

    /**
     * @param countRecords    distinct (series, window, category) counts in the input
     * @param restoredRecords changelog records restored into every store (panes, stream time, ...)
     * @param restoreNanos    from the first store starting to restore until the last one finished
     * @param runningNanos    from start() until Kafka Streams was RUNNING with every store restored
     * @param changelogBytes  bytes of the application's changelog topics
     */
    public record Result(long countRecords, long restoredRecords, long restoreNanos, long runningNanos,
                         long changelogBytes) {
    }

    private RestoreBench() {
    }

    /** Fills P's count store changelog with about {@code counts} counts, then times a restore from it. */
    static Result run(final BenchRunner runner, final long counts, final PrintStream log) {
        final Workload workload = new Workload("restore", (int) Math.max(1, counts / CATEGORIES), CATEGORIES, 0,
                60_000L, 60_000L, 0, 0, 1);
        final SyntheticEvents events = new SyntheticEvents(workload, counts);
        final String id = "bench-restore-" + UUID.randomUUID().toString().substring(0, 8);
        final BenchRunner.Input input = new BenchRunner.Input(events, id + "-input", id + "-reference",
                new SyntheticEvents.Closing(0, 0));
        try (TopicManager topics = TopicManager.connect(Map.of("bootstrap.servers", runner.bootstrapServers()))) {
            topics.ensureTopic(NewTopicSpec.of(input.topic(), 1));
            topics.ensureTopic(NewTopicSpec.compacted(input.referenceTopic(), 1));
            topics.ensureTopic(NewTopicSpec.of(id + "-events", 1));
            topics.ensureTopic(NewTopicSpec.of(id + "-alerts", 1));
        }
        final long produced = events.produceEachPairOnce(runner.bootstrapServers(), input.topic(), runner.serdeConfig());
        final DivergentConfig first = runner.divergentConfig(id, input, runner.stateRoot().resolve(id + "-first"));
        final List<String> read = List.of(input.topic(), id + "-" + DivergentTopology.OBSERVATION_BATCHES + "-repartition");
        final long fillStart = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(DivergentTopology.build(first, first.serdeProperties()),
                DivergentApp.streamsProperties(first))) {
            streams.start();
            BenchRunner.await(Duration.ofSeconds(120 + produced / 2_000), () -> runner.lag(id, read) == 0,
                    "the restore fill to be consumed");
            BenchRunner.close(streams);
            streams.cleanUp();
        }
        final long changelog = runner.changelogBytes(id);
        log.printf(Locale.ROOT, "restore: %,d counts in %,d series counted in %.1f s; changelog %,d bytes%n",
                produced, events.series(), (System.nanoTime() - fillStart) / 1e9, changelog);

        final DivergentConfig second = runner.divergentConfig(id, input, runner.stateRoot().resolve(id + "-second"));
        final AtomicLong restored = new AtomicLong();
        final AtomicLong started = new AtomicLong();
        final AtomicLong ended = new AtomicLong();
        final AtomicLong firstStart = new AtomicLong();
        final AtomicLong lastEnd = new AtomicLong();
        try (KafkaStreams streams = new KafkaStreams(DivergentTopology.build(second, second.serdeProperties()),
                DivergentApp.streamsProperties(second))) {
            streams.setGlobalStateRestoreListener(new StateRestoreListener() {
                @Override
                public void onRestoreStart(final TopicPartition partition, final String store, final long from, final long to) {
                    firstStart.compareAndSet(0, System.nanoTime());
                    started.incrementAndGet();
                }

                @Override
                public void onBatchRestored(final TopicPartition partition, final String store, final long end,
                                            final long batch) {
                    // Counted once per store at its end.
                }

                @Override
                public void onRestoreEnd(final TopicPartition partition, final String store, final long total) {
                    restored.addAndGet(total);
                    lastEnd.set(System.nanoTime());
                    ended.incrementAndGet();
                }
            });
            final long start = System.nanoTime();
            streams.start();
            // Not "restored >= produced": since issue 16 the panes changelog holds one value per
            // (pane, series) per commit, not one record per count.
            BenchRunner.await(Duration.ofSeconds(300), () -> streams.state() == KafkaStreams.State.RUNNING
                            && started.get() > 0 && ended.get() == started.get(),
                    "the fresh instance to restore and run");
            final long running = System.nanoTime() - start;
            BenchRunner.close(streams);
            streams.cleanUp();
            return new Result(produced, restored.get(), lastEnd.get() - firstStart.get(), running, changelog);
        }
    }
}
