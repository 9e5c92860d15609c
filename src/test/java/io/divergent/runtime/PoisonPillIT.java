package io.divergent.runtime;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.PlayEvent;
import io.divergent.config.DivergentConfig;
import io.divergent.serde.AvroSerdes;
import io.divergent.serde.WireFormat;
import io.divergent.testing.ApicurioRegistry;
import io.divergent.testing.KafkaProbes;
import io.divergent.testing.CommandRun;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import io.divergent.testing.Waits;
import io.divergent.topology.DeadLetter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input and bad settings on real parts: a KRaft broker in this JVM and a real Apicurio
 * Registry. Every poison pill goes to the dead-letter topic with headers naming where it came
 * from and why, is counted by a metric of its kind, and the records around it are counted.
 */
class PoisonPillIT {

    private static final long S = 1_000;

    @Test
    void everyPoisonPillIsDeadLetteredWithItsSourceAndCountedWhileProcessingGoesOn(@TempDir final Path state)
            throws Exception {
        final String plays = SharedBroker.uniqueName("plays");
        final String devices = SharedBroker.uniqueName("devices");
        final Map<String, String> keys = base(state, ApicurioRegistry.shared().ccompatUrl());
        RunKeys.monitor(keys, "genres", plays, "avro", "genre", "60s");
        RunKeys.monitor(keys, "devices", devices, "json", "device", "60s");
        keys.put("monitor.devices.timestamp.field", "ts");
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        createTopics(config, plays, devices);

        final byte[] good;
        final byte[] noGenre;
        try (var serializer = AvroSerdes.specific(PlayEvent.class, config.serdeProperties(), false).serializer()) {
            good = serializer.serialize(plays, PlayEvent.newBuilder().setUserId("u").setGenre("drama").build());
            noGenre = serializer.serialize(plays, PlayEvent.newBuilder().setUserId("u").build());
        }
        final byte[] closer;
        try (var serializer = AvroSerdes.specific(PlayEvent.class, config.serdeProperties(), false).serializer()) {
            closer = serializer.serialize(plays, PlayEvent.newBuilder().setUserId("u").setGenre("comedy").build());
        }
        final byte[] garbage = good.clone();                   // the registered schema id, then bytes no record reads
        for (int i = WireFormat.HEADER_SIZE; i < garbage.length; i++) {
            garbage[i] = (byte) 0xff;
        }
        final byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 2_000_000_000);   // no registry hands out this id here

        final List<ProducerRecord<byte[], byte[]>> input = new ArrayList<>();
        input.add(avro(plays, 1 * S, good));                  // plays@0: [0, 60s) drama
        input.add(avro(plays, 2 * S, garbage));               // plays@1: malformed
        input.add(avro(plays, 3 * S, unknownId));             // plays@2: unknown-schema
        input.add(avro(plays, 4 * S, utf8("drama")));         // plays@3: wrong-magic-byte
        input.add(avro(plays, 5 * S, good));                  // plays@4: [0, 60s) drama
        input.add(avro(plays, 6 * S, noGenre));               // plays@5: missing-category
        input.add(json(devices, "{\"device\":\"ios\",\"ts\":1000}"));              // devices@0: [0, 60s) ios
        input.add(json(devices, "{\"device\":\"ios\",\"ts\":"));                   // devices@1: malformed
        input.add(json(devices, "{\"ts\":1500}"));                                 // devices@2: missing-category
        input.add(json(devices, "{\"device\":\"ios\",\"ts\":99999999999999}"));    // devices@3: future (years ahead)
        input.add(json(devices, "{\"device\":\"web\",\"ts\":-5}"));                // devices@4: invalid-timestamp
        input.add(json(devices, "{\"device\":\"web\",\"ts\":2000}"));              // devices@5: [0, 60s) web
        produce(input);

