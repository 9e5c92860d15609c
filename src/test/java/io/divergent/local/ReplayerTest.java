package io.divergent.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.config.DivergentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The replay of examples/replay: what a user's CI run would see. */
class ReplayerTest {

    private static final Path EXAMPLE = Path.of("examples", "replay");

    private static DivergentConfig exampleConfig() {
        return DivergentConfig.load(EXAMPLE.resolve("divergent.properties"), Map.of(), Map.of());
    }

    @Test
    void replaysTheExampleWindowByWindow() {
        final Replayer.Result result = Replayer.replay(exampleConfig(), EXAMPLE.resolve("events.jsonl"),
                EXAMPLE.resolve("references.jsonl"), null);

        // [0, 60s): the golden movie-genres-as-counts case; [60s, 120s): documentary appears, horror
        // fades; [120s, 180s): one event. The record at 30s arrives after [0, 60s) closed: late.
        final List<ObjectNode> events = result.events();
        assertThat(events).extracting(e -> e.get("window_start").asLong()).containsExactly(0L, 60_000L, 120_000L);
        assertThat(events.get(0).get("observed_total").asLong()).isEqualTo(100);
        assertThat(events.get(0).get("kl_pq").asDouble()).isCloseTo(0.04150374992788438, within(1e-12));
        assertThat(events.get(0).get("g_p_value").asDouble()).isCloseTo(0.12423101879824555, within(1e-12));
        final ObjectNode drifted = events.get(1);
        assertThat(drifted.get("kl_pq").asText()).isEqualTo("Infinity");
        assertThat(drifted.get("kl_infinite").asBoolean()).isTrue();
        assertThat(drifted.get("unseen_mass").asDouble()).isEqualTo(0.3);
        assertThat(drifted.get("missing_mass").asDouble()).isCloseTo(0.1, within(1e-15));
        assertThat(drifted.get("top_contributors").get(0).get("category").asText()).isEqualTo("documentary");
        assertThat(drifted.get("reference").get("kind").asText()).isEqualTo("TOPIC");

        // The drifted window fires the JS threshold (critical: 0.47 bits, 0.41 beyond its no-drift
        // expectation, p ~ 0) and the change detector (one extreme window: S >= h); the last window
        // (1 event) keeps both firing (one false window; alert.resolve.after is 3).
        assertThat(result.alerts()).extracting(a -> a.get("window_start").asLong() + " " + a.get("kind").asText()
                        + " " + a.get("measure").asText() + " " + a.get("severity").asText() + " " + a.get("state").asText())
                .containsExactly("60000 THRESHOLD js_distance CRITICAL FIRING", "60000 CHANGE change_statistic WARNING FIRING");
        assertThat(result.deadLetters()).extracting(d -> d.get("kind").asText()).containsExactly("late", "missing-category");
        assertThat(result.deadLetters().get(0).get("source_offset").asLong()).isEqualTo(201);
    }

    /** The last event (185 s) is in [180 s, 240 s): only --close-at-end emits that window, as a live task would once idle. */
    @Test
    void closeAtEndEmitsTheWindowsHoldingTheLastEvent() {
        final Replayer.Result closed = Replayer.replay(exampleConfig(), EXAMPLE.resolve("events.jsonl"),
                EXAMPLE.resolve("references.jsonl"), null, true);
        assertThat(closed.events()).extracting(e -> e.get("window_start").asLong())
                .as("and nothing after it: the clock stops at the last stream time + size + grace + idle.timeout")
                .containsExactly(0L, 60_000L, 120_000L, 180_000L);
        assertThat(closed.events().get(3).get("observed_total").asLong()).isEqualTo(1);
        assertThat(closed.events().get(3).get("expected_total").asDouble()).as("mean of the earlier windows' counts")
                .isPositive();
        assertThatThrownBy(() -> Replayer.replay(exampleConfig().with(Map.of("idle.timeout", "off")),
                EXAMPLE.resolve("events.jsonl"), EXAMPLE.resolve("references.jsonl"), null, true))
                .isInstanceOf(Replayer.ReplayException.class).hasMessageContaining("idle.timeout");
    }

    @Test
    void replayIsDeterministic() {
        final Replayer.Result a = Replayer.replay(exampleConfig(), EXAMPLE.resolve("events.jsonl"), EXAMPLE.resolve("references.jsonl"), null);
        final Replayer.Result b = Replayer.replay(exampleConfig(), EXAMPLE.resolve("events.jsonl"), EXAMPLE.resolve("references.jsonl"), null);
        assertThat(a.events()).isEqualTo(b.events());
        assertThat(a.alerts()).isEqualTo(b.alerts());
    }

    @Test
    void theDriversStateDirectoryIsDeletedAfterTheReplay(@TempDir final Path stateParent) throws IOException {
        final Replayer.Result result = Replayer.replay(exampleConfig(), Files.readAllLines(EXAMPLE.resolve("events.jsonl")),
                "events.jsonl", Files.readAllLines(EXAMPLE.resolve("references.jsonl")), "references.jsonl", null, false, stateParent);
        assertThat(result.events()).hasSize(3);
        try (Stream<Path> left = Files.list(stateParent)) {
            assertThat(left).as("left in %s", stateParent).isEmpty();
        }
    }

