package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two monitors on two input topics: each topic's observe processor batches its own observations
 * (an {@link ObservationBatcher} and a commit hook per topic), the batches of both share the one
 * repartition, and each topic's bad records are dead-lettered with that topic as their source.
 * Monitors: JSON {@code genre} on {@code plays} and {@code device} on {@code sessions}, 60 s windows.
 */
class TwoInputTopicsTest {

    private static Map<String, String> twoTopics() {
        final Map<String, String> keys = new LinkedHashMap<>(TopologyHarness.jsonMonitor("genres", "genre"));
        keys.put("monitor.devices.input.topic", "sessions");
        keys.put("monitor.devices.value.format", "json");
        keys.put("monitor.devices.category.field", "device");
        keys.put("monitor.devices.window.size", "60s");
        return keys;
    }

    private static byte[] json(final String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eachTopicsObservationsAreCountedByItsMonitorThroughTheOneRepartition() {
        try (TopologyHarness t = new TopologyHarness(twoTopics())) {
            t.raw("plays", 1_000, json("{\"genre\":\"drama\"}"));        // genres [0, 60 s): drama
            t.raw("sessions", 2_000, json("{\"device\":\"ios\"}"));      // devices [0, 60 s): ios
            t.raw("plays", 3_000, json("{\"genre\":\"comedy\"}"));       // genres [0, 60 s): comedy
            t.raw("sessions", 4_000, json("{\"device\":\"ios\"}"));      // devices [0, 60 s): ios
            t.raw("sessions", 5_000, json("{\"device\":"));              // sessions@2: malformed
            t.raw("sessions", 6_000, json("{\"device\":\"web\"}"));      // devices [0, 60 s): web
            t.raw("plays", 60_000, json("{\"genre\":\"drama\"}"));       // closes [0, 60 s) of both (one stream time per task)
            t.raw("sessions", 61_000, json("{\"device\":\"web\"}"));     // devices [60 s, 120 s): web

            final List<DivergenceEvent> events = t.events();
            assertThat(events).extracting(e -> e.getMonitor() + " " + e.getObservedTotal() + " " + e.getDistinctCategories())
                    .containsExactlyInAnyOrder("genres 2 2", "devices 3 2");
            final List<TestRecord<byte[], byte[]>> dead = t.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.TOPIC)).isEqualTo("sessions");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.OFFSET)).isEqualTo("2");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.KIND)).isEqualTo("malformed");

            final TopologyDescription description = DivergentTopology.build(t.config, t.serdeConfig).describe();
            final Set<String> stores = new TreeSet<>();
            description.subtopologies().forEach(s -> s.nodes().forEach(n -> {
                if (n instanceof TopologyDescription.Processor p) {
                    stores.addAll(p.stores());
                }
            }));
            assertThat(stores).contains(DivergentTopology.batcherHook("plays"), DivergentTopology.batcherHook("sessions"));
            assertThat(description.toString()).containsOnlyOnce("Sink: " + DivergentTopology.OBSERVATION_BATCHES + "-repartition-sink");
        }
    }
}
