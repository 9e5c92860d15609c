package io.divergent.local;

import io.divergent.runtime.NewTopicSpec;
import io.divergent.runtime.TopicManager;
import static io.divergent.testing.Waits.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.divergent.testing.SharedBroker;

/**
 * Smoke test of the embedded broker: it relies on Kafka's internal server classes, so a
 * Kafka upgrade that changes them must fail here first. Each capability Divergent needs
 * (transactions, consumer groups, exactly-once Streams, restart with data) gets one check.
 */
class EmbeddedKafkaBrokerIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBrokerIT.class);
    private static final Duration BOUND = Duration.ofSeconds(60);

    private static EmbeddedKafkaBroker broker;
    private static Admin admin;
    private static TopicManager topics;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        topics = new TopicManager(admin, broker.bootstrapServers(), Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopBroker() {
        // Clients first: a client whose broker is gone waits out its own timeouts.
        if (admin != null) {
            admin.close(Duration.ofSeconds(10));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void transactionalProducerIsReadCommitted() {
        final String topic = SharedBroker.uniqueName("tx");
        topics.ensureTopic(NewTopicSpec.of(topic, 2));

        try (KafkaProducer<String, String> producer = transactionalProducer(broker, topic + "-txid")) {
            producer.initTransactions();
            // Aborted records go first on both partitions: once the committed records after
            // them are read, anything a read_committed consumer would leak is already delivered.
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "k", "aborted-0"));
            producer.send(new ProducerRecord<>(topic, 1, "k", "aborted-1"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "k", "committed-0"));
            producer.send(new ProducerRecord<>(topic, 1, "k", "committed-1"));
            producer.commitTransaction();
        }

        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(broker, null, "read_committed")) {
            consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
            consumer.seekToBeginning(consumer.assignment());
            waitUntil(BOUND, () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                return values.size() >= 2;
            }, () -> "two committed records on " + topic + ", got " + values);
        }
        assertThat(values).containsExactlyInAnyOrder("committed-0", "committed-1");
    }

    @Test
    void consumerGroupCommitsOffsets() throws Exception {
        final String topic = SharedBroker.uniqueName("group");
        final String group = SharedBroker.uniqueName("group-id");
        topics.ensureTopic(NewTopicSpec.of(topic, 2));
        produce(broker, topic, 4);

        final List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(broker, group, "read_uncommitted")) {
            consumer.subscribe(List.of(topic));
            waitUntil(BOUND, () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                return seen.size() >= 4;
            }, () -> "4 records through group " + group + ", got " + seen.size());
            consumer.commitSync(Duration.ofSeconds(30));
        }

        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        final long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        assertThat(total).as("committed offsets of %s: %s", group, committed).isEqualTo(4);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "streams"})
    void exactlyOnceStreamsAppMapsTopic(final String groupProtocol, @TempDir final Path stateDir) {
        final String input = SharedBroker.uniqueName("streams-in");
        final String output = SharedBroker.uniqueName("streams-out");
        topics.ensureTopic(NewTopicSpec.of(input, 2));
        topics.ensureTopic(NewTopicSpec.of(output, 2));

        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(v -> v.toUpperCase(Locale.ROOT))
                .to(output, Produced.with(Serdes.String(), Serdes.String()));
        final Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, SharedBroker.uniqueName("smoke-app"));
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, groupProtocol);

        final List<String> values = new ArrayList<>();
        final KafkaStreams streams = new KafkaStreams(builder.build(), config);
        try {
            final long began = System.nanoTime();
            streams.start();
            waitUntil(BOUND, () -> streams.state() == KafkaStreams.State.RUNNING
                            && streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum() == 2,
                    () -> "2 active tasks, state " + streams.state());
            final long tasksMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            LOG.info("Streams ({} protocol) had its tasks {} ms after start()", groupProtocol, tasksMs);

            produce(broker, input, 3);
            try (KafkaConsumer<String, String> consumer = consumer(broker, null, "read_committed")) {
                consumer.assign(List.of(new TopicPartition(output, 0), new TopicPartition(output, 1)));
                consumer.seekToBeginning(consumer.assignment());
                waitUntil(BOUND, () -> {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                    return values.size() >= 3;
                }, () -> "3 mapped records on " + output + ", got " + values);
            }
            LOG.info("Streams ({} protocol) output visible {} ms after start()", groupProtocol,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
        assertThat(values).containsExactlyInAnyOrder("V0", "V1", "V2");
    }

    @Test
    void restartKeepsDataAndAddress(@TempDir final Path dataDir) throws Exception {
        final String topic = "kept";
        final String before;
        try (EmbeddedKafkaBroker own = EmbeddedKafkaBroker.start(dataDir, Map.of())) {
            before = own.bootstrapServers();
            try (Admin ownAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, before))) {
                new TopicManager(ownAdmin, before, Duration.ofSeconds(30)).ensureTopic(NewTopicSpec.of(topic, 2));
            }
            produce(own, topic, 5);

            own.restart();

            assertThat(own.isRunning()).isTrue();
            assertThat(own.bootstrapServers()).isEqualTo(before);
            assertThat(readAll(own, topic, 5)).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4");
        }
        assertThat(dataDir).as("a caller's data directory is kept").isNotEmptyDirectory();

        // A new broker on the same directory gets new ports but the same data.
        try (EmbeddedKafkaBroker reopened = EmbeddedKafkaBroker.start(dataDir, Map.of())) {
            assertThat(readAll(reopened, topic, 5)).hasSize(5);
        }
    }

    @Test
    void closeIsIdempotentDeletesTemporaryDataAndEndsRestarts() {
        final EmbeddedKafkaBroker own = EmbeddedKafkaBroker.start();
        final Path dir = own.dataDir();
        assertThat(dir).isDirectory();

        final long began = System.nanoTime();
        own.close();
        LOG.info("close() took {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        own.close();

        assertThat(own.isRunning()).isFalse();
        assertThat(Files.exists(dir)).as("temporary data directory %s deleted", dir).isFalse();
        assertThatThrownBy(own::restart).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void haltRequestThrowsInsteadOfKillingTheJvm() {
        try (EmbeddedKafkaBroker own = EmbeddedKafkaBroker.start()) {
            assertThatThrownBy(() -> Exit.halt(1, "simulated fatal fault"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("simulated fatal fault");
            assertThat(own.fault()).hasValueSatisfying(f -> assertThat(f).contains("status 1"));

            own.restart();
            assertThat(own.fault()).as("a restart starts with a clean record").isEmpty();
        }
    }

    /**
     * Records timestamped in 1970 outlive the broker's retention checks unless a topic asks
     * otherwise. The check runs every 100 ms here; a topic with {@code retention.ms=1000}
     * losing its records shows that checks ran while the other topic kept its own.
     */
    @Test
    void recordsOfThePastAreNotDeletedByAge() throws Exception {
        try (EmbeddedKafkaBroker quick = EmbeddedKafkaBroker.start(null, Map.of("log.retention.check.interval.ms", "100",
                "log.initial.task.delay.ms", "0"));
             Admin quickAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, quick.bootstrapServers()))) {
            final TopicManager quickTopics = new TopicManager(quickAdmin, quick.bootstrapServers(), Duration.ofSeconds(30));
            final String kept = SharedBroker.uniqueName("kept");
            final String aged = SharedBroker.uniqueName("aged");
            quickTopics.ensureTopic(NewTopicSpec.of(kept, 1));
            quickTopics.ensureTopic(NewTopicSpec.of(aged, 1).withConfig("retention.ms", "1000")
                    .withConfig("segment.ms", "100"));
            final Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, quick.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                for (final String topic : List.of(kept, aged)) {
                    for (int i = 0; i < 3; i++) {
                        producer.send(new ProducerRecord<>(topic, 0, 1_000L * i, "k", "v" + i)).get(30, TimeUnit.SECONDS);
                    }
                }
            }
            final TopicPartition agedPartition = new TopicPartition(aged, 0);
            waitUntil(BOUND, () -> logStart(quickAdmin, agedPartition) == 3,
                    () -> "the retention check deleting " + aged + " (retention.ms=1000), log start "
                            + logStart(quickAdmin, agedPartition));
            assertThat(logStart(quickAdmin, new TopicPartition(kept, 0))).as("log start of " + kept).isZero();
        }
    }

    private static long logStart(final Admin target, final TopicPartition partition) {
        try {
            return target.listOffsets(Map.of(partition, OffsetSpec.earliest())).partitionResult(partition)
                    .get(10, TimeUnit.SECONDS).offset();
        } catch (final Exception e) {
            return -1;
        }
    }

    @Test
    void misspelledOverrideIsRejected() {
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(null, Map.of("offsets.topic.replicaton.factor", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offsets.topic.replicaton.factor");
    }

    private static List<String> readAll(final EmbeddedKafkaBroker target, final String topic, final int expected)
            throws Exception {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(target, null, "read_committed");
             Admin targetAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     target.bootstrapServers()))) {
            final int partitions = targetAdmin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            final List<TopicPartition> assignment = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                assignment.add(new TopicPartition(topic, p));
            }
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            waitUntil(BOUND, () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                return values.size() >= expected;
            }, () -> expected + " records on " + topic + " at " + target.bootstrapServers() + ", got " + values);
        }
        return values;
    }

    private static void produce(final EmbeddedKafkaBroker target, final String topic, final int count) {
        final Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(final EmbeddedKafkaBroker target,
                                                                       final String transactionalId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId),
                new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(final EmbeddedKafkaBroker target, final String group,
                                                          final String isolation) {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }
}