    @Test
    void malformedLinesAreReportedWithFileAndLineNumber() {
        final DivergentConfig config = exampleConfig();
        assertThatThrownBy(() -> Replayer.replay(config, List.of("{\"timestamp\": 1, \"value\": {}}", "{oops"), "ev.jsonl",
                List.of(), "ref.jsonl", null))
                .isInstanceOf(Replayer.ReplayException.class).hasMessageStartingWith("ev.jsonl:2: not valid JSON");
        assertThatThrownBy(() -> Replayer.replay(config, List.of("{\"value\": {}}"), "ev.jsonl", List.of(), "ref.jsonl", null))
                .hasMessageContaining("ev.jsonl:1:").hasMessageContaining("\"timestamp\" is required");
        assertThatThrownBy(() -> Replayer.replay(config, List.of("{\"timestamp\": 1, \"topic\": \"other\", \"value\": {}}"),
                "ev.jsonl", List.of(), "ref.jsonl", null))
                .hasMessageContaining("ev.jsonl:1:").hasMessageContaining("'other'");
        assertThatThrownBy(() -> Replayer.replay(config, List.of(), "ev.jsonl",
                List.of("", "{\"timestamp\": 0, \"value\": {\"weights\": {}}}"), "ref.jsonl", null))
                .hasMessageContaining("ref.jsonl:2:").hasMessageContaining("series id");
        assertThatThrownBy(() -> Replayer.replay(config, List.of(), "ev.jsonl",
                List.of("{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"a\": \"x\"}}}"), "ref.jsonl", null))
                .hasMessageContaining("ref.jsonl:1:").hasMessageContaining("'a'");
    }

    @Test
    void aReferenceLineTheTopologyWouldRejectStopsTheReplayWithFileAndLine() {
        final DivergentConfig config = exampleConfig();
        final List<String> events = List.of("{\"timestamp\": 1, \"value\": {\"genre\": \"a\"}}");
        // The rules of the topology's reference processor, applied before anything runs.
        assertThatThrownBy(() -> Replayer.replay(config, events, "ev.jsonl", List.of("",
                "{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"a\": 3, \"b\": -2}}}"), "ref.jsonl", null))
                .isInstanceOf(Replayer.ReplayException.class)
                .hasMessage("ref.jsonl:2: weight of 'b' is negative (-2)");
        assertThatThrownBy(() -> Replayer.replay(config, events, "ev.jsonl",
                List.of("{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"a\": 0}}}"), "ref.jsonl", null))
                .isInstanceOf(Replayer.ReplayException.class)
                .hasMessageStartingWith("ref.jsonl:1: total weight is 0");
        assertThatThrownBy(() -> Replayer.replay(config, events, "ev.jsonl",
                List.of("{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"\": 1}}}"), "ref.jsonl", null))
                .isInstanceOf(Replayer.ReplayException.class).hasMessageStartingWith("ref.jsonl:1: ");
        // The same rules when the reference topic carries JSON, which the replay forwards as written.
        final DivergentConfig json = config.with(Map.of("reference.format", "json"));
        assertThatThrownBy(() -> Replayer.replay(json, events, "ev.jsonl",
                List.of("{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"a\": -1}}}"), "ref.jsonl", null))
                .isInstanceOf(Replayer.ReplayException.class).hasMessage("ref.jsonl:1: weight of 'a' is negative (-1)");
        assertThatThrownBy(() -> Replayer.replay(json, events, "ev.jsonl",
                List.of("{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"a\": \"x\"}}}"), "ref.jsonl", null))
                .isInstanceOf(Replayer.ReplayException.class).hasMessageContaining("ref.jsonl:1:").hasMessageContaining("'a'");
    }

    @Test
    void avroEventsGivenAsJsonAreEncodedWithTheWriterSchema() {
        final DivergentConfig config = DivergentConfig.fromMap(Map.of(
                "monitor.genres.input.topic", "plays",
                "monitor.genres.value.format", "avro",
                "monitor.genres.category.field", "genre",
                "monitor.genres.segment.fields", "model_version",
                "monitor.genres.window.size", "10s"));
        final Replayer.Result result = Replayer.replay(config, List.of(
                "{\"timestamp\": 1000, \"key\": \"u1\", \"value\": {\"user_id\": \"u1\", \"genre\": \"drama\", \"model_version\": \"v2\"}}",
                "{\"timestamp\": \"1970-01-01T00:00:02Z\", \"key\": \"u2\", \"value\": {\"user_id\": \"u2\", \"genre\": \"comedy\", \"model_version\": \"v2\"}}",
                "{\"timestamp\": 10000, \"key\": \"u3\", \"value\": {\"user_id\": \"u3\", \"genre\": \"comedy\", \"model_version\": \"v2\"}}"),
                "ev.jsonl", List.of(), "ref.jsonl", null);
        assertThat(result.events()).hasSize(1);
        assertThat(result.events().get(0).get("series_id").asText()).isEqualTo("genres|model_version=v2");
        assertThat(result.events().get(0).get("has_reference").asBoolean()).isFalse();
        assertThat(result.events().get(0).get("entropy_p").asDouble()).isEqualTo(1.0);
    }
}
