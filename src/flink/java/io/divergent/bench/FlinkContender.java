package io.divergent.bench;

import io.divergent.math.DivergenceCalculator;
import io.divergent.math.Histogram;
import io.divergent.serde.AvroSerdes;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicReference;

/**
 * B4H and B4R: B3's job on Apache Flink (issue #16). A local MiniCluster in this JVM, parallelism
 * 2; a Kafka source reading the workload's input topic from the beginning (the record timestamp as
 * event time, watermarks bounded by the workload's grace); {@code keyBy(series)}; the workload's
 * event-time windows (tumbling, or sliding for hopping); a {@code HashMap} histogram aggregate;
 * the JS distance of each closed window from the same reference, with {@link DivergenceCalculator};
 * the distances discarded. Exactly-once checkpoints every 100 ms (Kafka Streams' commit interval
 * under exactly-once) to the run's state directory; heap state ({@code hashmap}) for B4H, RocksDB
 * ({@code rocksdb}) for B4R.
 *
 * <p>Timed from the moment a source subtask reads its first record (as the Kafka Streams contenders
 * are: {@link FirstRecordClock}) until
 * every record is read and every window that closes by the last record's event time has been
 * emitted. CPU and allocation are those of the threads born during the run (the MiniCluster's,
 * Flink's Kafka clients'): Flink's thread names carry no run id, and the broker's threads are
 * older. Flink keeps no changelog: its changelog figure is 0, its checkpoints go to local disk.
 */
public final class FlinkContender implements ExternalContender {

    private static final int PARALLELISM = 2;
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(100);

    /** Per run: records read, windows emitted, and the moment and thread costs at the source's start. */
    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    /** The shared counters of one run; the job's functions find them by run id (same JVM). */
    private static final class Run {
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong emitted = new AtomicLong();
        /** Records in the emitted windows, each once per window it falls in. */
        final AtomicLong counted = new AtomicLong();
        /** Records added to a window's histogram, each once per window it falls in. */
        final LongAdder added = new LongAdder();
        final AtomicLong start = new AtomicLong();
        final AtomicReference<ThreadCost.Snapshot> before = new AtomicReference<>();
        final Set<Long> olderThreads;

        Run(final Set<Long> olderThreads) {
            this.olderThreads = olderThreads;
        }

        boolean flinks(final long thread) {
            return !olderThreads.contains(thread);
        }

        void started() {
            synchronized (this) {
                if (before.get() == null) {
                    before.set(ThreadCost.snapshot((thread, name) -> flinks(thread)));
                    start.set(System.nanoTime());
                }
            }
        }
    }

    /** Needed by {@link java.util.ServiceLoader}. */
    public FlinkContender() {
    }

    @Override
    public boolean runs(final Contender contender) {
        return contender == Contender.B4H || contender == Contender.B4R;
    }

