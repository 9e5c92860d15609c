package io.divergent.bench;

import io.divergent.config.DivergentConfig;
import io.divergent.local.EmbeddedKafkaBroker;
import io.divergent.runtime.DivergentApp;
import io.divergent.runtime.NewTopicSpec;
import io.divergent.runtime.TopicManager;
import io.divergent.topology.DivergentTopology;
import io.divergent.serde.AvroSerdes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs the contenders over pre-filled inputs on one embedded broker and measures them. Every
 * run gets a new application id (so it reads its input from the beginning), its own state
 * directory and output topics, which are deleted after the run.
 */
public final class BenchRunner implements AutoCloseable {

    /** The monitor P runs: its series ids are {@code bench|series=<series>}. */
    static final String MONITOR = "bench";
    private static final String SERIES_PREFIX = MONITOR + "|series=";
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final EmbeddedKafkaBroker broker;
    private final Admin admin;
    private final Map<String, Object> serdeConfig;
    private final String registryUrl;
    private final Path stateRoot;
    private final PrintStream log;
    /**
     * Overrides of the configuration the Kafka Streams contenders run with ({@code bench --set}):
     * P's keys, and the {@code kafka.*} settings B1-B3 take from it too; applied after the bench's own keys.
     */
    private final Map<String, String> settings;

    /** One workload's input, filled once and read by every run; {@code closing}: what a contender emits from it. */
    record Input(SyntheticEvents events, String topic, String referenceTopic, SyntheticEvents.Closing closing) {
        /** The windows that close by the last record's event time. */
        long expectedWindows() {
            return closing.windows();
        }
    }

