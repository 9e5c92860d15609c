package io.divergent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.PlayEvent;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.DivergentConfig;
import io.divergent.local.Replayer;
import io.divergent.serde.AvroSerdes;
import io.divergent.testing.ApicurioRegistry;
import io.divergent.testing.DivergenceEvents;
import io.divergent.testing.KafkaProbes;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import io.divergent.testing.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole product on real parts: a KRaft broker in this JVM, a real Apicurio Registry
 * (Confluent-compatible API), Avro events produced with our serde over a 2-partition topic, the
 * app as {@code run} starts it, and the divergence events read back with our deserializer. They
 * must equal, field by field, what {@code replay} emits for the same input.
 */
class EndToEndIT {

    private static final long S = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] GENRES = {"action", "comedy", "drama", "horror", "documentary"};

    @Test
    void realBrokerAndRegistryEmitExactlyWhatReplayEmits() throws Exception {
        final String registryUrl = ApicurioRegistry.shared().ccompatUrl();
        final String input = SharedBroker.uniqueName("plays");
        final Map<String, String> keys = RunKeys.base("e2e", SharedBroker.bootstrapServers(), registryUrl,
                Files.createTempDirectory("divergent-e2e"));
        keys.put("partitions", "2");
        keys.put("max.future", "0");
        RunKeys.monitor(keys, "genres", input, "avro", "genre", "10s");
        keys.put("monitor.genres.segment.fields", "country");
        // A grace of an hour: windows close only when the closing records below arrive, after
        // every event was processed, so arrival order across partitions cannot make one late.
        keys.put("monitor.genres.window.grace", "1h");
        keys.put("monitor.genres.alert.js_distance.warning", "0.1");
        final DivergentConfig config = DivergentConfig.fromMap(keys);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            // The input, and the reference topic, published to before the app starts (auto-creation is off).
            admin.createTopics(List.of(new NewTopic(input, 2, (short) 1),
                    new NewTopic(config.referenceTopic(), 2, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        }

        // Traffic: 3 windows x 2 countries x 60 events; DE drifts in the third window.
        final List<String> referenceLines = new ArrayList<>();
        final List<String> eventLines = new ArrayList<>();
        final List<ProducerRecord<String, Object>> records = new ArrayList<>();
        for (final String country : List.of("DE", "US")) {
            final Map<String, Double> weights = Map.of("action", 4.0, "comedy", 3.0, "drama", 2.0, "horror", 1.0);
            referenceLines.add(JSON.writeValueAsString(Map.of("timestamp", 0, "key", "genres|country=" + country,
                    "value", Map.of("weights", weights, "source", "e2e"))));
            records.add(new ProducerRecord<>(config.referenceTopic(), null, 0L, "genres|country=" + country,
                    new ReferenceDistribution(weights, "e2e", io.divergent.avro.WeightsKind.FIXED)));
        }
        final List<ProducerRecord<String, Object>> events = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < 60; i++) {
                for (final String country : List.of("DE", "US")) {
                    final int g = (i * 7 + w) % (w == 2 && country.equals("DE") ? 5 : 4);
                    final long time = w * 10 * S + i * 100L;
                    final String user = "user-" + (i % 13);
                    final PlayEvent event = PlayEvent.newBuilder().setUserId(user).setGenre(GENRES[g]).setCountry(country).build();
                    events.add(new ProducerRecord<>(input, null, time, user, event));
                    eventLines.add(JSON.writeValueAsString(Map.of("timestamp", time, "key", user,
                            "value", Map.of("user_id", user, "genre", GENRES[g], "country", country))));
                }
            }
        }
        // Far ahead of every window end + grace: closes the three windows of each series, and the
        // fourth, [30 s, 40 s), where both are silent: a no-data event each (issue 15).
        final long closeAt = 30 * S + 3_600 * S + 10 * S;
        final List<ProducerRecord<String, Object>> closers = new ArrayList<>();
        // On both partitions: a window task closes by the least event time of the input partitions.
        for (final String country : List.of("DE", "US")) {
            final PlayEvent closer = PlayEvent.newBuilder().setUserId("closer").setGenre("action").setCountry(country).build();
            for (int p = 0; p < 2; p++) {
                closers.add(new ProducerRecord<>(input, p, closeAt, "closer-" + country, closer));
                eventLines.add(JSON.writeValueAsString(Map.of("timestamp", closeAt, "key", "closer-" + country,
                        "value", Map.of("user_id", "closer", "genre", "action", "country", country))));
            }
        }

        final Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers());
        @SuppressWarnings({"unchecked", "rawtypes"})
        final KafkaProducer<String, Object> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                (org.apache.kafka.common.serialization.Serializer) AvroSerdes.generic(config.serdeProperties(), false).serializer());
        final Map<String, Object> referenceProps = new HashMap<>(producerProps);
        try (producer;
             KafkaProducer<String, ReferenceDistribution> references = new KafkaProducer<>(referenceProps, new StringSerializer(),
                     AvroSerdes.specific(ReferenceDistribution.class, config.serdeProperties(), false).serializer())) {
            for (final ProducerRecord<String, Object> r : records) {
                references.send(new ProducerRecord<>(r.topic(), null, r.timestamp(), r.key(), (ReferenceDistribution) r.value())).get();
            }
            for (final ProducerRecord<String, Object> r : events) {
                producer.send(r);
            }
            producer.flush();

            try (DivergentApp app = DivergentApp.start(config);
                 Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
                // The reference topic is read by the global store, which commits no offsets.
                final List<String> consumed = List.of(input, config.applicationId() + "-divergent-observation-batches-repartition");
                Waits.waitUntil(Duration.ofSeconds(90), () -> KafkaProbes.lag(admin, config.applicationId(), consumed) == 0,
                        () -> "consumer lag of " + config.applicationId() + " on " + consumed + " is "
                                + KafkaProbes.lag(admin, config.applicationId(), consumed) + ", app state " + app.streams().state());
                // The observations crossed the repartition in batches (issue 16): far fewer records than observations.
                final double batches = recordsConsumed(app, consumed.get(1));
                assertThat(batches).as("batch records the window tasks read for %d observations", events.size())
                        .isPositive().isLessThan(events.size() / 4.0);
                for (final ProducerRecord<String, Object> r : closers) {
                    producer.send(r);
                }
                producer.flush();

                final Map<String, List<ObjectNode>> live = DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(),
                        config.outputTopic(), AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false)
                                .deserializer(), 8, Duration.ofSeconds(60));
                final Replayer.Result replay = Replayer.replay(config, eventLines, "e2e-events", referenceLines, "e2e-references", null);
                final Map<String, ObjectNode> replayed = new TreeMap<>();
                replay.events().forEach(e -> replayed.put(e.get("series_id").asText() + "@" + e.get("window_start").asLong(), e));

                assertThat(replayed).hasSize(8);
                assertThat(replayed.get("genres|country=DE@30000").get("no_data").asBoolean()).isTrue();
                assertThat(live.keySet()).isEqualTo(replayed.keySet());
                for (final String key : replayed.keySet()) {
                    assertThat(live.get(key)).as("event %s: once, field by field", key).containsExactly(replayed.get(key));
                }
                assertThat(live.get("genres|country=DE@20000").get(0).get("kl_infinite").asBoolean())
                        .as("documentary appears in DE's third window").isTrue();
                assertThat(live.get("genres|country=US@20000").get(0).get("has_reference").asBoolean()).isTrue();
            }
        }
    }

    /** What the application's consumers read of a topic, from Kafka's consumer metric {@code records-consumed-total}. */
    private static double recordsConsumed(final DivergentApp app, final String topic) {
        return app.streams().metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("records-consumed-total")
                        && e.getKey().group().equals("consumer-fetch-manager-metrics")
                        && topic.equals(e.getKey().tags().get("topic")))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }
}
