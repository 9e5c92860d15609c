package io.divergent.bench;

import io.divergent.math.DivergenceCalculator;
import io.divergent.math.Histogram;
import io.divergent.serde.AvroSerdes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Kafka Streams topologies Divergent is compared with: B1, the framework floor, B2, the floor
 * with one repartition, and B3, the DSL a Kafka Streams user would write for the same windows and
 * the same reference.
 */
final class Baselines {

    /** B3's aggregate: the category counts of one series in one window, an Avro map. */
    static final Schema COUNTS = new Schema.Parser().parse("""
            {"type": "record", "name": "CategoryCounts", "namespace": "io.divergent.bench",
             "fields": [{"name": "counts", "type": {"type": "map", "values": "long", "avro.java.string": "String"}}]}""");

    /**
     * B3's window store retention beyond size + grace (on hopping workloads since issue #16's
     * first pass, on every workload since its seventh): the event time that
     * may pass between two of onWindowClose's once-a-second emission scans (see {@link #peer}).
     */
    static final Duration EXTRA_RETENTION = Duration.ofMinutes(10);

    private Baselines() {
    }

    /** B1: every record read and its value decoded, then counted; no state, no output. */
    static Topology framework(final String input, final Map<String, ?> serdeConfig, final AtomicLong consumed) {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), AvroSerdes.generic(serdeConfig, false)))
                .foreach((key, value) -> consumed.incrementAndGet(), Named.as("b1-count"));
        return builder.build();
    }

    /**
     * B2: B1 plus one repartition and a count per key, what a repartition costs by itself: every
     * record re-keyed by its series (the category as its value), sent through a repartition topic
     * and counted per series in a key-value store ({@code groupByKey().count()}, the DSL default:
     * RocksDB, cached, changelogged). No windows, no output. {@code consumed} counts the records
     * read back from the repartition topic.
     */
    static Topology repartitioned(final String input, final Map<String, ?> serdeConfig, final AtomicLong consumed) {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), AvroSerdes.generic(serdeConfig, false)))
                .map((key, value) -> KeyValue.pair(value.get("series").toString(), value.get("category").toString()),
                        Named.as("b2-rekey"))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("b2-by-series"))
                .peek((key, value) -> consumed.incrementAndGet(), Named.as("b2-consumed"))
                .groupByKey()
                .count(Named.as("b2-count"), Materialized.as("b2-counts"));
        return builder.build();
    }

    /**
     * B3: {@code groupByKey().windowedBy(...).emitStrategy(onWindowClose()).aggregate(...)} of a
     * map of counts (Avro, through the registry serde), then the divergence of each closed window
     * from the reference; writes the JS distance (an 8-byte double) per window.
     */
    static Topology peer(final String input, final String closer, final String output, final Workload workload, final Histogram reference,
                         final Map<String, ?> serdeConfig, final AtomicLong consumed, final AtomicLong emitted) {
        final StreamsBuilder builder = new StreamsBuilder();
        final Serde<GenericRecord> counts = AvroSerdes.generic(serdeConfig, false);
        final DivergenceCalculator calculator = DivergenceCalculator.withDefaults();
        final TimeWindows windows = TimeWindows.ofSizeAndGrace(Duration.ofMillis(workload.sizeMs()),
                Duration.ofMillis(workload.graceMs())).advanceBy(Duration.ofMillis(workload.advanceMs()));
        // onWindowClose needs a longer store retention than the DSL default (size + grace) to emit
        // every closed window under replay. The scan that emits closed windows runs at most once
        // per wall-clock second, and the window store's fetchAll only returns windows whose start
        // is at least (the store's stream time - retention), the store's stream time being the
        // latest window start written. With the default, a hopping window is thus only visible for
        // about one advance (10 s) of event time after it closes, a tumbling one for one window
        // size (60 s), while B3 replays 7-30 s of event time per wall-clock second, more across a
        // stall: 3-27% of the closed hopping windows were skipped for good, and once B3 ran in a
        // JVM of its own (faster), about 10% of the tumbling ones in some runs. A DSL user
        // replaying history into onWindowClose windows has to do the same: this covers up to
        // EXTRA_RETENTION of event time between two scans. Side effect: the store's segments
        // widen to retention / 2, which shortens B3's first scan (from the epoch, one cache range
        // per segment); see docs/benchmarks.md.
        Materialized<String, GenericRecord, WindowStore<Bytes, byte[]>> store =
                Materialized.<String, GenericRecord, WindowStore<Bytes, byte[]>>as("b3-histograms")
                        .withKeySerde(Serdes.String()).withValueSerde(counts);
        store = store.withRetention(Duration.ofMillis(workload.sizeMs() + workload.graceMs()).plus(EXTRA_RETENTION));
        // The closer topic stays empty while B3 is timed; see BenchRunner.
        KStream<String, GenericRecord> events = builder.stream(List.of(input, closer),
                Consumed.with(Serdes.String(), AvroSerdes.generic(serdeConfig, false)));
        if (!workload.keyedBySeries()) {
            // What a DSL user writes when the input is not keyed by the series: re-key, and the
            // DSL repartitions before the aggregate. Counted after the repartition, so that B3 is
            // timed until its aggregating task has read everything, as P is.
            events = events.selectKey((key, value) -> value.get("series").toString(), Named.as("b3-rekey"))
                    .repartition(Repartitioned.with(Serdes.String(), AvroSerdes.generic(serdeConfig, false))
                            .withName("b3-by-series"));
        }
        events.peek((key, value) -> consumed.incrementAndGet(), Named.as("b3-consumed"))
                .mapValues(value -> value.get("category").toString(), Named.as("b3-category"))
                .groupByKey()
                .windowedBy(windows)
                .emitStrategy(EmitStrategy.onWindowClose())
                .aggregate(Baselines::emptyCounts, (series, category, aggregate) -> {
                    @SuppressWarnings("unchecked")
                    final Map<String, Long> map = (Map<String, Long>) aggregate.get("counts");
                    map.merge(category, 1L, Long::sum);
                    return aggregate;
                }, Named.as("b3-aggregate"), store)
                .toStream(Named.as("b3-closed"))
                .mapValues(aggregate -> {
                    @SuppressWarnings("unchecked")
                    final Map<String, Long> map = (Map<String, Long>) aggregate.get("counts");
                    return calculator.compute(Histogram.of(map), reference).jsDistance();
                }, Named.as("b3-divergence"))
                .peek((window, distance) -> emitted.incrementAndGet(), Named.as("b3-emitted"))
                .to(output, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(String.class, workload.sizeMs()),
                        Serdes.Double()).withName("b3-sink"));
        return builder.build();
    }

    private static GenericRecord emptyCounts() {
        final GenericRecord record = new GenericData.Record(COUNTS);
        record.put("counts", new HashMap<String, Long>());
        return record;
    }
}