    private BenchRunner(final EmbeddedKafkaBroker broker, final PrintStream log, final Map<String, String> settings) {
        this.broker = broker;
        this.log = log;
        this.settings = Map.copyOf(settings);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        this.registryUrl = "mock://bench-" + UUID.randomUUID();
        this.serdeConfig = Map.of("schema.registry.url", registryUrl);
        try {
            this.stateRoot = Files.createTempDirectory("divergent-bench-");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts an embedded broker for the runs; {@code log} gets one line per step. */
    public static BenchRunner start(final PrintStream log) {
        return start(log, Map.of());
    }

    /**
     * Starts an embedded broker for the runs; {@code log} gets one line per step; {@code settings}
     * override keys of the contenders' configuration (as {@code run --set}; checked by {@link #checkSettings}).
     */
    public static BenchRunner start(final PrintStream log, final Map<String, String> settings) {
        return new BenchRunner(EmbeddedKafkaBroker.start(), log, settings);
    }

    /** Creates the input and reference topics of a workload and fills them (timed apart from every run). */
    Input fill(final Workload workload, final long records) {
        final SyntheticEvents events = new SyntheticEvents(workload, records);
        final String topic = "bench-input-" + workload.name() + "-" + shortId();
        final String references = "bench-reference-" + workload.name() + "-" + shortId();
        try (TopicManager topics = TopicManager.connect(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            topics.ensureTopic(NewTopicSpec.of(topic, workload.partitions()));
            topics.ensureTopic(NewTopicSpec.compacted(references, 1));
        }
        final long start = System.nanoTime();
        final SyntheticEvents.Closing expected = events.produce(broker.bootstrapServers(), topic, serdeConfig);
        if (workload.segmented()) {
            events.publishReferences(broker.bootstrapServers(), references, SERIES_PREFIX, serdeConfig);
        } else {
            events.publishReferences(broker.bootstrapServers(), references, List.of(MONITOR), serdeConfig);
        }
        log.printf(Locale.ROOT, "%s: %,d records, %,d series, %d categories filled in %.1f s; %,d windows close, "
                        + "holding %,d records%n", workload.name(), records, events.series(), workload.categories(),
                (System.nanoTime() - start) / 1e9, expected.windows(), expected.records());
        return new Input(events, topic, references, expected);
    }

    /** Deletes a workload's input topics. */
    void drop(final Input input) {
        deleteTopics(List.of(input.topic(), input.referenceTopic()));
    }

    /** One measured run of a contender over an input. */
    Measurement run(final Contender contender, final Input input) {
        final String id = "bench-" + input.events().workload().name() + "-" + contender.name().toLowerCase(Locale.ROOT)
                + "-" + shortId();
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        final Measurement measurement;
        if (contender.flink()) {
            measurement = ExternalContender.find(contender).orElseThrow(() -> new IllegalArgumentException(contender
                    + " runs on Flink: only from the Flink bench jar (mvn -Pflink package -DskipTests; "
                    + "java -jar target/flink/divergent-bench-flink.jar bench ...), see docs/benchmarks.md"))
                    .run(contender, id, this, input);
        } else {
            measurement = contender == Contender.B0 ? plainConsumer(id, input) : streams(contender, id, input);
        }
        deleteTopics(topicsStartingWith(id));
        return measurement;
    }

    private Measurement plainConsumer(final String id, final Input input) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        @SuppressWarnings({"unchecked", "rawtypes"})
        final Deserializer<GenericRecord> values = (Deserializer) AvroSerdes.generic(serdeConfig, false).deserializer();
        final long n = input.events().records();
        final long[] wall = new long[1];
        final ThreadCost.Snapshot[] snapshots = new ThreadCost.Snapshot[2];
        // A thread of its own, named by the run id, so that its CPU and allocations are told apart.
        final Thread loop = new Thread(() -> {
            try (KafkaConsumer<String, GenericRecord> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
                final List<TopicPartition> partitions = partitions(input.topic());
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                snapshots[0] = ThreadCost.snapshot(name -> name.contains(id));
                final long start = System.nanoTime();
                long consumed = 0;
                while (consumed < n) {
                    final ConsumerRecords<String, GenericRecord> records = consumer.poll(Duration.ofMillis(100));
                    consumed += records.count();
                }
                wall[0] = System.nanoTime() - start;
                snapshots[1] = ThreadCost.snapshot(name -> name.contains(id));
            }
        }, id + "-loop");
        loop.start();
        try {
            loop.join(timeout(n).toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (snapshots[1] == null) {
            loop.interrupt();
            throw new IllegalStateException("B0 did not consume " + n + " records within " + timeout(n));
        }
        final long[] cost = snapshots[1].since(snapshots[0]);
        return new Measurement(input.events().workload().name(), Contender.B0, n, wall[0], cost[0], cost[1], 0,
                peakHeap(), -1, -1, -1, List.of());
    }

    private Measurement streams(final Contender contender, final String id, final Input input) {
        final long n = input.events().records();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong emitted = new AtomicLong();
        final List<KafkaStreams> instances = new ArrayList<>();
        // Every contender runs with the settings `run` uses (exactly-once, the RocksDB bound, the
        // handlers): the bench compares the processing, not the configuration.
        final DivergentConfig base = divergentConfig(id, input, stateRoot.resolve(id));
        // As `run` does, with the input's partition count known (the window task awaits them all).
        final DivergentConfig config = (contender.partitionedBySeries()
                ? base.with(Map.of("input.partitioned.by.series", "true")) : base)
                .withInputPartitions(Map.of(input.topic(), input.events().workload().partitions()));
        final Supplier<Topology> topology;
        final BooleanSupplier done;
        if (contender.divergent()) {
            createTopics(List.of(config.outputTopic(), config.alertsTopic()));
            topology = () -> DivergentTopology.build(config, config.serdeProperties());
            final List<String> read = contender.partitionedBySeries() ? List.of(input.topic())
                    : List.of(input.topic(), id + "-" + DivergentTopology.OBSERVATION_BATCHES + "-repartition");
            done = () -> windowsEmitted(instances) >= input.expectedWindows() && lag(id, read) == 0;
        } else if (contender == Contender.B1) {
            topology = () -> Baselines.framework(input.topic(), serdeConfig, consumed);
            done = () -> consumed.get() >= n;
        } else if (contender == Contender.B2) {
            topology = () -> Baselines.repartitioned(input.topic(), serdeConfig, consumed);
            done = () -> consumed.get() >= n;
        } else {
            final String output = id + "-out";
            createTopics(List.of(output, id + "-closer"));
            topology = () -> Baselines.peer(input.topic(), id + "-closer", output, input.events().workload(),
                    input.events().reference(), serdeConfig, consumed, emitted);
            // B3 emits closed windows at most once a wall-clock second (Kafka Streams' default, kept:
            // checking on every record costs it a cache range scan per record). It is timed until
            // it has consumed the input; the windows closed in its last second come after that
            // (closeRemaining), only to check that it emits what P emits.
            done = () -> consumed.get() >= n;
        }
        final AtomicReference<ThreadCost.Snapshot> before = new AtomicReference<>();
        final AtomicLong start = new AtomicLong();
        final AtomicLong processCpuBefore = new AtomicLong();
        final AtomicReference<ThreadCost.Snapshot> everyThreadBefore = new AtomicReference<>();
        final AtomicLong jitBefore = new AtomicLong();
        final AtomicReference<StreamWaits> waitsBefore = new AtomicReference<>();
        for (int i = 1; i <= contender.instances(); i++) {
            // Each instance its own state directory and a client id that names its threads, so
            // that the work of each is told apart (P2, P3).
            final Properties props = DivergentApp.streamsProperties(
                    divergentConfig(id, input, stateRoot.resolve(id + "-i" + i)));
            props.put(StreamsConfig.CLIENT_ID_CONFIG, instanceId(id, i));
            // The clock starts when a stream thread of any instance first reads records (on that
            // thread): with several stream threads, one can process the whole input while its
            // instance still rebalances for another, so the instance turning RUNNING is too late.
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                    FirstRecordClock.class.getName());
            props.put(StreamsConfig.mainConsumerPrefix(FirstRecordClock.RUN_ID), id);
            final KafkaStreams streams = new KafkaStreams(topology.get(), props);
            instances.add(streams);
        }
        FirstRecordClock.onFirstRecords(id, () -> {
            // One snapshot of every thread: the contender's are those named by the run id.
            everyThreadBefore.set(ThreadCost.snapshot(name -> true));
            before.set(everyThreadBefore.get().only(name -> name.contains(id)));
            processCpuBefore.set(ThreadCost.processCpuNanos());
            jitBefore.set(ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
            waitsBefore.set(StreamWaits.snapshot(instances));
            start.set(System.nanoTime());
        });
        final BooleanSupplier failed = () -> instances.stream().anyMatch(s -> s.state() == KafkaStreams.State.ERROR);
        try {
            instances.forEach(KafkaStreams::start);
            await(Duration.ofSeconds(60), () -> before.get() != null || failed.getAsBoolean(),
                    contender + " reading its first records");
            await(timeout(n), () -> done.getAsBoolean() || failed.getAsBoolean(),
                    contender + " consuming " + n + " records");
            final long wall = System.nanoTime() - start.get();
            final StreamWaits waitsAfter = StreamWaits.snapshot(instances);
            final ThreadCost.Snapshot everyThreadAfter = ThreadCost.snapshot(name -> true);
            final ThreadCost.Snapshot after = everyThreadAfter.only(name -> name.contains(id));
            final long[] cost = after.since(before.get());
            // Whether one thread bounds the run (a stream thread near 1.0 is saturated), or the
            // machine does (the whole JVM, broker included, near the processors' count).
            final double jvm = (double) (ThreadCost.processCpuNanos() - processCpuBefore.get()) / wall;
            final double javaThreads = (double) everyThreadAfter.since(everyThreadBefore.get())[0] / wall;
            log.printf(Locale.ROOT, "  CPU / wall: the JVM %.2f of %d processors (%s %.2f, other Java threads (broker, "
                            + "harness) %.2f, JIT and GC %.2f; the JIT compiled for %.1f s); busiest threads %s%n", jvm,
                    Runtime.getRuntime().availableProcessors(), contender, (double) cost[0] / wall,
                    javaThreads - (double) cost[0] / wall, jvm - javaThreads,
                    (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore.get()) / 1e3,
                    String.join(", ", after.busiest(before.get(), wall, 4)
                    .stream().map(e -> String.format(Locale.ROOT, "%s %.2f",
                            e.getKey().substring(e.getKey().indexOf(id) + id.length()), e.getValue())).toList()));
            // Whether a stream thread that is not busy waits for input or on its commits.
            for (final String line : waitsAfter.describe(waitsBefore.get(), wall,
                    thread -> after.only(thread::equals).since(before.get())[0], id)) {
                log.printf(Locale.ROOT, "  %s%n", line);
            }
            final List<Long> perInstance = new ArrayList<>();
            if (instances.size() > 1) {
                for (int i = 1; i <= instances.size(); i++) {
                    final String prefix = instanceId(id, i) + "-";
                    perInstance.add(ThreadCost.snapshot(name -> name.contains(prefix)).since(before.get())[0]);
                }
            }
            if (failed.getAsBoolean()) {
                throw new IllegalStateException(contender + " failed: Kafka Streams is in state ERROR");
            }
            final long heap = peakHeap();
            if (contender == Contender.B3) {
                closeRemaining(id + "-closer", input, emitted);
            }
            final long windows = contender.divergent() ? windowsEmitted(instances)
                    : contender == Contender.B3 ? emitted.get() : -1;
            final long uncounted = contender.divergent() ? divergentMetric(instances, name -> name.endsWith("-records-total"))
                    : contender == Contender.B3 ? droppedRecords(instances) : -1;
            if (uncounted > 0) {
                log.printf(Locale.ROOT, "  %s left %,d of %,d records out of its windows%n", contender, uncounted, n);
            }
            instances.forEach(BenchRunner::close);
            final boolean windowed = contender.divergent() || contender == Contender.B3;
            return new Measurement(input.events().workload().name(), contender, n, wall, cost[0], cost[1],
                    changelogBytes(id), heap, windows, windowed ? input.expectedWindows() : -1, uncounted, perInstance);
        } finally {
            FirstRecordClock.forget(id);
            for (final KafkaStreams streams : instances) {
                close(streams);
                streams.cleanUp();
            }
        }
    }

    private static String instanceId(final String id, final int instance) {
        return id + "-i" + instance;
    }

    /**
     * Makes B3 emit the windows its input closed in its last wall-clock second: a record on the
     * closer topic, as late in event time as the input's last (so it closes nothing and changes
     * no emitted window), now and then until the expected windows are out or 120 s have passed.
     * Logs how long that took. The closers do not move stream time on: the input's last record
     * lies a millisecond before a window edge, so even one millisecond later would close a window
     * P never closes. (On hopping windows B3 can still fall short: see docs/benchmarks.md.)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void closeRemaining(final String closerTopic, final Input input, final AtomicLong emitted) {
        final Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, GenericRecord> producer = new KafkaProducer<>(props, new StringSerializer(),
                (Serializer) AvroSerdes.generic(serdeConfig, false).serializer())) {
            final long start = System.nanoTime();
            final long deadline = start + TimeUnit.SECONDS.toNanos(120);
            while (emitted.get() < input.expectedWindows() && System.nanoTime() < deadline) {
                producer.send(new ProducerRecord<>(closerTopic, 0, input.events().maxTime(), input.events().closerKey(),
                        input.events().closer()));
                producer.flush();
                final long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (emitted.get() < input.expectedWindows() && System.nanoTime() < next) {
                    LockSupport.parkNanos(POLL_NANOS);
                }
            }
            log.printf(Locale.ROOT, "  B3 emitted its last closed windows %.1f s after reading its last record%n",
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** Closes and leaves the group, so that a next instance of the same application id is not kept waiting. */
    static void close(final KafkaStreams streams) {
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(60)));
    }

    /**
     * The configuration every Kafka Streams contender runs with (P's monitor, the Kafka settings
     * of all): one monitor over the input, counting {@code category} per {@code series}; then {@link #settings}.
     */
    DivergentConfig divergentConfig(final String id, final Input input, final Path stateDir) {
        return divergentConfig(id, broker.bootstrapServers(), registryUrl, input.topic(), input.referenceTopic(),
                input.events().workload(), stateDir, settings);
    }

    /**
     * Checks the {@code --set} overrides of P's configuration before anything runs, on a stand-in
     * of the configuration the runs build.
     *
     * @throws io.divergent.config.ConfigException naming the key of a bad value
     */
    static void checkSettings(final Map<String, String> settings) {
        divergentConfig("bench-check", "localhost:9092", "mock://bench-check", "input", "reference",
                Workload.ALL.get(0), Path.of("state"), settings);
    }

    private static DivergentConfig divergentConfig(final String id, final String bootstrap, final String registry,
                                                   final String inputTopic, final String referenceTopic,
                                                   final Workload workload, final Path stateDir,
                                                   final Map<String, String> settings) {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("application.id", id);
        keys.put("bootstrap.servers", bootstrap);
        keys.put("schema.registry.url", registry);
        keys.put("reference.topic", referenceTopic);
        keys.put("output.topic", id + "-events");
        keys.put("alerts.topic", id + "-alerts");
        keys.put("dead.letter.topic", "");
        // As `run` resolves partitions=0: the input's partition count.
        keys.put("partitions", Integer.toString(workload.partitions()));
        keys.put("kafka.state.dir", stateDir.toString());
        final String m = "monitor." + MONITOR + ".";
        keys.put(m + "input.topic", inputTopic);
        keys.put(m + "value.format", "avro");
        keys.put(m + "category.field", "category");
        if (workload.segmented()) {
            keys.put(m + "segment.fields", "series");
        }
        keys.put(m + "window.size", workload.sizeMs() + "ms");
        keys.put(m + "window.advance", workload.advanceMs() + "ms");
        keys.put(m + "window.grace", workload.graceMs() + "ms");
        keys.putAll(settings);
        return DivergentConfig.fromMap(keys);
    }

    /** The bootstrap servers of the embedded broker. */
    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The Avro serde configuration (the in-memory registry scope) of every run. */
    Map<String, Object> serdeConfig() {
        return serdeConfig;
    }

    /** Where runs keep their state directories. */
    Path stateRoot() {
        return stateRoot;
    }

    /** The sum of Divergent's {@code windows-emitted-total} metrics over some instances of one application. */
    static long windowsEmitted(final List<KafkaStreams> instances) {
        return divergentMetric(instances, "windows-emitted-total"::equals);
    }

    /** The sum of Divergent's metrics (group {@code divergent-metrics}) of some names over some instances. */
    static long divergentMetric(final List<KafkaStreams> instances, final Predicate<String> name) {
        return metricSum(instances, "divergent-metrics", name);
    }

    /**
     * Records B3's Kafka Streams tasks dropped ({@code dropped-records-total}: late for a closed
     * window above all; Kafka Streams logs each one).
     */
    static long droppedRecords(final List<KafkaStreams> instances) {
        return metricSum(instances, "stream-task-metrics", "dropped-records-total"::equals);
    }

    private static long metricSum(final List<KafkaStreams> instances, final String group, final Predicate<String> name) {
        double total = 0;
        for (final KafkaStreams streams : instances) {
            for (final var metric : streams.metrics().entrySet()) {
                if (metric.getKey().group().equals(group) && name.test(metric.getKey().name())) {
                    total += ((Number) metric.getValue().metricValue()).doubleValue();
                }
            }
        }
        return (long) total;
    }

    /** Records of some topics not yet committed by a group (a partition without a commit counts whole). */
    long lag(final String group, final List<String> topics) {
        try {
            // Kafka Streams creates the repartition topic as it starts: asking for the offsets of a
            // topic that does not exist yet only fills the log with the admin client's errors.
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).containsAll(topics)) {
                return Long.MAX_VALUE;
            }
            final Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (final String topic : topics) {
                partitions(topic).forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            }
            long lag = 0;
            for (final var end : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
                final OffsetAndMetadata done = committed.get(end.getKey());
                lag += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            return lag;
        } catch (final Exception e) {
            // Topics appear while the application starts: not yet readable means not done.
            return Long.MAX_VALUE;
        }
    }

    /** Every partition of an existing topic. */
    List<TopicPartition> partitions(final String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (final Exception e) {
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e, e);
        }
    }