        try (DivergentApp app = DivergentApp.start(config);
             Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            // Both monitors share stream time (one repartition partition) and the two topics
            // interleave in any order: close the windows only once everything above is processed.
            final List<String> consumed = List.of(plays, devices, config.applicationId() + "-divergent-observation-batches-repartition");
            Waits.waitUntil(Duration.ofSeconds(90), () -> KafkaProbes.lag(admin, config.applicationId(), consumed) == 0,
                    () -> "lag of " + consumed + ": " + KafkaProbes.lag(admin, config.applicationId(), consumed));
            produce(List.of(avro(plays, 61 * S, closer),                                   // plays@6: closes [0, 60s)
                    json(devices, "{\"device\":\"ios\",\"ts\":61000}")));                 // devices@6: closes [0, 60s)

            final Map<String, DivergenceEvent> events = readEvents(config, 2);
            assertThat(events.get("genres@0").getObservedTotal()).as("drama twice around the pills").isEqualTo(2L);
            assertThat(events.get("devices@0").getObservedTotal()).as("ios and web").isEqualTo(2L);

            final Map<String, Map<String, String>> dead = readDeadLetters(config, 8);
            assertThat(dead).containsOnlyKeys(plays + "@1", plays + "@2", plays + "@3", plays + "@5",
                    devices + "@1", devices + "@2", devices + "@3", devices + "@4");
            assertThat(kind(dead, plays + "@1")).isEqualTo("malformed");
            assertThat(kind(dead, plays + "@2")).isEqualTo("unknown-schema");
            assertThat(dead.get(plays + "@2").get(DeadLetter.REASON)).contains("schema id 2000000000");
            assertThat(kind(dead, plays + "@3")).isEqualTo("wrong-magic-byte");
            assertThat(kind(dead, plays + "@5")).isEqualTo("missing-category");
            assertThat(kind(dead, devices + "@1")).isEqualTo("malformed");
            assertThat(dead.get(devices + "@1").get(DeadLetter.REASON)).contains("not valid JSON");
            assertThat(kind(dead, devices + "@2")).isEqualTo("missing-category");
            assertThat(kind(dead, devices + "@3")).isEqualTo("future");
            assertThat(kind(dead, devices + "@4")).isEqualTo("invalid-timestamp");
            assertThat(dead.values()).allSatisfy(h -> assertThat(h.get(DeadLetter.PARTITION)).isEqualTo("0"));

            final Map<String, Double> counted = skippedMetrics(app);
            assertThat(counted).containsEntry("malformed-records-total", 2.0)
                    .containsEntry("unknown-schema-records-total", 1.0)
                    .containsEntry("wrong-magic-byte-records-total", 1.0)
                    .containsEntry("missing-category-records-total", 2.0)
                    .containsEntry("future-records-total", 1.0)
                    .containsEntry("invalid-timestamp-records-total", 1.0);
        }
    }

    /**
     * Issue 11's pills on the real broker, exactly-once: none stops the application (it is
     * restarted after them, and goes on), none is counted, each is dead-lettered once, and a
     * value too large for its dead letter is cut to fit. Also the values of a {@code future} dead
     * letter: series id and category, with the event time in a header.
     */
    @Test
    void pillsThatUsedToStopTheApplicationAreDeadLetteredAndARestartGoesOn(@TempDir final Path state) throws Exception {
        final String devices = SharedBroker.uniqueName("devices");
        final Map<String, String> keys = devicesMonitor(state, devices);
        RunKeys.shortSession(keys);
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        createTopics(config, devices);
        final byte[] huge = new byte[1_048_400];              // fits the input topic, not with the dead letter's headers
        java.util.Arrays.fill(huge, (byte) '{');
        produce(List.of(
                json(devices, "{\"device\":\"ios\",\"ts\":1000}"),                                 // devices@0: [0, 10 s) ios
                json(devices, "[".repeat(1_001) + "]".repeat(1_001)),                                // devices@1: malformed (depth)
                json(devices, "{\"device\":\"ios\",\"ts\":1,\"n\":" + "1".repeat(1_001) + "}"),       // devices@2: malformed (number)
                new ProducerRecord<>(devices, 0, 0L, null, huge),                                    // devices@3: malformed, cut
                json(devices, "{\"device\":\"ios\",\"ts\":18446744073709556616}"),                  // devices@4: invalid-timestamp
                json(devices, "{\"device\":\"ios\",\"ts\":1000} trailing garbage"),                  // devices@5: malformed
                json(devices, "{\"device\":\"tv\",\"ts\":99999999999999}"),                          // devices@6: future
                json(devices, "{\"device\":\"web\",\"ts\":2000}")));                                 // devices@7: [0, 10 s) web
        final List<String> consumed = List.of(devices, config.applicationId() + "-divergent-observation-batches-repartition");
        try (DivergentApp app = DivergentApp.start(config);
             Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            Waits.waitUntil(Duration.ofSeconds(90), () -> KafkaProbes.lag(admin, config.applicationId(), consumed) == 0
                            || !app.streams().state().isRunningOrRebalancing(),
                    () -> "lag of " + consumed + ": " + KafkaProbes.lag(admin, config.applicationId(), consumed));
            assertThat(app.streams().state()).as("still running after the pills").isEqualTo(KafkaStreams.State.RUNNING);
        }
        try (DivergentApp restarted = DivergentApp.start(config);
             Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            produce(List.of(json(devices, "{\"device\":\"ios\",\"ts\":10000}")));                // devices@8: closes [0, 10 s)
            final Map<String, DivergenceEvent> events = readEvents(config, 1);
            assertThat(events.get("devices@0").getObservedTotal()).as("ios and web, no pill").isEqualTo(2L);

            final Map<String, ConsumerRecord<byte[], byte[]>> dead = readDeadLetterRecords(config, 6);
            assertThat(dead).containsOnlyKeys(devices + "@1", devices + "@2", devices + "@3", devices + "@4",
                    devices + "@5", devices + "@6");
            assertThat(header(dead.get(devices + "@1"), DeadLetter.REASON)).contains("nesting depth");
            assertThat(header(dead.get(devices + "@2"), DeadLetter.KIND)).isEqualTo("malformed");
            final ConsumerRecord<byte[], byte[]> cut = dead.get(devices + "@3");
            assertThat(header(cut, DeadLetter.KIND)).isEqualTo("malformed");
            assertThat(header(cut, DeadLetter.TRUNCATED)).isEqualTo("value");
            assertThat(header(cut, DeadLetter.ORIGINAL_SIZE)).isEqualTo("1048400");
            assertThat(cut.value()).hasSizeLessThan(huge.length).hasSizeGreaterThan(1_000_000);
            assertThat(header(dead.get(devices + "@4"), DeadLetter.KIND)).isEqualTo("invalid-timestamp");
            assertThat(header(dead.get(devices + "@5"), DeadLetter.REASON)).contains("'trailing'");
            assertThat(dead.get(devices + "@5").value()).asString(StandardCharsets.UTF_8)
                    .isEqualTo("{\"device\":\"ios\",\"ts\":1000} trailing garbage");
            final ConsumerRecord<byte[], byte[]> future = dead.get(devices + "@6");
            assertThat(header(future, DeadLetter.KIND)).isEqualTo("future");
            assertThat(future.key()).asString(StandardCharsets.UTF_8).isEqualTo("devices");
            assertThat(future.value()).asString(StandardCharsets.UTF_8).isEqualTo("tv");
            assertThat(header(future, DeadLetter.EVENT_TIME)).isEqualTo("99999999999999");
            assertThat(header(future, DeadLetter.TIMESTAMP)).as("the source record's timestamp").isEqualTo("0");
            assertThat(restarted.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    /**
     * A record the cluster refuses (here: a dead-letter topic whose max.message.bytes is below the
     * producer's limit) stops the application with an error naming the input record it came from,
     * not whichever record was in hand when Kafka Streams noticed.
     */
    @Test
    void aWriteTheClusterRefusesNamesTheInputRecordItCameFrom(@TempDir final Path state) throws Exception {
        final String devices = SharedBroker.uniqueName("devices");
        final Map<String, String> keys = devicesMonitor(state, devices);
        // The failure can come while the other stream thread still joins the group: Kafka Streams
        // closes the failed thread's consumer without leaving, and the stop waits for its session
        // to expire (45 s by default; CI measured the test at 46 s).
        RunKeys.shortSession(keys);
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        createTopics(config, devices);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(config.deadLetterTopic().orElseThrow(), 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "300")))).all().get(30, TimeUnit.SECONDS);
        }
        final List<ProducerRecord<byte[], byte[]>> input = new ArrayList<>();
        input.add(json(devices, "{\"device\":\"ios\",\"ts\":1000}"));                           // devices@0: counted
        // devices@1: malformed, a 2 KB dead letter of random letters: incompressible, so that the
        // producer's zstd (Divergent's default) cannot bring it under the topic's 300 bytes.
        final java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        final StringBuilder noise = new StringBuilder("{");
        for (int i = 0; i < 2_000; i++) {
            noise.append((char) ('a' + random.nextInt(26)));
        }
        input.add(json(devices, noise.toString()));
        for (int i = 0; i < 20; i++) {
            input.add(json(devices, "{\"device\":\"ios\",\"ts\":" + (1000 + i) + "}"));          // devices@2..21: counted
        }
        produce(input);
        try (DivergentApp app = DivergentApp.start(config)) {
            assertThat(app.awaitStop(Duration.ofSeconds(90))).as("stopped").isTrue();
            assertThat(app.awaitStop()).isNotNull().hasMessageContaining("the malformed dead letter of the input record at " + devices + "-0@1")
                    .hasMessageContaining(config.deadLetterTopic().orElseThrow());
        }
    }

    @Test
    void aMissingInputTopicStopsRunWithExitCodeTwoNamingTheKey(@TempDir final Path state) throws Exception {
        final String missing = SharedBroker.uniqueName("no-such-topic");
        final Path file = state.resolve("divergent.properties");
        final Map<String, String> keys = base(state, "mock://" + SharedBroker.uniqueName("scope"));
        RunKeys.monitor(keys, "genres", missing, "json", "genre", "60s");
        writeProperties(file, keys);

        final CommandRun cli = new CommandRun();
        final int code = cli.run("run", "--config", file.toString());
        assertThat(code).as(cli.err()).isEqualTo(2);
        assertThat(cli.err().lines().toList()).containsExactly("error: invalid value '" + missing
                + "' for 'monitor.genres.input.topic': the input topic of monitor(s) genres must exist on "
                + SharedBroker.bootstrapServers() + ": create it, or name an existing topic");
    }

    @Test
    void aRegistryDownAtStartupIsRetriedThenOneLineNamingItsUrl(@TempDir final Path state) throws Exception {
        final String plays = SharedBroker.uniqueName("plays");
        final String url = "http://127.0.0.1:" + closedPort();
        final Path file = state.resolve("divergent.properties");
        final Map<String, String> keys = base(state, url);
        keys.put("schema.registry.retries", "2");
        RunKeys.monitor(keys, "genres", plays, "avro", "genre", "60s");
        writeProperties(file, keys);
        createTopics(DivergentConfig.fromMap(keys), plays);

        final CommandRun cli = new CommandRun();
        final int code = cli.run("run", "--config", file.toString());
        assertThat(code).as(cli.err()).isEqualTo(1);
        final List<String> lines = cli.err().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("error: cannot start: cannot register schema io.divergent.avro.DivergenceEvent")
                .contains(url).contains("failed after 3 attempt(s)");
    }

    /** A JSON monitor {@code devices} on topic {@code devices}, event time from {@code ts}, 10 s windows, a mock registry. */
    private static Map<String, String> devicesMonitor(final Path state, final String devices) {
        final Map<String, String> keys = base(state, "mock://" + SharedBroker.uniqueName("scope"));
        RunKeys.monitor(keys, "devices", devices, "json", "device", "10s");
        keys.put("monitor.devices.timestamp.field", "ts");
        return keys;
    }

    private static Map<String, String> base(final Path state, final String registryUrl) {
        return RunKeys.base("faults", SharedBroker.bootstrapServers(), registryUrl, state);
    }


    private static void writeProperties(final Path file, final Map<String, String> keys) throws Exception {
        final StringBuilder text = new StringBuilder();
        keys.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text);
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void createTopics(final DivergentConfig config, final String... inputs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            final List<NewTopic> topics = new ArrayList<>();
            for (final String input : inputs) {
                topics.add(new NewTopic(input, 1, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static ProducerRecord<byte[], byte[]> avro(final String topic, final long time, final byte[] value) {
        return new ProducerRecord<>(topic, 0, time, null, value);
    }

    private static ProducerRecord<byte[], byte[]> json(final String topic, final String value) {
        // Event time comes from the "ts" field; the record timestamp is irrelevant.
        return new ProducerRecord<>(topic, 0, 0L, null, utf8(value));
    }

    private static byte[] utf8(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void produce(final List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (final ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r).get(30, TimeUnit.SECONDS);
            }
        }
    }


    /** Divergence events by {@code series@windowStart}. */
    private static Map<String, DivergenceEvent> readEvents(final DivergentConfig config, final int expected) {
        final Map<String, DivergenceEvent> events = new TreeMap<>();
        try (KafkaConsumer<String, DivergenceEvent> consumer = new KafkaConsumer<>(KafkaProbes.readCommittedConsumer(SharedBroker.bootstrapServers()), new StringDeserializer(),
                AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false).deserializer())) {
            consumer.subscribe(List.of(config.outputTopic()));
            Waits.waitUntil(Duration.ofSeconds(90), () -> {
                for (final ConsumerRecord<String, DivergenceEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    events.put(r.key() + "@" + r.value().getWindowStart().toEpochMilli(), r.value());
                }
                return events.size() >= expected;
            }, () -> "expected " + expected + " divergence events, got " + events.keySet());
        }
        return events;
    }

    /** Dead letters by {@code sourceTopic@sourceOffset}: their Divergent headers. */
    private static Map<String, Map<String, String>> readDeadLetters(final DivergentConfig config, final int expected) {
        final Map<String, Map<String, String>> dead = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaProbes.readCommittedConsumer(SharedBroker.bootstrapServers()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.deadLetterTopic().orElseThrow()));
            Waits.waitUntil(Duration.ofSeconds(60), () -> {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final Map<String, String> headers = new TreeMap<>();
                    for (final Header h : r.headers()) {
                        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                    }
                    dead.put(headers.get(DeadLetter.TOPIC) + "@" + headers.get(DeadLetter.OFFSET), headers);
                }
                return dead.size() >= expected;
            }, () -> "expected " + expected + " dead letters, got " + dead.keySet());
        }
        return dead;
    }

    /** Dead-letter records by {@code sourceTopic@sourceOffset}. */
    private static Map<String, ConsumerRecord<byte[], byte[]>> readDeadLetterRecords(final DivergentConfig config,
                                                                                      final int expected) {
        final Map<String, ConsumerRecord<byte[], byte[]>> dead = new TreeMap<>();
        final Map<String, Object> props = new java.util.HashMap<>(KafkaProbes.readCommittedConsumer(SharedBroker.bootstrapServers()));
        props.put("max.partition.fetch.bytes", 4 << 20);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.deadLetterTopic().orElseThrow()));
            Waits.waitUntil(Duration.ofSeconds(60), () -> {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final String source = header(r, DeadLetter.TOPIC) + "@" + header(r, DeadLetter.OFFSET);
                    assertThat(dead.put(source, r)).as("one dead letter for " + source).isNull();
                }
                return dead.size() >= expected;
            }, () -> "expected " + expected + " dead letters, got " + dead.keySet());
        }
        return dead;
    }

    private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
        final Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String kind(final Map<String, Map<String, String>> dead, final String source) {
        return dead.get(source).get(DeadLetter.KIND);
    }

    /** Divergent's skipped-record counters, summed over monitors and threads. */
    private static Map<String, Double> skippedMetrics(final DivergentApp app) {
        final Map<String, Double> totals = new TreeMap<>();
        for (final Metric metric : app.streams().metrics().values()) {
            if ("divergent-metrics".equals(metric.metricName().group()) && metric.metricName().name().endsWith("-records-total")) {
                totals.merge(metric.metricName().name(), ((Number) metric.metricValue()).doubleValue(), Double::sum);
            }
        }
        return totals;
    }
}
