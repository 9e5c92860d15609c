package io.divergent.reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.DivergentConfig;
import io.divergent.runtime.DivergentApp;
import io.divergent.serde.AvroSerdes;
import io.divergent.serde.ReferenceJson;
import io.divergent.testing.ApicurioRegistry;
import io.divergent.testing.CommandRun;
import io.divergent.testing.KafkaProbes;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import io.divergent.testing.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

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
 * {@code divergent reference} on a real KRaft broker and a real Apicurio registry: what it
 * publishes reads back as the references {@code run} decodes (Avro and JSON), and, following the
 * README's first-alert walkthrough with its own files, {@code run} raises an alert once the
 * traffic drifts from a reference this command published.
 */
class ReferenceCommandIT {

    private static final Path WALKTHROUGH = Path.of("examples/first-alert");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Keys for a test of its own on the shared broker and registry, as {@code --set} arguments. */
    private static List<String> setArgs(final Map<String, String> keys) {
        final List<String> args = new ArrayList<>();
        keys.forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        return args;
    }

    private static Map<String, String> keys(final String prefix, final String input) throws Exception {
        final Map<String, String> keys = RunKeys.base(prefix, SharedBroker.bootstrapServers(),
                ApicurioRegistry.shared().ccompatUrl(), Files.createTempDirectory("divergent-" + prefix));
        keys.put("monitor.genres.input.topic", input);
        return keys;
    }

