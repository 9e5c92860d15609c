package io.divergent.local;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.avro.WeightsKind;
import io.divergent.config.DivergentConfig;
import io.divergent.registry.MockSchemaRegistry;
import io.divergent.runtime.DivergentApp;
import io.divergent.serde.AvroSerdes;
import io.divergent.topology.DivergentTopology;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The production topology on a TopologyTestDriver, fed record by record by a program (a
 * simulation, a soak) rather than from files: {@code run}'s settings, a throwaway state
 * directory and a {@code mock://} registry scope of its own, both removed on {@link #close()}.
 * Not thread-safe.
 */
public final class ReplaySession implements AutoCloseable {

    private final DivergentConfig config;
    private final String scope = "session-" + UUID.randomUUID();
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, byte[]>> inputs = new HashMap<>();
    private final TestInputTopic<String, byte[]> references;
    private final Serializer<ReferenceDistribution> referenceSerializer;
    private final TestOutputTopic<String, DivergenceEvent> events;
    private final TestOutputTopic<String, DriftAlert> alerts;

    /** Starts the topology of a configuration; its {@code schema.registry.url} is replaced by a fresh mock scope. */
    public ReplaySession(final DivergentConfig config) {
        this.config = config;
        final Map<String, Object> serdeConfig = new HashMap<>(config.serdeProperties());
        serdeConfig.put("schema.registry.url", "mock://" + scope);
        stateDir = StateDirs.create(Path.of(System.getProperty("java.io.tmpdir")), "session");
        final Properties props = DivergentApp.streamsProperties(config);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(DivergentTopology.forReplay(config, serdeConfig), props);
        references = driver.createInputTopic(config.referenceTopic(), new StringSerializer(), new ByteArraySerializer());
        referenceSerializer = AvroSerdes.specific(ReferenceDistribution.class, serdeConfig, false).serializer();
        events = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(),
                AvroSerdes.specific(DivergenceEvent.class, serdeConfig, false).deserializer());
        alerts = driver.createOutputTopic(config.alertsTopic(), new StringDeserializer(),
                AvroSerdes.specific(DriftAlert.class, serdeConfig, false).deserializer());
    }

    /** A reference version for a series, Avro on the reference topic. */
    public void reference(final String series, final long timestamp, final Map<String, Double> weights,
                          final WeightsKind kind) {
        references.pipeInput(new TestRecord<>(series, referenceSerializer.serialize(config.referenceTopic(),
                new ReferenceDistribution(new HashMap<>(weights), "session", kind)), null, timestamp));
    }

    /** One input record, with its record timestamp. */
    public void input(final String topic, final long timestamp, final String key, final byte[] value) {
        inputs.computeIfAbsent(topic, t -> driver.createInputTopic(t, new StringSerializer(), new ByteArraySerializer()))
                .pipeInput(new TestRecord<>(key, value, null, timestamp));
    }

    /** The divergence events emitted since the last call. */
    public List<DivergenceEvent> events() {
        return events.readValuesToList();
    }

    /** The alert events emitted since the last call. */
    public List<DriftAlert> alerts() {
        return alerts.readValuesToList();
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            StateDirs.delete(stateDir);
            MockSchemaRegistry.dropScope(scope);
        }
    }
}
