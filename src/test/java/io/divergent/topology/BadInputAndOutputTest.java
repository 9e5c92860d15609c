package io.divergent.topology;

import io.divergent.avro.Comparison;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.PlayEvent;
import io.divergent.avro.Severity;
import io.divergent.registry.MockSchemaRegistry;
import io.divergent.serde.AvroSerdes;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;

/** Malformed input goes to the dead-letter topic and processing goes on; what the outputs look like on the wire. */
class BadInputAndOutputTest {

    private static final long S = 1_000;

    @Test
    void malformedAndUnusableJsonRecordsAreDeadLetteredAndTheRestCounts() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.json(1 * S, "{\"genre\": \"action\"");       // offset 0: JSON syntax error
            t.json(2 * S, "{\"device\": \"tv\"}");         // offset 1: no category field
            t.json(3 * S, "{\"genre\": {\"id\": 1}}");     // offset 2: category is an object
            t.json(4 * S, "{\"genre\": \"\"}");            // offset 3: empty category
            t.json(5 * S, "{\"genre\": 7}");               // offset 4: counts as category "7", [0, 60s)
            t.json(6 * S, "{\"genre\": \"action\"}");      // offset 5: [0, 60s)
            t.json(60 * S, "{\"genre\": \"action\"}");     // offset 6: closes [0, 60s)

