package io.divergent.cli;

import io.divergent.testing.CommandRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code divergent replay} as a user runs it in CI. */
class ReplayCommandTest {

    private final CommandRun cli = new CommandRun();

    @Test
    void writesEventsAlertsAndDeadLettersAsJsonLinesAndTheReport(@TempDir final Path dir) throws Exception {
        final Path alerts = dir.resolve("alerts.jsonl");
        final Path report = dir.resolve("report.html");
        final Path dead = dir.resolve("dead.jsonl");
        final int code = cli.run("replay", "--config", "examples/replay/divergent.properties",
                "--references", "examples/replay/references.jsonl", "--events", "examples/replay/events.jsonl",
                "--alerts", alerts.toString(), "--dead-letters", dead.toString(), "--report", report.toString());
        assertThat(code).as(cli.err()).isZero();
        final ObjectMapper json = new ObjectMapper();
        final List<String> lines = cli.out().lines().toList();
        assertThat(lines).hasSize(3);
        final JsonNode drifted = json.readTree(lines.get(1));
        assertThat(drifted.get("kl_pq").isTextual()).isTrue();
        assertThat(drifted.get("kl_pq").asText()).isEqualTo("Infinity");
        // The drifted window raises the JS threshold alert and, with its p-value near 0, the change detector's.
        assertThat(Files.readAllLines(alerts)).extracting(l -> json.readTree(l).get("kind").asText() + " "
                + json.readTree(l).get("measure").asText() + " " + json.readTree(l).get("state").asText())
                .containsExactly("THRESHOLD js_distance FIRING", "CHANGE change_statistic FIRING");
        assertThat(Files.readAllLines(dead)).hasSize(2);
        // The report (its content: ReplayReportTest, ReplayReportIT) holds the replayed series in alert.
        assertThat(Files.readString(report)).startsWith("<!doctype html>").contains("window.DIVERGENT_DATA = ")
                .contains("\"series_id\":\"genres\",\"monitor\":\"genres\"").contains("\"state\":\"ALERT\"");
    }

    @Test
    void aMalformedLineIsOneErrorLineWithFileAndLineNumber(@TempDir final Path dir) throws Exception {
        final Path events = dir.resolve("events.jsonl");
        Files.writeString(events, "{\"timestamp\": 1, \"value\": {\"genre\": \"a\"}}\n{\"timestamp\": 2, \"value\": \n");
        final int code = cli.run("replay", "--config", "examples/replay/divergent.properties", "--events", events.toString());
        assertThat(code).isEqualTo(2);
        assertThat(cli.err().lines().toList()).hasSize(1);
        assertThat(cli.err()).startsWith("error: " + events + ":2: not valid JSON");
    }

    @Test
    void aReferenceTheTopologyWouldRefuseFailsTheRun(@TempDir final Path dir) throws Exception {
        final Path references = dir.resolve("references.jsonl");
        Files.writeString(references, "{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"drama\": 3}}}\n"
                + "{\"timestamp\": 0, \"key\": \"genres\", \"value\": {\"weights\": {\"drama\": -2}}}\n");
        final int code = cli.run("replay", "--config", "examples/replay/divergent.properties",
                "--references", references.toString(), "--events", "examples/replay/events.jsonl");
        assertThat(code).as(cli.err()).isEqualTo(2);
        assertThat(cli.out()).isEmpty();
        assertThat(cli.err().trim()).isEqualTo("error: " + references + ":2: weight of 'drama' is negative (-2)");
    }

    @Test
    void aBadConfigValueIsExitCodeTwo(@TempDir final Path dir) throws Exception {
        final int code = cli.run("replay", "--config", "examples/replay/divergent.properties",
                "--set", "monitor.genres.unit=bans", "--events", "examples/replay/events.jsonl");
        assertThat(code).isEqualTo(2);
        assertThat(cli.err().trim()).isEqualTo("error: invalid value 'bans' for 'monitor.genres.unit': allowed are bits, nats");
    }

    @Test
    void anUnknownOptionIsExitCodeTwo() {
        assertThat(cli.run("replay", "--events", "x", "--evnts", "y")).isEqualTo(2);
        assertThat(cli.err().lines().toList()).hasSize(1);
        assertThat(cli.err()).startsWith("error: Unknown options: '--evnts'");
    }
}
