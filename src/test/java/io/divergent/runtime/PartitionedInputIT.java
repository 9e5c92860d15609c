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
import io.divergent.testing.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code input.partitioned.by.series=true} on a real broker (issue 16): a 2-partition JSON input
 * produced with the default partitioner, keyed by the series' partition key (the country), is
 * counted where it is read (no observations repartition topic exists), the live view finds a
 * series' open window on its partition, a record put on the wrong partition is not counted, and the events equal, field by field, what {@code replay}
 * emits for the correctly partitioned records.
 */
class PartitionedInputIT {

    private static final long S = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] GENRES = {"action", "comedy", "drama", "horror"};

    @Test
    void countsWhereTheInputIsReadAndEmitsWhatReplayEmits() throws Exception {
        final String input = SharedBroker.uniqueName("keyed-plays");
        final Map<String, String> keys = RunKeys.base("keyed", SharedBroker.bootstrapServers(),
                "mock://keyed-" + UUID.randomUUID(), Files.createTempDirectory("divergent-keyed"));
        keys.put("input.partitioned.by.series", "true");
        keys.put("reference.format", "json");
        // Set, not 0, so the replay (one task) groups the p-value families as the 2 tasks do.
        keys.put("partitions", "2");
        // The live view locates a series' partition with the topology's rule, not the default partitioner's.
        keys.put("http.port", "0");
        keys.put("http.advertised.host", "localhost");
        keys.put("max.future", "0");
        RunKeys.monitor(keys, "genres", input, "json", "genre", "10s");
        keys.put("monitor.genres.segment.fields", "country");
        // Windows close only on the closing records below, sent once everything else is processed.
        keys.put("monitor.genres.window.grace", "1h");
        final DivergentConfig config = DivergentConfig.fromMap(keys);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, 2, (short) 1),
                    new NewTopic(config.referenceTopic(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        }

        final List<String> referenceLines = new ArrayList<>();
        final List<ProducerRecord<String, String>> references = new ArrayList<>();
        final List<String> eventLines = new ArrayList<>();
        final List<ProducerRecord<String, String>> events = new ArrayList<>();
        for (final String country : List.of("DE", "US")) {
            final String weights = "{\"weights\":{\"action\":4,\"comedy\":3,\"drama\":2,\"horror\":1},\"source\":\"keyed\"}";
            references.add(new ProducerRecord<>(config.referenceTopic(), null, 0L, "genres|country=" + country, weights));
            referenceLines.add("{\"timestamp\":0,\"key\":\"genres|country=" + country + "\",\"value\":" + weights + "}");
        }
        // 2 windows x 2 countries x 30 events, keyed by country: DE on partition 1, US on partition 0.
        for (int w = 0; w < 2; w++) {
            for (int i = 0; i < 30; i++) {
                for (final String country : List.of("DE", "US")) {
                    final int g = (i * 7 + w) % (w == 1 && country.equals("DE") ? 2 : 4);
                    final long time = w * 10 * S + i * 100L;
                    final String value = "{\"genre\":\"" + GENRES[g] + "\",\"country\":\"" + country + "\"}";
                    events.add(new ProducerRecord<>(input, null, time, country, value));
                    eventLines.add(JSON.writeValueAsString(Map.of("timestamp", time, "key", country,
                            "value", JSON.readTree(value))));
                }
            }
        }
        // A DE record sent to partition 0, where DE does not belong: dead-lettered, not counted
        // (and so not in the replay).
        events.add(new ProducerRecord<>(input, 0, 5 * S, "DE", "{\"genre\":\"horror\",\"country\":\"DE\"}"));
        // Far past every window end + grace: closes both windows of each series, one per partition.
        final long closeAt = 20 * S + 3_600 * S;
        final List<ProducerRecord<String, String>> closers = new ArrayList<>();
        for (final String country : List.of("DE", "US")) {
            final String value = "{\"genre\":\"action\",\"country\":\"" + country + "\"}";
            closers.add(new ProducerRecord<>(input, null, closeAt, country, value));
            eventLines.add(JSON.writeValueAsString(Map.of("timestamp", closeAt, "key", country, "value", JSON.readTree(value))));
        }

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (final ProducerRecord<String, String> r : references) {
                producer.send(r).get();
            }
            for (final ProducerRecord<String, String> r : events) {
                producer.send(r);
            }
            producer.flush();

            try (DivergentApp app = DivergentApp.start(config);
                 Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
                // The reference topic is read by the global store, which commits no offsets.
                final List<String> consumed = List.of(input);
                Waits.waitUntil(Duration.ofSeconds(60), () -> KafkaProbes.lag(admin, config.applicationId(), consumed) == 0,
                        () -> "consumer lag of " + config.applicationId() + " on " + consumed + " is "
                                + KafkaProbes.lag(admin, config.applicationId(), consumed) + ", app state " + app.streams().state());
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .doesNotContain(config.applicationId() + "-divergent-observation-batches-repartition");
                // DE's open window [10 s, 20 s) is on partition 1 (its partition key's), where the
                // series id would be on partition 0 by Kafka's default partitioner.
                final HttpResponse<String> open = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        app.viewUrl().orElseThrow().resolve("/api/series/open?series="
                                + URLEncoder.encode("genres|country=DE", StandardCharsets.UTF_8))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
                assertThat(JSON.readTree(open.body()).get("observed_total").asLong()).isEqualTo(30);
                for (final ProducerRecord<String, String> r : closers) {
                    producer.send(r);
                }
                producer.flush();

                final Replayer.Result replay = Replayer.replay(config, eventLines, "keyed-events", referenceLines,
                        "keyed-references", null);
                final Map<String, ObjectNode> replayed = new TreeMap<>();
                replay.events().forEach(e -> replayed.put(DivergenceEvents.key(e), e));
                // 2 series x 2 windows, and the silent windows the closers close (no_data)
                assertThat(replayed).containsKeys("genres|country=DE@0", "genres|country=DE@10000",
                        "genres|country=US@0", "genres|country=US@10000");
                final Map<String, List<ObjectNode>> live = DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(),
                        config.outputTopic(), AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false)
                                .deserializer(), replayed.size(), Duration.ofSeconds(60));

                assertThat(live.keySet()).isEqualTo(replayed.keySet());
                for (final String key : replayed.keySet()) {
                    assertThat(live.get(key)).as("event %s: once, field by field", key).containsExactly(replayed.get(key));
                }
                assertThat(live.get("genres|country=DE@0").get(0).get("observed_total").asLong())
                        .as("the misplaced DE record is not counted").isEqualTo(30);
            }
        }
    }
}
