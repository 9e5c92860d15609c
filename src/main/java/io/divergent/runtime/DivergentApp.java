package io.divergent.runtime;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.config.ConfigException;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.serde.AvroSerializer;
import io.divergent.topology.DivergentTopology;
import io.divergent.view.ViewServer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;

/**
 * Divergent against a real cluster: checks the input topics, creates or validates the topics
 * it owns, resolves the internal partition count, builds the topology and runs it on
 * {@link KafkaStreams}. Used by {@code divergent run} and {@code divergent demo}.
 */
public final class DivergentApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DivergentApp.class);

    private final KafkaStreams streams;
    private final ViewServer view;
    private final HostInfo self;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Throwable fatal;

    private DivergentApp(final KafkaStreams streams, final ViewServer view, final HostInfo self) {
        this.streams = streams;
        this.view = view;
        this.self = self;
    }

    /**
     * Prepares topics and starts the application. Returns once Kafka Streams has started (it
     * then joins the group and restores state in the background).
     *
     * @throws ConfigException naming the key of a missing input topic
     * @throws IllegalStateException naming {@code bootstrap.servers} when no broker accepts a connection
     * @throws IllegalStateException naming the registry when it cannot be reached or refuses the
     *         output schemas
     * @throws TopicException when a topic cannot be checked or created, or one that exists does not fit
     * @throws IllegalStateException when {@code http.port} is set and cannot be bound
     */
    public static DivergentApp start(final DivergentConfig config) {
        final DivergentConfig resolved = prepareTopics(config);
        final Topology topology = DivergentTopology.build(resolved, resolved.serdeProperties());
        LOG.debug("Topology:\n{}", topology.describe());
        prepareSchemas(resolved);
        final Properties props = streamsProperties(resolved);
        final AtomicReference<String> sendFailure = new AtomicReference<>();
        props.put(SendFailures.REPORT_CONFIG, sendFailure);
        // The server binds first: application.server must name the port it got (http.port=0: any free one).
        final ViewServer view = resolved.httpPort().isPresent() ? ViewServer.start(resolved) : null;
        final HostInfo self = view == null ? null : new HostInfo(advertisedHost(resolved), view.port());
        if (self != null) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        }
        final KafkaStreams streams;
        try {
            streams = new KafkaStreams(topology, props);
        } catch (final RuntimeException e) {
            if (view != null) {
                view.close();
            }
            throw e;
        }
        if (view != null) {
            view.attach(streams, self);
        }
        final DivergentApp app = new DivergentApp(streams, view, self);
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                app.stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(error -> {
            // A failed send surfaces later, at another record: say which record it came from.
            final String failedSend = sendFailure.get();
            app.fatal = failedSend == null ? error : new IllegalStateException(failedSend, error);
            LOG.error("Stopping: a stream thread failed: {}", error.toString(), error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        LOG.info("Divergent '{}' started on {}: {} monitor(s) over {}, events to '{}', alerts to '{}'",
                resolved.applicationId(), resolved.bootstrapServers(), resolved.monitors().size(),
                resolved.inputTopics(), resolved.outputTopic(), resolved.alertsTopic());
        return app;
    }

    /**
     * The Kafka Streams properties {@code run} uses: the config's Kafka properties over
     * Divergent's defaults ({@code processing.guarantee=exactly_once_v2}, the exception handlers,
     * the RocksDB memory bound), and the application id. The one set of settings: {@code replay}
     * and {@code bench} start from it too and override only what they must (replay: the
     * bootstrap placeholder and its throwaway state directory).
     *
     * @param config the configuration
     * @return new properties; the caller may change them
     */
    public static Properties streamsProperties(final DivergentConfig config) {
        final Properties props = new Properties();
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Kafka 5.0's default, taken now: without it every start logs a WARN recommending it.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SendFailures.class.getName());
        // The main consumer's partition assignor builds a StreamsConfig of its own from the
        // consumer's settings, where Streams passes only consumer keys: without the flag there
        // too it logs the same WARN again. The consumer itself ignores the key.
        props.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), "true");
        config.rocksDbMemoryBytes().ifPresent(bytes -> {
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
            props.put(BoundedRocksDbMemory.MEMORY_BYTES, Long.toString(bytes));
        });
        props.putAll(config.kafkaProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        return props;
    }

    /**
     * Registers (or looks up, as configured) the schemas of the events and alerts Divergent
     * writes before anything runs: an unreachable registry stops the start, after the
     * client's retries, with an error naming it, and once registered the ids are cached, so a
     * later outage does not stop the output.
     *
     * @throws IllegalStateException naming the registry URL and subject when it cannot be reached or refuses
     */
    private static void prepareSchemas(final DivergentConfig config) {
        try (AvroSerializer<Object> serializer = new AvroSerializer<>()) {
            serializer.configure(config.serdeProperties(), false);
            serializer.prepare(config.outputTopic(), DivergenceEvent.getClassSchema());
            serializer.prepare(config.alertsTopic(), DriftAlert.getClassSchema());
        } catch (final SerializationException e) {
            throw new IllegalStateException("cannot start: " + e.getMessage(), e);
        }
    }

    private static DivergentConfig prepareTopics(final DivergentConfig config) {
        KafkaReachability.check(config.bootstrapServers(), KafkaReachability.CONNECT_TIMEOUT);
        final Map<String, Object> adminProps = new HashMap<>(config.kafkaProperties());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        adminProps.keySet().retainAll(AdminClientConfig.configNames());
        try (TopicManager topics = TopicManager.connect(adminProps)) {
            int partitions = 1;
            final Map<String, Integer> inputPartitions = new HashMap<>();
            for (final String topic : config.inputTopics()) {
                final List<MonitorConfig> monitors = config.monitorsOf(topic);
                final int found = topics.partitionsIfExists(topic).orElseThrow(() -> new ConfigException(
                        "monitor." + monitors.get(0).name() + ".input.topic", topic, "the input topic of monitor(s) "
                        + String.join(", ", monitors.stream().map(MonitorConfig::name).toList())
                        + " must exist on " + config.bootstrapServers() + ": create it, or name an existing topic"));
                partitions = Math.max(partitions, found);
                inputPartitions.put(topic, found);
            }
            config.checkInputPartitions(inputPartitions);
            final int internal = config.partitions() > 0 ? config.partitions() : partitions;
            ensure(topics, NewTopicSpec.compacted(config.referenceTopic(), internal));
            ensure(topics, NewTopicSpec.of(config.outputTopic(), internal));
            ensure(topics, NewTopicSpec.of(config.alertsTopic(), internal));
            config.deadLetterTopic().ifPresent(dlq -> ensure(topics, NewTopicSpec.of(dlq, internal)));
            final DivergentConfig resolved = config.partitions() == internal ? config
                    : config.with(Map.of("partitions", Integer.toString(internal)));
            return resolved.withInputPartitions(inputPartitions);
        }
    }

    /**
     * Creates a topic Divergent writes (or reads, for the reference) if it is missing. An existing
     * one may have any partition count (nothing is co-partitioned with it: the reference topic
     * is read whole by every instance's global store), but a compacted spec must find a compacted topic.
     */
    private static void ensure(final TopicManager topics, final NewTopicSpec spec) {
        int existing = 0;
        try {
            existing = topics.partitionsOf(spec.name());
        } catch (final TopicException missing) {
            // Created below; a real failure of the broker shows there with its reason.
        }
        final TopicManager.Outcome outcome = topics.ensureTopic(existing > 0
                ? new NewTopicSpec(spec.name(), existing, spec.replicationFactor(), spec.configs()) : spec);
        LOG.info("Topic '{}': {}", spec.name(), outcome == TopicManager.Outcome.CREATED ? "created" : "exists");
    }

    /** {@code http.advertised.host}, else this machine's host name. */
    private static String advertisedHost(final DivergentConfig config) {
        return config.httpAdvertisedHost().orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (final UnknownHostException e) {
                return "localhost";
            }
        });
    }

    /**
     * The address of the live view, when {@code http.port} is set.
     *
     * @return {@code http://<advertised host>:<bound port>/}, or empty when there is no server
     */
    public Optional<URI> viewUrl() {
        return self == null ? Optional.empty() : Optional.of(URI.create("http://" + self.host() + ":" + self.port() + "/"));
    }

    /** Blocks until the application stops; returns the failure that stopped it, or null. */
    public Throwable awaitStop() throws InterruptedException {
        stopped.await();
        return fatal;
    }

    /** Waits (bounded) until the application stops. */
    public boolean awaitStop(final Duration bound) throws InterruptedException {
        return stopped.await(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Stops processing, commits, flushes and closes the state stores; bounded. */
    @Override
    public void close() {
        LOG.info("Divergent stopping: committing and flushing state");
        streams.close(Duration.ofSeconds(30));
        if (view != null) {
            view.close();
        }
        stopped.countDown();
    }
}
