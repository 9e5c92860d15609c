package io.divergent.runtime;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.PlayEvent;
import io.divergent.config.DivergentConfig;
import io.divergent.serde.AvroSerdes;
import io.divergent.testing.ApicurioRegistry;
import io.divergent.testing.KafkaProbes;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import io.divergent.testing.Waits;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry goes down while Divergent runs (a real Apicurio Registry with its schemas in a
 * file, stopped and started again on the same port). Records of schemas the app has seen keep
 * being counted and closed windows keep being written; a record of a schema it has not seen
 * waits (its task retries from its last commit, with backoff, counted by
 * {@code registry-unavailable-total}) and is counted once, neither dead-lettered nor doubled,
 * when the registry is back.
 */
class RegistryOutageIT {

    private static final long S = 1_000;

    @Test
    void cachedSchemasKeepProcessingAndANewSchemaWaitsForTheRegistry(@TempDir final Path dir) throws Exception {
        final Path storage = Files.createDirectories(dir.resolve("registry"));
        ApicurioRegistry registry = ApicurioRegistry.startPersistent(storage);
        try {
            final String input = SharedBroker.uniqueName("plays");
            final Map<String, String> keys = RunKeys.base("outage", SharedBroker.bootstrapServers(),
                    registry.ccompatUrl(), Files.createDirectories(dir.resolve("state")));
            keys.put("schema.registry.retries", "1");
            // One stream thread: the outage does not depend on it, and a second thread's join is a
            // rebalance more at each start (CrashRecoveryIT and FailoverIT run the default).
            keys.put("kafka.num.stream.threads", "1");
            RunKeys.monitor(keys, "genres", input, "avro", "genre", "60s");
            final DivergentConfig config = DivergentConfig.fromMap(keys);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(input, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }

            // The producer's registry client must not be the app's: clients with equal settings share
            // one cache per JVM, and the app would know version 2 from it. Another timeout makes another client.
            final Map<String, Object> producerSerde = new HashMap<>(config.serdeProperties());
            producerSerde.put("schema.registry.request.timeout.ms", "29000");
            // Version 2 of the input schema, registered now; the app meets it only during the outage.
            final Schema v2 = withField(PlayEvent.getClassSchema(), "session_id");
            final GenericRecord comedyV2 = new GenericData.Record(v2);
            comedyV2.put("user_id", "u");
            comedyV2.put("genre", "comedy");
            comedyV2.put("session_id", "s-1");
            final byte[] v2Bytes;
            try (var serializer = AvroSerdes.generic(producerSerde, false).serializer()) {
                v2Bytes = serializer.serialize(input, comedyV2);
            }
            final byte[] drama;
            try (var serializer = AvroSerdes.specific(PlayEvent.class, producerSerde, false).serializer()) {
                drama = serializer.serialize(input, PlayEvent.newBuilder().setUserId("u").setGenre("drama").build());
            }

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer());
                 DivergentApp app = DivergentApp.start(config);
                 KafkaConsumer<String, DivergenceEvent> events = eventConsumer(config)) {
                for (int i = 1; i <= 5; i++) {
                    send(producer, input, i * S, drama);                // [0, 60s) drama x5: schema v1 now cached
                }
                Waits.waitUntil(Duration.ofSeconds(90), () -> lagOf(config, input) == 0,
                        () -> "lag of " + input + " is " + lagOf(config, input) + ", app " + app.streams().state());

                registry.stop();
                send(producer, input, 20 * S, drama);                   // [0, 60s) drama, registry down
                send(producer, input, 61 * S, drama);                   // [60s, 120s) drama; closes [0, 60s)
                final Map<Long, DivergenceEvent> written = new TreeMap<>();
                awaitEvents(events, written, 1);
                assertThat(written.get(0L).getObservedTotal()).as("written while the registry is down").isEqualTo(6L);

                send(producer, input, 70 * S, v2Bytes);                 // [60s, 120s) comedy, schema v2: waits
                send(producer, input, 80 * S, drama);                   // [60s, 120s) drama, behind it
                Waits.waitUntil(Duration.ofSeconds(90), () -> registryRetries(app) >= 3,
                        () -> "registry-unavailable-total is " + registryRetries(app) + ", app " + app.streams().state());
                assertThat(app.streams().state()).as("the app waits, it does not stop")
                        .isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);

                registry = registry.restart();
                send(producer, input, 121 * S, drama);                  // closes [60s, 120s)
                try {
                    awaitEvents(events, written, 2);
                } catch (final AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; threads " + app.streams().metadataForLocalThreads()
                            + "; lag " + lagOf(config, input), e);
                }
                final DivergenceEvent second = written.get(60_000L);
                assertThat(second.getObservedTotal()).as("drama x2 and the v2 comedy, each once").isEqualTo(3L);
                assertThat(second.getDistinctCategories()).as("comedy and drama").isEqualTo(2);
                assertThat(deadLetters(config)).as("nothing was dead-lettered").isZero();
            }
        } finally {
            registry.close();
        }
    }

    private static Schema withField(final Schema schema, final String name) {
        final List<Schema.Field> fields = schema.getFields().stream()
                .map(f -> new Schema.Field(f, f.schema())).collect(Collectors.toList());
        fields.add(new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                null, Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static void send(final KafkaProducer<byte[], byte[]> producer, final String topic, final long time,
                             final byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, 0, time, null, value)).get(30, TimeUnit.SECONDS);
    }

    private static long lagOf(final DivergentConfig config, final String input) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            return KafkaProbes.lag(admin, config.applicationId(),
                    List.of(input, config.applicationId() + "-divergent-observation-batches-repartition"));
        }
    }

    private static double registryRetries(final DivergentApp app) {
        return app.streams().metrics().values().stream()
                .filter(m -> m.metricName().name().equals("registry-unavailable-total"))
                .mapToDouble(m -> ((Number) m.metricValue()).doubleValue()).sum();
    }


    private static KafkaConsumer<String, DivergenceEvent> eventConsumer(final DivergentConfig config) {
        // Shares the app's registry client (equal settings), which registered the event schema at
        // startup: the reader can decode events while the registry is down.
        final KafkaConsumer<String, DivergenceEvent> consumer = new KafkaConsumer<>(KafkaProbes.readCommittedConsumer(SharedBroker.bootstrapServers()), new StringDeserializer(),
                AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false).deserializer());
        consumer.subscribe(List.of(config.outputTopic()));
        return consumer;
    }

    private static void awaitEvents(final KafkaConsumer<String, DivergenceEvent> consumer,
                                    final Map<Long, DivergenceEvent> written, final int expected) {
        Waits.waitUntil(Duration.ofSeconds(120), () -> {
            for (final ConsumerRecord<String, DivergenceEvent> r : consumer.poll(Duration.ofMillis(200))) {
                assertThat(written.put(r.value().getWindowStart().toEpochMilli(), r.value()))
                        .as("one event per window").isNull();
            }
            return written.size() >= expected;
        }, () -> "expected " + expected + " divergence events, got windows " + written.keySet());
    }

    private static int deadLetters(final DivergentConfig config) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaProbes.readCommittedConsumer(SharedBroker.bootstrapServers()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final var partitions = consumer.partitionsFor(config.deadLetterTopic().orElseThrow()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToInt(Long::intValue).sum();
        }
    }
}
