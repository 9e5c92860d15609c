package io.divergent.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.config.DivergentConfig;
import io.divergent.topology.DeadLetter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The four poison pills of issue 11, replayed as a user's CI would: each is dead-lettered with
 * its kind, none is counted, none stops the replay, and the good records around them count.
 * Monitor: JSON {@code device} on {@code devices}, event time from {@code ts}, 10 s windows.
 */
class PoisonPillReplayTest {

    private static DivergentConfig config() {
        return DivergentConfig.fromMap(Map.of(
                "application.id", "poison-pill-replay",
                "monitor.devices.input.topic", "devices",
                "monitor.devices.value.format", "json",
                "monitor.devices.category.field", "device",
                "monitor.devices.timestamp.field", "ts",
                "monitor.devices.window.size", "10s"));
    }

    private static String line(final String value) {
        return line(value.getBytes(StandardCharsets.UTF_8));
    }

    private static String line(final byte[] value) {
        return "{\"timestamp\": 0, \"value_base64\": \"" + Base64.getEncoder().encodeToString(value) + "\"}";
    }

    private static Replayer.Result replay(final List<String> lines) {
        return Replayer.replay(config(), lines, "events.jsonl", List.of(), "references.jsonl", null);
    }

    @Test
    void jsonBeyondJacksonsReadLimitsIsDeadLetteredAsMalformed() {
        final Replayer.Result result = replay(List.of(
                line("{\"device\":\"ios\",\"ts\":1000}"),                             // devices@0: [0, 10 s) ios
                line("[".repeat(1_001) + "]".repeat(1_001)),                          // devices@1: malformed, nesting depth
                line("{\"device\":\"ios\",\"ts\":1000,\"n\":" + "1".repeat(1_001) + "}"), // devices@2: malformed, number length
                line("{\"device\":\"web\",\"ts\":2000}"),                             // devices@3: [0, 10 s) web
                line("{\"device\":\"ios\",\"ts\":10000}")));                          // devices@4: closes [0, 10 s)
        assertThat(result.events()).hasSize(1);
        assertThat(result.events().get(0).get("observed_total").asLong()).isEqualTo(2);
        assertThat(result.deadLetters()).extracting(d -> d.get("kind").asText()).containsExactly("malformed", "malformed");
        assertThat(result.deadLetters()).extracting(d -> d.get("source_offset").asLong()).containsExactly(1L, 2L);
        assertThat(result.deadLetters().get(0).get("reason").asText()).contains("nesting depth");
        assertThat(result.deadLetters().get(1).get("reason").asText()).contains("Number value length");
    }

    @Test
    void aMalformedValueWhoseDeadLetterWouldNotFitIsCutNotFatal() {
        final byte[] huge = new byte[1_048_400];                                      // fits the input topic, not with headers
        java.util.Arrays.fill(huge, (byte) '{');
        final Replayer.Result result = replay(List.of(
                line(huge),                                                           // devices@0: malformed, cut
                line("{\"device\":\"ios\",\"ts\":1000}"),                             // devices@1: [0, 10 s) ios
                line("{\"device\":\"ios\",\"ts\":10000}")));                          // devices@2: closes [0, 10 s)
        assertThat(result.events()).extracting(e -> e.get("observed_total").asLong()).containsExactly(1L);
        final ObjectNode dead = result.deadLetters().get(0);
        assertThat(dead.get("kind").asText()).isEqualTo("malformed");
        assertThat(dead.get("truncated").asText()).isEqualTo("value");
        assertThat(dead.get("original_size").asLong()).isEqualTo(1_048_400L);
        final byte[] kept = Base64.getDecoder().decode(dead.get("value_base64").asText());
        assertThat(kept.length).isLessThan(huge.length).isLessThanOrEqualTo(DeadLetter.budget(Map.of()));
    }

    @Test
    void anIntegerEventTimeBeyondALongIsAnInvalidTimestampNotWindowZero() {
        final Replayer.Result result = replay(List.of(
                line("{\"device\":\"ios\",\"ts\":18446744073709556616}"),             // devices@0: invalid-timestamp (2^64 + 5000)
                line("{\"device\":\"web\",\"ts\":1000}"),                             // devices@1: [0, 10 s) web
                line("{\"device\":\"ios\",\"ts\":10000}")));                          // devices@2: closes [0, 10 s)
        assertThat(result.events()).hasSize(1);
        assertThat(result.events().get(0).get("observed_total").asLong()).as("only web").isEqualTo(1);
        assertThat(result.deadLetters()).extracting(d -> d.get("kind").asText()).containsExactly("invalid-timestamp");
        assertThat(result.deadLetters().get(0).get("reason").asText()).contains("'ts'").contains("beyond the range");
    }

    @Test
    void trailingContentAfterAJsonValueIsMalformed() {
        final Replayer.Result result = replay(List.of(
                line("{\"device\":\"drama\",\"ts\":1000} trailing garbage"),          // devices@0: malformed
                line("{\"device\":\"web\",\"ts\":1000}"),                             // devices@1: [0, 10 s) web
                line("{\"device\":\"ios\",\"ts\":10000}")));                          // devices@2: closes [0, 10 s)
        assertThat(result.events().get(0).get("observed_total").asLong()).isEqualTo(1);
        assertThat(result.deadLetters()).extracting(d -> d.get("kind").asText()).containsExactly("malformed");
        assertThat(result.deadLetters().get(0).get("reason").asText()).contains("'trailing'");
    }

    @Test
    void replayLinesThemselvesAreReadStrictly() {
        final List<String> lines = new ArrayList<>(List.of(
                "{\"timestamp\": 18446744073709556616, \"value\": {\"device\":\"ios\",\"ts\":1}}"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay(lines))
                .isInstanceOf(Replayer.ReplayException.class).hasMessageStartingWith("events.jsonl:1: \"timestamp\" is")
                .hasMessageContaining("beyond the range");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay(List.of("{\"timestamp\": 1, \"value\": {}} x")))
                .isInstanceOf(Replayer.ReplayException.class).hasMessageStartingWith("events.jsonl:1: not valid JSON");
    }
}
