package io.divergent.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.config.DivergentConfig;
import io.divergent.local.Replayer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static io.divergent.topology.TopologyHarness.header;
import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code input.partitioned.by.series=true} (issue 16, docs/streaming.md "Extended (issue 16)"):
 * the windows count in the source sub-topology, each record is checked to be on its series'
 * partition, and the p-value families are the series of one input partition.
 *
 * <p>With 2 partitions, Kafka's default partitioner puts the partition key {@code US} on
 * partition 0 and {@code DE} on partition 1, while the series ids {@code genres|country=US} and
 * {@code genres|country=DE} both go to partition 0 (asserted in {@link #theCountriesUsedHereLieAsStated}).
 */
class InputPartitionedBySeriesTest {

    private static final long S = 1_000;

    private static Map<String, String> byCountry(final boolean partitioned, final String... more) {
        final Map<String, String> keys = jsonMonitor("genres", "genre", "monitor.genres.segment.fields", "country",
                "monitor.genres.alert.js_distance.warning", "0.1", "monitor.genres.alert.for", "1");
        keys.put("input.partitioned.by.series", Boolean.toString(partitioned));
        for (int i = 0; i + 1 < more.length; i += 2) {
            keys.put(more[i], more[i + 1]);
        }
        return keys;
    }

    private static int kafkaPartition(final String key, final int partitions) {
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    @Test
    void theCountriesUsedHereLieAsStated() {
        assertThat(kafkaPartition("US", 2)).isZero();
        assertThat(kafkaPartition("DE", 2)).isOne();
        assertThat(kafkaPartition("genres|country=US", 2)).isZero();
        assertThat(kafkaPartition("genres|country=DE", 2)).isZero();
    }

    @Test
    void theWindowsCountInTheSourceSubTopologyWithTheSameStoresAndNoObservationsRepartition() {
        final String scope = "mock://partitioned-" + UUID.randomUUID();
        final Map<String, Object> serde = Map.of("schema.registry.url", scope);
        final DivergentConfig on = DivergentConfig.fromMap(byCountry(true, "schema.registry.url", scope));
        final DivergentConfig off = DivergentConfig.fromMap(byCountry(false, "schema.registry.url", scope));
        final TopologyDescription with = DivergentTopology.build(on, serde).describe();
        final TopologyDescription without = DivergentTopology.build(off, serde).describe();

        assertThat(with.toString()).doesNotContain(DivergentTopology.OBSERVATION_BATCHES + "-repartition");
        assertThat(without.toString()).contains(DivergentTopology.OBSERVATION_BATCHES + "-repartition");
        assertThat(nodes(subTopologyOf(with, DivergentTopology.WINDOWS)))
                .as("the window processor reads the input in its own sub-topology")
                .contains("divergent-source-plays", DivergentTopology.ALERTING);
        assertThat(nodes(subTopologyOf(without, DivergentTopology.WINDOWS))).doesNotContain("divergent-source-plays");
        final Set<String> batching = new TreeSet<>(stores(without));
        assertThat(batching.remove(DivergentTopology.batcherHook("plays"))).as("the batcher's commit hook, which has no changelog").isTrue();
        assertThat(stores(with)).as("same stores, so the same changelog topics").isEqualTo(batching);
    }

    private static TopologyDescription.Subtopology subTopologyOf(final TopologyDescription description, final String node) {
        return description.subtopologies().stream().filter(s -> nodes(s).contains(node)).findFirst().orElseThrow();
    }

    private static Set<String> nodes(final TopologyDescription.Subtopology subtopology) {
        final Set<String> names = new TreeSet<>();
        subtopology.nodes().forEach(n -> names.add(n.name()));
        return names;
    }

    private static Set<String> stores(final TopologyDescription description) {
        final Set<String> stores = new TreeSet<>();
        description.subtopologies().forEach(s -> s.nodes().forEach(n -> {
            if (n instanceof TopologyDescription.Processor p) {
                stores.addAll(p.stores());
            }
        }));
        return stores;
    }

    /** Two countries, a reference for each; US drifts in its second window. In order. */
    private static void traffic(final TopologyHarness t) {
        t.reference("genres|country=DE", 0, Map.of("action", 1.0, "comedy", 1.0));
        t.reference("genres|country=US", 0, Map.of("action", 1.0, "comedy", 1.0));
        for (int i = 0; i < 20; i++) {
            // window [0, 60 s): both countries as their reference
            t.json(i * S, "{\"genre\":\"" + (i % 2 == 0 ? "action" : "comedy") + "\",\"country\":\"DE\"}");
            t.json(i * S, "{\"genre\":\"" + (i % 2 == 0 ? "action" : "comedy") + "\",\"country\":\"US\"}");
        }
        for (int i = 0; i < 20; i++) {
            // window [60 s, 120 s): DE as its reference, US all action
            t.json(60 * S + i * S, "{\"genre\":\"" + (i % 2 == 0 ? "action" : "comedy") + "\",\"country\":\"DE\"}");
            t.json(60 * S + i * S, "{\"genre\":\"action\",\"country\":\"US\"}");
        }
        // stream time 120 s closes [60 s, 120 s) (grace 0)
        t.json(120 * S, "{\"genre\":\"action\",\"country\":\"US\"}");
    }

    @Test
    void inOrderInputGivesTheSameEventsAndAlertsWithAndWithoutTheRepartition() {
        final List<DivergenceEvent> events;
        final List<DriftAlert> alerts;
        try (TopologyHarness t = new TopologyHarness(byCountry(true))) {
            traffic(t);
            events = t.events();
            alerts = t.alerts();
            assertThat(t.deadLetters()).isEmpty();
        }
        try (TopologyHarness t = new TopologyHarness(byCountry(false))) {
            traffic(t);
            // 2 series x 2 closed windows
            assertThat(events).hasSize(4);
            assertThat(alerts).as("US's drift in [60 s, 120 s) fires").isNotEmpty();
            assertThat(events).isEqualTo(t.events());
            assertThat(alerts).isEqualTo(t.alerts());
        }
    }

    @Test
    void aRecordOnAnotherPartitionThanItsSeriesIsDeadLetteredAndNotCounted() {
        // 2 partitions: the driver feeds partition 0, where US belongs and DE does not.
        try (TopologyHarness t = new TopologyHarness(byCountry(true, "partitions", "2"))) {
            // window [0, 60 s): 3 US records counted, 2 DE records dead-lettered
            t.json(1 * S, "{\"genre\":\"action\",\"country\":\"US\"}");
            t.json(2 * S, "{\"genre\":\"action\",\"country\":\"DE\"}");
            t.json(3 * S, "{\"genre\":\"comedy\",\"country\":\"US\"}");
            t.json(4 * S, "{\"genre\":\"comedy\",\"country\":\"DE\"}");
            t.json(5 * S, "{\"genre\":\"comedy\",\"country\":\"US\"}");
            // stream time 60 s closes [0, 60 s)
            t.json(60 * S, "{\"genre\":\"action\",\"country\":\"US\"}");

            final List<DivergenceEvent> events = t.events();
            assertThat(events).extracting(e -> e.getSeriesId()).containsExactly("genres|country=US");
            assertThat(events.get(0).getObservedTotal()).isEqualTo(3);
            final List<TestRecord<byte[], byte[]>> dead = t.deadLetters();
            assertThat(dead).hasSize(2);
            for (final TestRecord<byte[], byte[]> record : dead) {
                assertThat(header(record, DeadLetter.KIND)).isEqualTo("partitioning");
                assertThat(header(record, DeadLetter.MONITOR)).as("the whole record").isNull();
                assertThat(header(record, DeadLetter.PARTITION)).isEqualTo("0");
                assertThat(header(record, DeadLetter.REASON)).isEqualTo("input.partitioned.by.series=true, but series "
                        + "'genres|country=DE' (partition key 'DE') belongs on partition 1 of 2 and the record is on partition 0");
            }
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).contains("\"DE\"");
        }
    }

    @Test
    void aFamilyIsTheSeriesOfOneInputPartition() {
        // A replay does not check partitions (one recorded stream), but groups families as the
        // deployment does: with the input partitioned by series, DE (partition 1) and US
        // (partition 0) are corrected apart; repartitioned by series id, both are on partition 0.
        final Map<String, Integer> partitioned = familySizes(true);
        final Map<String, Integer> repartitioned = familySizes(false);
        assertThat(partitioned).isEqualTo(Map.of("genres|country=DE", 1, "genres|country=US", 1));
        assertThat(repartitioned).isEqualTo(Map.of("genres|country=DE", 2, "genres|country=US", 2));
    }

    /** Each series' p-value family size in window [0, 60 s), replayed with 2 partitions. */
    private static Map<String, Integer> familySizes(final boolean partitioned) {
        final DivergentConfig config = DivergentConfig.fromMap(byCountry(partitioned, "partitions", "2",
                "schema.registry.url", "mock://families-" + UUID.randomUUID()));
        final List<String> references = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        for (final String country : List.of("DE", "US")) {
            references.add("{\"timestamp\":0,\"key\":\"genres|country=" + country
                    + "\",\"value\":{\"weights\":{\"action\":1,\"comedy\":1},\"source\":\"t\"}}");
            // window [0, 60 s): 4 events per country
            for (int i = 0; i < 4; i++) {
                events.add("{\"timestamp\":" + (i * S) + ",\"key\":\"" + country + "\",\"value\":{\"genre\":\""
                        + (i < 3 ? "action" : "comedy") + "\",\"country\":\"" + country + "\"}}");
            }
        }
        // stream time 60 s closes [0, 60 s)
        events.add("{\"timestamp\":" + (60 * S) + ",\"key\":\"US\",\"value\":{\"genre\":\"action\",\"country\":\"US\"}}");
        final Replayer.Result result = Replayer.replay(config, events, "events", references, "references", null);
        assertThat(result.deadLetters()).isEmpty();
        final Map<String, Integer> sizes = new TreeMap<>();
        for (final ObjectNode event : result.events()) {
            if (event.get("window_start").asLong() == 0) {
                sizes.put(event.get("series_id").asText(), event.get("g_p_value_family_size").asInt());
            }
        }
        return sizes;
    }
}
