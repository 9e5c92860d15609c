package io.divergent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.config.DivergentConfig;
import io.divergent.local.EmbeddedKafkaBroker;
import io.divergent.local.Replayer;
import io.divergent.serde.AvroSerdes;
import io.divergent.testing.DivergenceEvents;
import io.divergent.testing.KafkaProbes;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker stops and starts again (same ports, same data) while Divergent runs with
 * exactly-once: the app reconnects by itself, and the events it writes are exactly those of
 * {@code replay} over the same input, none lost and none doubled.
 */
class BrokerRestartIT {

    private static final long S = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] DEVICES = {"ios", "android", "web", "tv"};

    @Test
    void theAppRidesOutABrokerRestartWithoutLosingOrDoublingEvents(@TempDir final Path state) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            final String input = SharedBroker.uniqueName("devices");
            final Map<String, String> keys = RunKeys.base("restart", broker.bootstrapServers(),
                    "mock://" + SharedBroker.uniqueName("restart"), state);
            keys.put("reference.format", "json");
            keys.put("partitions", "2");
            keys.put("max.future", "0");
            RunKeys.monitor(keys, "devices", input, "json", "device", "10s");
            keys.put("monitor.devices.segment.fields", "country");
            // Windows close only at the closers, after everything else was processed: arrival
            // order across partitions (and across the restart) cannot make a record late.
            keys.put("monitor.devices.window.grace", "1h");
            final DivergentConfig config = DivergentConfig.fromMap(keys);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(input, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }

            final List<String> lines = new ArrayList<>();
            final List<ProducerRecord<String, String>> before = traffic(input, 0, 3, lines);   // windows [0, 30s)
            final List<ProducerRecord<String, String>> after = traffic(input, 3, 6, lines);    // windows [30s, 60s)
            final List<ProducerRecord<String, String>> closers = new ArrayList<>();
            for (final String country : List.of("DE", "US")) {
                final String value = "{\"device\":\"ios\",\"country\":\"" + country + "\"}";
                // On both partitions: a window task closes by the least event time of the input partitions.
                for (int p = 0; p < 2; p++) {
                    closers.add(new ProducerRecord<>(input, p, 60 * S + 3_600 * S, "closer-" + country, value)); // closes all six
                    lines.add(line(60 * S + 3_600 * S, "closer-" + country, value));
                }
            }

            try (DivergentApp app = DivergentApp.start(config)) {
                produce(broker, before);
                awaitLagZero(broker, config, input);

                broker.restart();

                produce(broker, after);
                awaitLagZero(broker, config, input);
                produce(broker, closers);

                final Map<String, List<ObjectNode>> live = DivergenceEvents.readCommitted(broker.bootstrapServers(),
                        config.outputTopic(), AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false)
                                .deserializer(), 12, Duration.ofSeconds(90));
                final Map<String, ObjectNode> replayed = new TreeMap<>();
                Replayer.replay(config, lines, "restart-events", List.of(), "restart-references", null).events()
                        .forEach(e -> replayed.put(e.get("series_id").asText() + "@" + e.get("window_start").asLong(), e));
                assertThat(replayed).hasSize(12);
                assertThat(live.keySet()).isEqualTo(replayed.keySet());
                for (final String key : replayed.keySet()) {
                    assertThat(live.get(key)).as("event %s: once, field by field", key).containsExactly(replayed.get(key));
                }
                assertThat(app.streams().state().isRunningOrRebalancing()).isTrue();
            }
        }
    }

    /** 40 events per country and window, windows {@code from} (inclusive) to {@code to}. */
    private static List<ProducerRecord<String, String>> traffic(final String topic, final int from, final int to,
                                                                final List<String> lines) throws Exception {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int w = from; w < to; w++) {
            for (int i = 0; i < 40; i++) {
                for (final String country : List.of("DE", "US")) {
                    final long time = w * 10 * S + i * 200L;
                    final String key = "user-" + (i % 7);
                    final String value = "{\"device\":\"" + DEVICES[(i * 3 + w) % (country.equals("DE") ? 4 : 3)]
                            + "\",\"country\":\"" + country + "\"}";
                    records.add(new ProducerRecord<>(topic, null, time, key, value));
                    lines.add(line(time, key, value));
                }
            }
        }
        return records;
    }

    private static String line(final long time, final String key, final String value) throws Exception {
        return JSON.writeValueAsString(Map.of("timestamp", time, "key", key, "value", JSON.readTree(value)));
    }

    private static void produce(final EmbeddedKafkaBroker broker, final List<ProducerRecord<String, String>> records)
            throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (final ProducerRecord<String, String> r : records) {
                producer.send(r);
            }
            producer.flush();
        }
    }

    private static void awaitLagZero(final EmbeddedKafkaBroker broker, final DivergentConfig config, final String input) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            KafkaProbes.awaitCaughtUp(admin, config, input, Duration.ofSeconds(120));
        }
    }
}