    private static Map<String, ConsumerRecord<String, byte[]>> readAll(final String topic, final int expected) {
        final Map<String, Object> props = KafkaProbes.readCommittedConsumer(SharedBroker.bootstrapServers());
        final Map<String, ConsumerRecord<String, byte[]>> records = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Waits.waitUntil(Duration.ofSeconds(30), () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> records.put(r.key(), r));
                return records.size() >= expected;
            }, () -> "expected " + expected + " records on " + topic + ", read " + records.keySet());
        }
        return records;
    }

    @Test
    void avroReferencesReadBackPerSeries() throws Exception {
        final Map<String, String> keys = keys("ref-avro", "plays");
        keys.put("monitor.genres.segment.fields", "country");
        final CommandRun run = new CommandRun();
        final List<String> args = new ArrayList<>(List.of("reference", "--config",
                WALKTHROUGH.resolve("divergent.properties").toString(), "--file",
                WALKTHROUGH.resolve("plays-baseline.csv").toString(), "--timestamp", "2026-01-01T00:00:00Z",
                "--source", "baseline"));
        args.addAll(setArgs(keys));

        assertThat(run.run(args.toArray(String[]::new))).as(run.err()).isZero();

        final DivergentConfig config = DivergentConfig.load(WALKTHROUGH.resolve("divergent.properties"), Map.of(), keys);
        final Map<String, ConsumerRecord<String, byte[]>> read = readAll(config.referenceTopic(), 2);
        assertThat(read.keySet()).containsExactly("genres|country=DE", "genres|country=US");
        final Deserializer<ReferenceDistribution> avro = AvroSerdes.specific(ReferenceDistribution.class,
                Map.of("schema.registry.url", config.schemaRegistryUrl()), false).deserializer();
        // plays-baseline.csv alternates DE, US over 8 rock, 6 jazz, 4 pop, 2 classical.
        final ReferenceDistribution de = avro.deserialize(config.referenceTopic(), read.get("genres|country=DE").value());
        assertThat(weights(de)).isEqualTo(Map.of("rock", 4.0, "jazz", 3.0, "pop", 2.0, "classical", 1.0));
        assertThat(de.getSource()).isEqualTo("baseline");
        assertThat(de.getWeightsKind()).as("counts of records are a sample").isEqualTo(io.divergent.avro.WeightsKind.SAMPLE);
        assertThat(read.get("genres|country=DE").timestamp()).isEqualTo(1_767_225_600_000L);
        assertThat(run.out()).contains("published 2 reference(s) to '" + config.referenceTopic() + "' (avro");
    }

    private static Map<String, Double> weights(final ReferenceDistribution reference) {
        final Map<String, Double> weights = new TreeMap<>();
        reference.getWeights().forEach((k, v) -> weights.put(k.toString(), v));
        return weights;
    }

    @Test
    void jsonReferencesReadBackAsTheTopologyParsesThem() throws Exception {
        final Map<String, String> keys = keys("ref-json", "plays");
        keys.put("reference.format", "json");
        final CommandRun run = new CommandRun();
        final List<String> args = new ArrayList<>(List.of("reference", "--config",
                WALKTHROUGH.resolve("divergent.properties").toString(), "--file",
                WALKTHROUGH.resolve("plays-drifted.jsonl").toString()));
        args.addAll(setArgs(keys));

        assertThat(run.run(args.toArray(String[]::new))).as(run.err()).isZero();

        final DivergentConfig config = DivergentConfig.load(WALKTHROUGH.resolve("divergent.properties"), Map.of(), keys);
        final ConsumerRecord<String, byte[]> record = readAll(config.referenceTopic(), 1).get("genres");
        final var node = JSON.readTree(record.value());
        assertThat(ReferenceJson.weights(node)).isEqualTo(Map.of("metal", 10.0, "pop", 6.0, "rock", 4.0));
        assertThat(ReferenceJson.weightsKind(node)).isEqualTo(io.divergent.avro.WeightsKind.SAMPLE);
        assertThat(ReferenceJson.source(node)).isEqualTo("divergent reference: 20 records of "
                + WALKTHROUGH.resolve("plays-drifted.jsonl"));
    }

    @Test
    void runAlertsOnceTrafficDriftsFromAPublishedReference() throws Exception {
        final String input = SharedBroker.uniqueName("plays");
        final Map<String, String> keys = keys("first-alert", input);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // The walkthrough's steps: publish the reference (applied to all history here, as the
        // plays below are timestamped near 1970), run, send the drifted plays, then one play
        // after the window's end to close it.
        final CommandRun reference = new CommandRun();
        final List<String> args = new ArrayList<>(List.of("reference", "--config",
                WALKTHROUGH.resolve("divergent.properties").toString(), "--file",
                WALKTHROUGH.resolve("plays-baseline.csv").toString(), "--timestamp", "0"));
        args.addAll(setArgs(keys));
        assertThat(reference.run(args.toArray(String[]::new))).as(reference.err()).isZero();

        final DivergentConfig config = DivergentConfig.load(WALKTHROUGH.resolve("divergent.properties"), Map.of(), keys);
        final List<String> plays = Files.readAllLines(WALKTHROUGH.resolve("plays-drifted.jsonl"));
        try (DivergentApp app = DivergentApp.start(config);
             KafkaProducer<String, String> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", SharedBroker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            // The reference published before the start is in force before the traffic: the global
            // reference store is filled before any task processes a record.
            for (int i = 0; i < plays.size(); i++) {
                producer.send(new ProducerRecord<>(input, null, 1_000L + i, null, plays.get(i)));   // window [0, 10 s)
            }
            producer.send(new ProducerRecord<>(input, null, 10_000L, null, "{\"genre\": \"rock\"}"));  // closes [0, 10 s)
            producer.flush();

            final Deserializer<DriftAlert> alerts = AvroSerdes.specific(DriftAlert.class,
                    Map.of("schema.registry.url", config.schemaRegistryUrl()), false).deserializer();
            final ConsumerRecord<String, byte[]> alert = readAll(config.alertsTopic(), 1).get("genres");
            final DriftAlert drift = alerts.deserialize(config.alertsTopic(), alert.value());
            assertThat(drift.getMeasure().toString()).isEqualTo("js_distance");
            assertThat(drift.getWindowStart().toEpochMilli()).isZero();
            assertThat(drift.getObservedTotal()).isEqualTo(20L);
            assertThat(drift.getValue()).isGreaterThan(0.1);
            assertThat(app.streams().state().isRunningOrRebalancing()).isTrue();
        }
    }

    @Test
    void fromTopicCountsOnlyTheTimeRange() throws Exception {
        final String input = SharedBroker.uniqueName("plays");
        final Map<String, String> keys = keys("ref-topic", input);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", SharedBroker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(input, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(input, 0, 500L, null, "{\"genre\": \"early\"}"));     // before --from
            producer.send(new ProducerRecord<>(input, 0, 1_000L, null, "{\"genre\": \"rock\"}"));    // in range
            producer.send(new ProducerRecord<>(input, 1, 1_500L, null, "{\"genre\": \"jazz\"}"));    // in range
            producer.send(new ProducerRecord<>(input, 1, 1_600L, null, "not json"));                 // in range, skipped
            producer.send(new ProducerRecord<>(input, 1, 2_000L, null, "{\"genre\": \"late\"}"));    // at --to: excluded
            producer.flush();
        }
        final CommandRun run = new CommandRun();
        final List<String> args = new ArrayList<>(List.of("reference", "--config",
                WALKTHROUGH.resolve("divergent.properties").toString(), "--from-topic", "--from", "1000",
                "--to", "1970-01-01T00:00:02Z", "--dry-run"));
        args.addAll(setArgs(keys));

        assertThat(run.run(args.toArray(String[]::new))).as(run.err()).isZero();
        assertThat(run.out()).startsWith("skipped 1 record(s): malformed: not valid JSON")
                .contains("genres: total 2, 2 categories; top: jazz=1 (50.0%) rock=1 (50.0%)")
                .contains("dry run: would publish 1 reference(s)");
    }
}