    @Override
    public Measurement run(final Contender contender, final String id, final BenchRunner runner,
                           final BenchRunner.Input input) {
        final Workload workload = input.events().workload();
        final long n = input.events().records();
        final Run run = new Run(ThreadCost.threadIds());
        RUNS.put(id, run);
        final Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, contender == Contender.B4H ? "hashmap" : "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, runner.stateRoot().resolve(id).toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        final StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
        final Map<String, String> serdeConfig = new HashMap<>();
        runner.serdeConfig().forEach((key, value) -> serdeConfig.put(key, String.valueOf(value)));
        final KafkaSource<Tuple2<String, String>> source = KafkaSource.<Tuple2<String, String>>builder()
                .setBootstrapServers(runner.bootstrapServers())
                .setTopics(input.topic())
                .setGroupId(id)
                .setClientIdPrefix(id)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new SeriesCategory(id, serdeConfig))
                .build();
        // Idleness: with one input partition, one of the two source readers has no split and
        // would otherwise hold the watermark back for good.
        final WatermarkStrategy<Tuple2<String, String>> watermarks = WatermarkStrategy
                .<Tuple2<String, String>>forBoundedOutOfOrderness(Duration.ofMillis(workload.graceMs()))
                .withIdleness(Duration.ofSeconds(1));
        final var keyed = env.fromSource(source, watermarks, "kafka").name("b4-source")
                .keyBy(event -> event.f0, Types.STRING);
        final WindowedStream<Tuple2<String, String>, String, TimeWindow> windowed = workload.hopping()
                ? keyed.window(SlidingEventTimeWindows.of(Duration.ofMillis(workload.sizeMs()), Duration.ofMillis(workload.advanceMs())))
                : keyed.window(TumblingEventTimeWindows.of(Duration.ofMillis(workload.sizeMs())));
        final TypeInformation<Map<String, Long>> counts = new MapTypeInfo<>(String.class, Long.class);
        windowed.aggregate(new CountCategories(id), new JsDistance(id, new HashMap<>(input.events().reference().toMap())),
                        counts, counts, Types.DOUBLE).name("b4-histogram-js")
                .sinkTo(new DiscardingSink<>()).name("b4-discard");
        JobClient job = null;
        try {
            job = env.executeAsync("bench-" + id);
            BenchRunner.await(Duration.ofSeconds(60), () -> run.before.get() != null, contender + " running");
            // Timed until the window operator has counted every record (size / advance windows
            // each), not only until the source has read it: with no window to close (one-series)
            // the records in flight between the two would otherwise fall outside the time.
            final long adds = n * (workload.sizeMs() / workload.advanceMs());
            BenchRunner.await(BenchRunner.timeout(n), () -> run.consumed.get() >= n && run.added.sum() >= adds
                            && run.emitted.get() >= input.expectedWindows(), contender + " consuming " + n + " records");
            final long wall = System.nanoTime() - run.start.get();
            final long[] cost = ThreadCost.snapshot((thread, name) -> run.flinks(thread)).since(run.before.get());
            final long heap = BenchRunner.peakHeap();
            // Flink drops a record late for its window without a trace; the windows' counts tell.
            final long uncounted = Math.max(0, input.closing().records() - run.counted.get());
            return new Measurement(workload.name(), contender, n, wall, cost[0], cost[1], 0, heap,
                    run.emitted.get(), input.expectedWindows(), uncounted, java.util.List.of());
        } catch (final Exception e) {
            throw new IllegalStateException(contender + " failed: " + e, e);
        } finally {
            if (job != null) {
                try {
                    job.cancel().get(60, TimeUnit.SECONDS);
                    // The per-job MiniCluster shuts down when its job ends.
                    job.getJobExecutionResult().exceptionally(failure -> null).get(60, TimeUnit.SECONDS);
                } catch (final Exception e) {
                    // Cancelling a job that already failed: the run's failure is what matters.
                }
            }
            RUNS.remove(id);
        }
    }

    /** The source's deserializer: our Avro deserializer (same registry scope), then (series, category). */
    private static final class SeriesCategory implements KafkaRecordDeserializationSchema<Tuple2<String, String>> {
        private static final long serialVersionUID = 1L;
        private final String run;
        private final HashMap<String, String> serdeConfig;
        private transient Deserializer<GenericRecord> values;
        private transient AtomicLong consumed;
        private transient Run state;
        private transient boolean reading;

        SeriesCategory(final String run, final Map<String, String> serdeConfig) {
            this.run = run;
            this.serdeConfig = new HashMap<>(serdeConfig);
        }

        @Override
        public void open(final DeserializationSchema.InitializationContext context) {
            values = AvroSerdes.generic(serdeConfig, false).deserializer();
            state = RUNS.get(run);
            consumed = state.consumed;
        }

        @Override
        public void deserialize(final ConsumerRecord<byte[], byte[]> record, final Collector<Tuple2<String, String>> out) {
            if (!reading) {
                // The clock starts at the first record read, as the Kafka Streams contenders' does
                // (FirstRecordClock), not when the source opens.
                reading = true;
                state.started();
            }
            final GenericRecord value = values.deserialize(record.topic(), record.headers(), record.value());
            out.collect(Tuple2.of(value.get("series").toString(), value.get("category").toString()));
            consumed.incrementAndGet();
        }

        @Override
        public TypeInformation<Tuple2<String, String>> getProducedType() {
            return Types.TUPLE(Types.STRING, Types.STRING);
        }
    }

    /** The histogram: a HashMap of counts per category. */
    private static final class CountCategories
            implements AggregateFunction<Tuple2<String, String>, Map<String, Long>, Map<String, Long>> {
        private static final long serialVersionUID = 1L;
        private final String run;
        private transient LongAdder added;

        CountCategories(final String run) {
            this.run = run;
        }

        @Override
        public Map<String, Long> createAccumulator() {
            return new HashMap<>();
        }

        @Override
        public Map<String, Long> add(final Tuple2<String, String> event, final Map<String, Long> counts) {
            if (added == null) {
                added = RUNS.get(run).added;
            }
            added.increment();
            counts.merge(event.f1, 1L, Long::sum);
            return counts;
        }

        @Override
        public Map<String, Long> getResult(final Map<String, Long> counts) {
            return counts;
        }

        @Override
        public Map<String, Long> merge(final Map<String, Long> a, final Map<String, Long> b) {
            b.forEach((category, count) -> a.merge(category, count, Long::sum));
            return a;
        }
    }

    /** The JS distance of a closed window's histogram from the reference, as B3 computes it. */
    private static final class JsDistance extends ProcessWindowFunction<Map<String, Long>, Double, String, TimeWindow> {
        private static final long serialVersionUID = 1L;
        private final String run;
        private final HashMap<String, Double> referenceWeights;
        private transient Histogram reference;
        private transient DivergenceCalculator calculator;
        private transient AtomicLong emitted;
        private transient AtomicLong counted;

        JsDistance(final String run, final HashMap<String, Double> referenceWeights) {
            this.run = run;
            this.referenceWeights = referenceWeights;
        }

        @Override
        public void open(final OpenContext context) {
            reference = Histogram.of(referenceWeights);
            calculator = DivergenceCalculator.withDefaults();
            emitted = RUNS.get(run).emitted;
            counted = RUNS.get(run).counted;
        }

        @Override
        public void process(final String series, final Context context, final Iterable<Map<String, Long>> windows,
                            final Collector<Double> out) {
            for (final Map<String, Long> counts : windows) {
                out.collect(calculator.compute(Histogram.of(counts), reference).jsDistance());
                emitted.incrementAndGet();
                long total = 0;
                for (final long count : counts.values()) {
                    total += count;
                }
                counted.addAndGet(total);
            }
        }
    }
}
