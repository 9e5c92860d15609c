package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.avro.WeightsKind;
import io.divergent.config.DivergentConfig;
import io.divergent.registry.MockSchemaRegistry;
import io.divergent.serde.AvroSerdes;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The production topology on a TopologyTestDriver with a unique {@code mock://} registry scope
 * and application id: pipe references and events with explicit timestamps, read what it emits.
 */
final class TopologyHarness implements AutoCloseable {

    static final String EVENTS = "divergent-events";
    static final String ALERTS = "divergent-alerts";
    static final String DEAD = "divergent-dead-letters";
    static final String REFERENCES = "divergent-reference";

    final String scope = "topology-test-" + UUID.randomUUID();
    final Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://" + scope);
    final DivergentConfig config;
    final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> references;
    private final Map<String, TestInputTopic<String, byte[]>> inputs = new HashMap<>();
    private final TestOutputTopic<String, DivergenceEvent> events;
    private final TestOutputTopic<String, DriftAlert> alerts;
    private final TestOutputTopic<byte[], byte[]> dead;
    private final Serializer<ReferenceDistribution> referenceSerializer;
    /** The driver's wall clock, as {@link #wallClock} set it. */
    private long wall;

    /** @param keys monitor and app keys on top of the test defaults */
    TopologyHarness(final Map<String, String> keys) {
        this(keys, null);
    }

    /**
     * @param keys      monitor and app keys on top of the test defaults
     * @param wallClock the driver's initial wall clock; null: now
     */
    TopologyHarness(final Map<String, String> keys, final Instant wallClock) {
        final Map<String, String> all = new LinkedHashMap<>();
        all.put("application.id", "divergent-test-" + UUID.randomUUID());
        all.put("schema.registry.url", "mock://" + scope);
        all.putAll(keys);
        config = DivergentConfig.fromMap(all);
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "test:9092");
        // As `run` has it (exactly-once unless a kafka.* key says otherwise): the window processor's commits depend on it.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.kafkaProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        wall = wallClock == null ? System.currentTimeMillis() : wallClock.toEpochMilli();
        driver = wallClock == null ? new TopologyTestDriver(DivergentTopology.build(config, serdeConfig), props)
                : new TopologyTestDriver(DivergentTopology.build(config, serdeConfig), props, wallClock);
        references = driver.createInputTopic(config.referenceTopic(), new StringSerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(),
                AvroSerdes.specific(DivergenceEvent.class, serdeConfig, false).deserializer());
        alerts = driver.createOutputTopic(config.alertsTopic(), new StringDeserializer(),
                AvroSerdes.specific(DriftAlert.class, serdeConfig, false).deserializer());
        dead = driver.createOutputTopic(DEAD, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        referenceSerializer = AvroSerdes.specific(ReferenceDistribution.class, serdeConfig, false).serializer();
    }

    /** A JSON monitor on topic {@code plays} watching {@code genre}: 60 s tumbling windows unless overridden. */
    static Map<String, String> jsonMonitor(final String name, final String field, final String... more) {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("monitor." + name + ".input.topic", "plays");
        keys.put("monitor." + name + ".value.format", "json");
        keys.put("monitor." + name + ".category.field", field);
        keys.put("monitor." + name + ".window.size", "60s");
        for (int i = 0; i + 1 < more.length; i += 2) {
            keys.put(more[i], more[i + 1]);
        }
        return keys;
    }

    /** Moves the driver's wall clock forward to {@code millis} (wall-clock punctuators due by then run). */
    void wallClock(final long millis) {
        if (millis < wall) {
            throw new IllegalArgumentException("the wall clock only moves forward: " + millis + " < " + wall);
        }
        driver.advanceWallClockTime(java.time.Duration.ofMillis(millis - wall));
        wall = millis;
    }

    void reference(final String series, final long timestamp, final Map<String, Double> weights) {
        reference(series, timestamp, weights, WeightsKind.FIXED);
    }

    void reference(final String series, final long timestamp, final Map<String, Double> weights, final WeightsKind kind) {
        references.pipeInput(new TestRecord<>(series, referenceSerializer.serialize(config.referenceTopic(),
                new ReferenceDistribution(weights, "test", kind)), null, timestamp));
    }

    void tombstone(final String series, final long timestamp) {
        references.pipeInput(new TestRecord<>(series, null, null, timestamp));
    }

    void rawReference(final String series, final long timestamp, final byte[] value) {
        references.pipeInput(new TestRecord<>(series, value, null, timestamp));
    }

    /** One JSON event on {@code plays} at the given record timestamp. */
    void json(final long timestamp, final String json) {
        raw("plays", timestamp, json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code count} events of one genre at the same timestamp. */
    void genre(final long timestamp, final String genre, final int count) {
        for (int i = 0; i < count; i++) {
            json(timestamp, "{\"genre\":\"" + genre + "\"}");
        }
    }

    void raw(final String topic, final long timestamp, final byte[] value) {
        inputs.computeIfAbsent(topic, t -> driver.createInputTopic(t, new StringSerializer(), new ByteArraySerializer()))
                .pipeInput(new TestRecord<>("user", value, null, timestamp));
    }

    List<DivergenceEvent> events() {
        return events.readValuesToList();
    }

    List<DriftAlert> alerts() {
        return alerts.readValuesToList();
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return dead.readRecordsToList();
    }

    static String header(final TestRecord<byte[], byte[]> record, final String name) {
        return record.headers().lastHeader(name) == null ? null
                : new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Number of entries in a key-value store of the topology. */
    long storeSize(final String name) {
        final KeyValueStore<Bytes, Object> store = driver.getKeyValueStore(name);
        long n = 0;
        try (KeyValueIterator<Bytes, Object> it = store.all()) {
            while (it.hasNext()) {
                final KeyValue<Bytes, Object> ignored = it.next();
                n++;
            }
        }
        return n;
    }

    /** Every topic the topology has produced to so far (outputs, changelogs, repartitions). */
    java.util.Set<String> producedTopics() {
        return driver.producedTopicNames();
    }

    /** Records the topology has sent to a store's changelog topic so far (tombstones included). */
    long changelogRecords(final String store) {
        final String topic = config.applicationId() + "-" + store + "-changelog";
        return driver.producedTopicNames().contains(topic)
                ? driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()).getQueueSize()
                : 0;
    }

    /** Distinct pane starts present in a monitor's panes store (as of the last commit: the driver commits after each record). */
    List<Long> panes(final String monitor) {
        final List<Long> panes = new ArrayList<>();
        for (final Bytes key : paneKeys(monitor)) {
            final long pane = StoreKeys.paneOf(key);
            if (!panes.contains(pane)) {
                panes.add(pane);
            }
        }
        return panes;
    }

    /** Space-Saving counters held in a monitor's panes store, over all its (pane, series) summaries as replayed. */
    long counters(final String monitor) {
        final KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(DivergentTopology.panesStore(monitor));
        final Map<Long, Map<String, PaneCounts>> panes = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                final KeyValue<Bytes, byte[]> entry = it.next();
                final Map<String, PaneCounts> pane = panes.computeIfAbsent(StoreKeys.paneOf(entry.key), p -> new HashMap<>());
                PaneJournal.replay(entry.value, monitor, series -> pane.computeIfAbsent(series,
                        s -> new PaneCounts(Long.MAX_VALUE)));
            }
        }
        long n = 0;
        for (final Map<String, PaneCounts> pane : panes.values()) {
            for (final PaneCounts counts : pane.values()) {
                n += counts.size();
            }
        }
        return n;
    }

    private List<Bytes> paneKeys(final String monitor) {
        final KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(DivergentTopology.panesStore(monitor));
        final List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        return keys;
    }

    /** A Divergent metric's value, e.g. ("late-records-total", "genres"). */
    double metric(final String name, final String monitor) {
        for (final Map.Entry<MetricName, ? extends org.apache.kafka.common.Metric> e : driver.metrics().entrySet()) {
            if (e.getKey().group().equals(DivergentMetrics.GROUP) && e.getKey().name().equals(name)
                    && monitor.equals(e.getKey().tags().get("monitor"))) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return 0;
    }

    @Override
    public void close() {
        driver.close();
        MockSchemaRegistry.dropScope(scope);
    }
}