            final List<TestRecord<byte[], byte[]>> dead = t.deadLetters();
            assertThat(dead).extracting(r -> TopologyHarness.header(r, DeadLetter.KIND))
                    .containsExactly("malformed", "missing-category", "invalid-category", "invalid-category");
            assertThat(dead).extracting(r -> TopologyHarness.header(r, DeadLetter.OFFSET)).containsExactly("0", "1", "2", "3");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.REASON)).contains("not valid JSON");
            assertThat(TopologyHarness.header(dead.get(1), DeadLetter.REASON)).contains("'genre'").contains("missing");
            assertThat(TopologyHarness.header(dead.get(2), DeadLetter.REASON)).contains("record/object");
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{\"genre\": \"action\"");
            assertThat(dead.get(0).key()).isEqualTo("user".getBytes(StandardCharsets.UTF_8));
            assertThat(t.metric("malformed-records-total", "all")).isEqualTo(1.0);
            assertThat(t.metric("missing-category-records-total", "genres")).isEqualTo(1.0);

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getObservedTotal()).isEqualTo(2);
            assertThat(e.getDistinctCategories()).isEqualTo(2);
        }
    }

    @Test
    void avroInputPoisonPillsAreDeadLettered() {
        final Map<String, String> keys = Map.of(
                "monitor.genres.input.topic", "plays",
                "monitor.genres.value.format", "avro",
                "monitor.genres.category.field", "genre",
                "monitor.genres.window.size", "60s");
        try (TopologyHarness t = new TopologyHarness(keys)) {
            final var serializer = AvroSerdes.specific(PlayEvent.class, t.serdeConfig, false).serializer();
            final byte[] good = serializer.serialize("plays", PlayEvent.newBuilder().setUserId("u").setGenre("drama").build());
            final byte[] unknownId = good.clone();
            ByteBuffer.wrap(unknownId).putInt(1, 987_654);
            final byte[] noGenre = serializer.serialize("plays", PlayEvent.newBuilder().setUserId("u").build());
            t.raw("plays", 1 * S, "{\"genre\":\"drama\"}".getBytes(StandardCharsets.UTF_8)); // offset 0: wrong magic byte
            t.raw("plays", 2 * S, unknownId);                                               // offset 1: unknown schema id
            t.raw("plays", 3 * S, new byte[] {0, 0});                                       // offset 2: truncated
            t.raw("plays", 4 * S, noGenre);                                                 // offset 3: genre is null
            t.raw("plays", 5 * S, good);                                                    // offset 4: [0, 60s) drama
            t.raw("plays", 60 * S, good);                                                   // offset 5: closes [0, 60s)

            final List<TestRecord<byte[], byte[]>> dead = t.deadLetters();
            assertThat(dead).extracting(r -> TopologyHarness.header(r, DeadLetter.KIND))
                    .containsExactly("wrong-magic-byte", "unknown-schema", "malformed", "missing-category");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.REASON)).contains("magic byte 0x7b", "JSON?");
            assertThat(TopologyHarness.header(dead.get(1), DeadLetter.REASON)).contains("schema id 987654");
            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).containsExactly(1L);
        }
    }

    @Test
    void invalidReferencesAreSkippedCountedAndThePreviousVersionStays() {
        final Map<String, String> keys = new java.util.LinkedHashMap<>(jsonMonitor("genres", "genre"));
        try (TopologyHarness t = new TopologyHarness(keys)) {
            t.reference("genres", 0, Map.of("a", 1.0));                       // valid, from 0
            t.reference("genres", 10 * S, Map.of("a", -1.0));                 // negative weight
            t.reference("genres", 20 * S, Map.of("a", 0.0));                  // total weight 0
            t.rawReference("genres", 30 * S, "not avro".getBytes(StandardCharsets.UTF_8)); // not decodable
            t.genre(10 * S, "a", 1);   // [0, 60s)
            t.genre(60 * S, "a", 1);   // closes [0, 60s) with the version of 0

            // The reference store is global: its processor forwards nothing, so the invalid ones are
            // logged and counted, not dead-lettered (ReferenceProcessor).
            assertThat(t.metric("invalid-reference-records-total", "all")).isEqualTo(3.0);
            assertThat(t.deadLetters()).isEmpty();
            assertThat(t.storeSize(DivergentTopology.REFERENCE_STORE)).isEqualTo(1);
            assertThat(t.events().get(0).getReference().getTimestamp().toEpochMilli()).isEqualTo(0L);
        }
    }

    @Test
    void aZeroTotalReferenceIsRefusedEvenWithSmoothing() {
        // With alpha > 0 the measures would read a zero-total reference as uniform; the topology
        // refuses it instead (README, 'The reference'): the window has no reference, not a uniform one.
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "monitor.genres.alpha", "0.5"))) {
            t.reference("genres", 0, Map.of("a", 0.0, "b", 0.0));   // total weight 0
            t.genre(10 * S, "a", 3);   // [0, 60s)
            t.genre(60 * S, "a", 1);   // closes [0, 60s)

            assertThat(t.metric("invalid-reference-records-total", "all")).isEqualTo(1.0);
            assertThat(t.storeSize(DivergentTopology.REFERENCE_STORE)).isZero();
            final List<DivergenceEvent> events = t.events();
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getHasReference()).isFalse();
            assertThat(events.get(0).getJsDistance()).isNull();
        }
    }

    @Test
    void emittedEventsCarryTheMagicByteAndTheRegisteredSchemaId() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            final TestOutputTopic<byte[], byte[]> raw = t.driver.createOutputTopic(TopologyHarness.EVENTS,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            t.genre(1 * S, "a", 1);   // [0, 60s)
            t.genre(60 * S, "a", 1);  // closes [0, 60s)
            final TestRecord<byte[], byte[]> record = raw.readRecord();
            assertThat(record.key()).isEqualTo("genres".getBytes(StandardCharsets.UTF_8));
            assertThat(record.timestamp()).isEqualTo(60 * S - 1);
            final ByteBuffer bytes = ByteBuffer.wrap(record.value());
            assertThat(bytes.get()).isEqualTo((byte) 0);
            final int id = bytes.getInt();
            final MockSchemaRegistry registry = MockSchemaRegistry.forScope(t.scope);
            assertThat(id).isEqualTo(registry.latest(TopologyHarness.EVENTS + "-value").id());
            assertThat(registry.schemaById(id)).isEqualTo(DivergenceEvent.getClassSchema());
        }
    }

    @Test
    void thresholdsRaiseTheMostSevereAlertPerMeasure() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre",
                "monitor.genres.alert.js_distance.warning", "0.1",
                "monitor.genres.alert.js_distance.critical", "0.5",
                "monitor.genres.alert.g_p_value.warning", "0.001",
                "monitor.genres.alert.min.events", "5"))) {
            t.reference("genres", 0, Map.of("a", 1.0, "b", 1.0));
            t.genre(1 * S, "a", 3);     // [0, 60s): 3 events, below min.events: no alert
            t.genre(61 * S, "a", 40);   // closes [0, 60s); [60s, 120s): a 40
            t.genre(62 * S, "b", 10);   // [60s, 120s): b 10
            t.genre(120 * S, "a", 1);   // closes [60s, 120s): {a: 40, b: 10} against {a: 1, b: 1}

            final List<DivergenceEvent> events = t.events();
            assertThat(events).hasSize(2);
            final List<DriftAlert> alerts = t.alerts();
            final double js = events.get(1).getJsDistance();
            final double p = events.get(1).getGPValue();
            assertThat(js).isBetween(0.1, 0.5);
            assertThat(p).isLessThan(0.001);
            assertThat(alerts).extracting(DriftAlert::getMeasure).containsExactlyInAnyOrder("js_distance", "g_p_value");
            final DriftAlert jsAlert = alerts.stream().filter(a -> a.getMeasure().equals("js_distance")).findFirst().orElseThrow();
            assertThat(jsAlert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(jsAlert.getValue()).isEqualTo(js);
            assertThat(jsAlert.getThreshold()).isEqualTo(0.1);
            assertThat(jsAlert.getComparison()).isEqualTo(Comparison.AT_LEAST);
            assertThat(jsAlert.getUnit()).isEqualTo(io.divergent.avro.Unit.BITS.name());
            final DriftAlert pAlert = alerts.stream().filter(a -> a.getMeasure().equals("g_p_value")).findFirst().orElseThrow();
            assertThat(pAlert.getComparison()).isEqualTo(Comparison.BELOW);
            assertThat(pAlert.getValue()).isEqualTo(p);
            assertThat(pAlert.getWindowStart().toEpochMilli()).isEqualTo(60 * S);
            assertThat(pAlert.getObservedTotal()).isEqualTo(50);
            assertThat(t.metric("alerts-total", "genres")).isEqualTo(2.0);
        }
    }
}
