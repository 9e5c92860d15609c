package io.divergent.topology;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batcher on a mock context: where each observation goes (the partition
 * {@link SeriesPartitioner#bySeriesId()} gives its series, which the window tasks, the alert
 * families and the live view assume), when a batch goes without a commit (the linger, the size),
 * and that nothing is lost or doubled. The commit hook's path needs Kafka Streams' own context:
 * the replay tests (every input record is committed, so every batch goes from the hook) and the
 * integration tests cover it.
 */
class ObservationBatcherTest {

    private static final int PARTITIONS = 4;

    private record Sent(int partition, String series, Observation observation, long timestamp) {
    }

    private static MockProcessorContext<Integer, byte[]> context(final ObservationBatcher batcher) {
        final MockProcessorContext<Integer, byte[]> context = new MockProcessorContext<>();
        final CommitHook hook = CommitHook.builder("hook").build();
        hook.init(context.getStateStoreContext(), hook);
        context.addStateStore(hook);
        batcher.init(context);
        return context;
    }

    private static List<Sent> sent(final MockProcessorContext<Integer, byte[]> context) {
        final List<Sent> sent = new ArrayList<>();
        for (final MockProcessorContext.CapturedForward<? extends Integer, ? extends byte[]> forward : context.forwarded()) {
            final Record<? extends Integer, ? extends byte[]> record = forward.record();
            ObservationBatch.read("t", record.value(), (series, observation, timestamp) ->
                    sent.add(new Sent(record.key(), series, observation, timestamp)));
        }
        return sent;
    }

    private static Record<String, Observation> observation(final int i) {
        return new Record<>("genres|country=C" + (i % 37), new Observation("g" + (i % 5), 0, i, 1_000L * i), 1_000L * i + 1);
    }

    @Test
    void eachObservationGoesOnceToItsSeriesPartitionInOrderWhenTheLingerEnds() {
        final ObservationBatcher batcher = new ObservationBatcher(PARTITIONS, "hook");
        final MockProcessorContext<Integer, byte[]> context = context(batcher);
        assertThat(context.scheduledPunctuators()).hasSize(1);
        final MockProcessorContext.CapturedPunctuator linger = context.scheduledPunctuators().get(0);
        assertThat(linger.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(linger.getInterval()).isEqualTo(ObservationBatcher.LINGER);

        for (int i = 0; i < 300; i++) {
            context.setRecordMetadata("plays", 0, i);
            final Record<String, Observation> observation = observation(i);
            batcher.add(observation.key(), observation.value(), observation.timestamp());
        }
        assertThat(context.forwarded()).as("held until the linger, a commit or the size").isEmpty();
        linger.getPunctuator().punctuate(0);

        // one batch per partition, keyed by it, stamped with its newest record timestamp
        assertThat(context.forwarded()).hasSize(PARTITIONS);
        final List<Sent> sent = sent(context);
        assertThat(sent).hasSize(300);
        for (final Sent s : sent) {
            assertThat(s.partition()).as(s.series())
                    .isEqualTo(SeriesPartitioner.bySeriesId().partition(s.series(), PARTITIONS));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            final int partition = p;
            final List<Record<String, Observation>> expected = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (SeriesPartitioner.bySeriesId().partition(observation(i).key(), PARTITIONS) == partition) {
                    expected.add(observation(i));
                }
            }
            assertThat(sent.stream().filter(s -> s.partition() == partition)
                    .map(s -> new Record<>(s.series(), s.observation(), s.timestamp())).toList())
                    .as("partition %d, in input order", p).isEqualTo(expected);
            final long newest = expected.get(expected.size() - 1).timestamp();
            assertThat(context.forwarded().stream().filter(f -> f.record().key() == partition)
                    .map(f -> f.record().timestamp()).toList()).containsExactly(newest);
        }

        // the next linger has nothing to send
        context.resetForwards();
        linger.getPunctuator().punctuate(100);
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void theBatchesGoAsSoonAsTheyHoldMaxBytesTogether() {
        final ObservationBatcher batcher = new ObservationBatcher(PARTITIONS, "hook");
        final MockProcessorContext<Integer, byte[]> context = context(batcher);
        int n = 0;
        while (context.forwarded().isEmpty()) {
            context.setRecordMetadata("plays", 0, n);
            // a new category each time: nothing is shared, so the batches grow ~20 bytes an observation
            batcher.add("genres|country=C" + n, new Observation("category-" + n, 0, n, n), n);
            n++;
        }
        final int total = context.forwarded().stream().mapToInt(f -> f.record().value().length).sum();
        assertThat(total).isBetween(ObservationBatcher.MAX_BYTES, ObservationBatcher.MAX_BYTES + 200);
        assertThat(sent(context)).hasSize(n);
    }
}
