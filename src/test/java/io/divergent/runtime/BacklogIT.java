package io.divergent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.config.DivergentConfig;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backlog read at different paces across the input partitions, with no grace (issue 16,
 * sixteenth pass): two of three partitions are read to their end before the third's records,
 * of the same event time, are even written. A window task closes by the least event time of the
 * partitions still sending ({@code InputWatermark}), and {@code run} knows the input has three,
 * so it waits for the third: no record is late, and the events are exactly {@code replay}'s over
 * the same records in event-time order. (Against the largest event time, as before, every record
 * of the third partition was late: its windows had closed.)
 */
class BacklogIT {

    private static final long S = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] DEVICES = {"ios", "android", "web", "tv"};
    private static final int PARTITIONS = 3;
    private static final int WINDOWS = 6;

    @Test
    void aPartitionReadLastMakesNoRecordLate(@TempDir final Path state) throws Exception {
        final String input = SharedBroker.uniqueName("devices");
        final Map<String, String> keys = RunKeys.base("backlog", SharedBroker.bootstrapServers(),
                "mock://" + SharedBroker.uniqueName("backlog"), state);
        keys.put("reference.format", "json");
        keys.put("partitions", "2");
        keys.put("max.future", "0");
        RunKeys.monitor(keys, "devices", input, "json", "device", "10s");
        keys.put("monitor.devices.segment.fields", "country");
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final List<Line> lines = new ArrayList<>();
        final List<List<ProducerRecord<String, String>>> byPartition = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            byPartition.add(traffic(input, p, lines));
        }
        // At the end of the last window, on every partition: closes the six windows of both series.
        final List<ProducerRecord<String, String>> closers = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (final String country : List.of("DE", "US")) {
                final String value = "{\"device\":\"ios\",\"country\":\"" + country + "\"}";
                closers.add(new ProducerRecord<>(input, p, WINDOWS * 10 * S, "closer-" + country, value));
                lines.add(new Line(WINDOWS * 10 * S, line(WINDOWS * 10 * S, "closer-" + country, value)));
            }
        }

        try (DivergentApp app = DivergentApp.start(config);
             Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                     new StringSerializer(), new StringSerializer())) {
            // Partitions 0 and 1, every window, read to their end: the third holds every window.
            send(producer, byPartition.get(0));
            send(producer, byPartition.get(1));
            KafkaProbes.awaitCaughtUp(admin, config, input, Duration.ofSeconds(90));
            assertThat(KafkaProbes.written(admin, List.of(config.outputTopic())))
                    .as("no window closed while partition 2 has not been heard from").isZero();
            // Partition 2's records, of the same event time, then the closers.
            send(producer, byPartition.get(2));
            send(producer, closers);

            final Map<String, List<ObjectNode>> live = DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(),
                    config.outputTopic(), AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false)
                            .deserializer(), 2 * WINDOWS, Duration.ofSeconds(60));
            // The recorded stream replay takes: every record in event-time order, on one partition.
            lines.sort(Comparator.comparingLong(Line::time));
            final Map<String, ObjectNode> replayed = new TreeMap<>();
            Replayer.replay(config, lines.stream().map(Line::json).toList(), "backlog-events", List.of(),
                            "backlog-references", null).events()
                    .forEach(e -> replayed.put(e.get("series_id").asText() + "@" + e.get("window_start").asLong(), e));
            assertThat(replayed).hasSize(2 * WINDOWS);
            assertThat(replayed.values()).allSatisfy(e -> assertThat(e.get("observed_total").asLong())
                    .as("each window: 20 plays of its country on each of the 3 partitions").isEqualTo(60));
            assertThat(live.keySet()).isEqualTo(replayed.keySet());
            for (final String key : replayed.keySet()) {
                assertThat(live.get(key)).as("event %s: once, field by field", key).containsExactly(replayed.get(key));
            }
            KafkaProbes.awaitCaughtUp(admin, config, input, Duration.ofSeconds(90));
            assertThat(KafkaProbes.written(admin, List.of(config.deadLetterTopic().orElseThrow())))
                    .as("no dead letter: no record late").isZero();
        }
    }

    /** A line of the recorded stream, with its event time. */
    private record Line(long time, String json) {
    }

    /** 20 plays per country and window on one partition, windows 0 to {@value #WINDOWS} (exclusive). */
    private static List<ProducerRecord<String, String>> traffic(final String topic, final int partition,
                                                                final List<Line> lines) throws Exception {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            for (int i = 0; i < 20; i++) {
                for (final String country : List.of("DE", "US")) {
                    final long time = w * 10 * S + i * 400L + partition;
                    final String key = "user-" + partition + "-" + (i % 7);
                    final String value = "{\"device\":\"" + DEVICES[(i * 3 + w + partition) % (country.equals("DE") ? 4 : 3)]
                            + "\",\"country\":\"" + country + "\"}";
                    records.add(new ProducerRecord<>(topic, partition, time, key, value));
                    lines.add(new Line(time, line(time, key, value)));
                }
            }
        }
        return records;
    }

    private static String line(final long time, final String key, final String value) throws Exception {
        return JSON.writeValueAsString(Map.of("timestamp", time, "key", key, "value", JSON.readTree(value)));
    }

    private static void send(final KafkaProducer<String, String> producer, final List<ProducerRecord<String, String>> records) {
        records.forEach(producer::send);
        producer.flush();
    }

}