    /** A changelog topic's store name: the topic without the application id and {@code -changelog}. */
    private static String store(final String applicationId, final String topic) {
        return topic.substring(applicationId.length() + 1, topic.length() - "-changelog".length());
    }

    /**
     * Bytes in the changelog topics of an application, from the broker's log directories; the
     * progress log gets them per store, with the stores' end offsets.
     */
    long changelogBytes(final String applicationId) {
        try {
            final List<Integer> brokers = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                    .map(node -> node.id()).toList();
            long bytes = 0;
            final Map<String, Long> byStore = new java.util.TreeMap<>();
            final Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (final var dirs : admin.describeLogDirs(brokers).allDescriptions().get(10, TimeUnit.SECONDS).values()) {
                for (final var dir : dirs.values()) {
                    for (final var replica : dir.replicaInfos().entrySet()) {
                        final String topic = replica.getKey().topic();
                        if (topic.startsWith(applicationId + "-") && topic.endsWith("-changelog")) {
                            bytes += replica.getValue().size();
                            byStore.merge(store(applicationId, topic), replica.getValue().size(), Long::sum);
                            ends.put(replica.getKey(), OffsetSpec.latest());
                        }
                    }
                }
            }
            if (!byStore.isEmpty()) {
                // Offsets count each record and each transaction marker: with the bytes, what a
                // store's writes cost each, record and batch overhead included.
                final Map<String, Long> offsets = new java.util.TreeMap<>();
                admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS).forEach((partition, end) ->
                        offsets.merge(store(applicationId, partition.topic()), end.offset(), Long::sum));
                log.printf(java.util.Locale.ROOT, "  changelog bytes by store: %s; end offsets (records and "
                        + "transaction markers): %s%n", byStore, offsets);
            }
            return bytes;
        } catch (final Exception e) {
            throw new IllegalStateException("cannot describe the broker's log directories: " + e, e);
        }
    }

    private List<String> topicsStartingWith(final String prefix) {
        try {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(t -> t.startsWith(prefix)).toList();
        } catch (final Exception e) {
            throw new IllegalStateException("cannot list topics: " + e, e);
        }
    }

    private void createTopics(final List<String> names) {
        try (TopicManager topics = TopicManager.connect(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            names.forEach(name -> topics.ensureTopic(NewTopicSpec.of(name, 1)));
        }
    }

    private void deleteTopics(final List<String> names) {
        try {
            admin.deleteTopics(names).all().get(30, TimeUnit.SECONDS);
        } catch (final Exception e) {
            log.println("warning: could not delete topics " + names + ": " + e);
        }
    }

    /** The heap pools' peak use since the last reset (before each run). */
    static long peakHeap() {
        long peak = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** Generous: a run that takes this long is broken, not slow. */
    static Duration timeout(final long records) {
        return Duration.ofSeconds(120 + records / 2_000);
    }

    /** Polls a condition until it holds; throws after the bound. */
    static void await(final Duration bound, final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("waited " + bound + " for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(10));
        broker.close();
        deleteRecursively(stateRoot);
    }

    private static void deleteRecursively(final Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            // A temp directory left behind is harmless.
        }
    }
}
