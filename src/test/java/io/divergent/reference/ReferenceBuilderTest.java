package io.divergent.reference;

import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.testing.CommandRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Building references from files: what is counted, under which series id, and how a bad line is reported. */
class ReferenceBuilderTest {

    @TempDir
    Path dir;

    private static MonitorConfig monitor(final String format, final String category, final String segments) {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("monitor.genres.input.topic", "plays");
        keys.put("monitor.genres.value.format", format);
        if (category != null) {
            keys.put("monitor.genres.category.field", category);
        }
        if (segments != null) {
            keys.put("monitor.genres.segment.fields", segments);
        }
        return DivergentConfig.fromMap(keys).monitors().get(0);
    }

    private Path file(final String name, final String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static Map<String, Map<String, Long>> counts(final ReferenceBuilder builder) {
        final Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        builder.references().forEach(r -> counts.put(r.seriesId(), r.counts()));
        return counts;
    }

    @Test
    void csvRowsAreCountedPerSeriesWithDottedColumnsAsNestedFields() throws IOException {
        // One segment field: DivergentConfig parses a list of several as one path today (reported).
        final ReferenceBuilder builder = new ReferenceBuilder(monitor("avro", "prediction.label", "device.kind"));
        builder.addFile(file("plays.csv",
                "user_id,prediction.label,device.kind",
                "u1,rock,tv",
                "u2,jazz,tv",
                "u3,rock,tv",
                "",
                "u4,rock,",             // no device: the empty segment value
                "u5,\"a|b=c\",t|v"));   // quoted cell; | and = are category text, escaped only in the id

        assertThat(counts(builder)).containsExactly(
                Map.entry("genres|device.kind=", Map.of("rock", 1L)),
                Map.entry("genres|device.kind=t%7Cv", Map.of("a|b=c", 1L)),
                Map.entry("genres|device.kind=tv", Map.of("jazz", 1L, "rock", 2L)));
        assertThat(builder.records()).isEqualTo(5);
    }

    @Test
    void jsonLinesCountStringsNumbersAndBooleansAsTheTopologyDoes() throws IOException {
        final ReferenceBuilder builder = new ReferenceBuilder(monitor("json", "label", "meta.model"));
        builder.addFile(file("plays.jsonl",
                "{\"label\": \"rock\", \"meta\": {\"model\": \"v|1\"}}",
                "{\"label\": 7, \"meta\": {\"model\": \"v|1\"}}",
                "   ",
                "{\"label\": true, \"meta\": {\"model\": \"v|1\"}}",
                "{\"label\": 2.5}"));    // no model: empty segment value

        assertThat(counts(builder)).containsExactly(
                Map.entry("genres|meta.model=", Map.of("2.5", 1L)),
                Map.entry("genres|meta.model=v%7C1", Map.of("7", 1L, "rock", 1L, "true", 1L)));
    }

    @Test
    void aStringMonitorCountsEachLineAsOneValue() throws IOException {
        final ReferenceBuilder builder = new ReferenceBuilder(monitor("string", null, null));
        builder.addFile(file("values.txt", "rock", "{\"not\": \"parsed\"}", "rock"));

        assertThat(counts(builder)).containsExactly(
                Map.entry("genres", Map.of("rock", 2L, "{\"not\": \"parsed\"}", 1L)));
    }

    @Test
    void badLinesNameFileAndLine() throws IOException {
        final MonitorConfig genres = monitor("json", "genre", null);
        final Path syntax = file("syntax.jsonl", "{\"genre\": \"rock\"}", "", "{\"genre\": rock}");
        assertThatThrownBy(() -> new ReferenceBuilder(genres).addFile(syntax))
                .isInstanceOf(ReferenceBuilder.BadInput.class).hasMessageStartingWith(syntax + ":3: not valid JSON");

        final Path missing = file("missing.jsonl", "{\"genre\": \"rock\"}", "{\"genre\": null}");
        assertThatThrownBy(() -> new ReferenceBuilder(genres).addFile(missing))
                .hasMessage(missing + ":2: category field 'genre' is missing or null");

        final Path object = file("object.jsonl", "{\"genre\": {\"name\": \"rock\"}}");
        assertThatThrownBy(() -> new ReferenceBuilder(genres).addFile(object))
                .hasMessageStartingWith(object + ":1: category field 'genre' is a record/object");

        final Path array = file("array.jsonl", "[\"rock\"]");
        assertThatThrownBy(() -> new ReferenceBuilder(genres).addFile(array))
                .hasMessage(array + ":1: expected a JSON object (one record per line)");
    }

    @Test
    void badCsvRowsNameFileAndLine() throws IOException {
        final MonitorConfig genres = monitor("avro", "genre", null);
        final Path header = file("header.csv", "user,country", "u1,DE");
        assertThatThrownBy(() -> new ReferenceBuilder(genres).addFile(header))
                .hasMessage(header + ":1: the header has no column 'genre' (the category field of monitor 'genres'); columns: user, country");

        final Path empty = file("empty.csv", "user,genre", "u1,rock", "u2,rock", "u3,");
        assertThatThrownBy(() -> new ReferenceBuilder(genres).addFile(empty))
                .hasMessage(empty + ":4: category field 'genre' is missing or null");

        final Path wide = file("wide.csv", "user,genre", "u1,rock", "u2,jazz,extra");
        assertThatThrownBy(() -> new ReferenceBuilder(genres).addFile(wide))
                .isInstanceOf(ReferenceBuilder.BadInput.class).hasMessageStartingWith(wide + ":3: ");
    }

    @Test
    void dryRunPrintsEachSeriesAndPublishesNothing() throws IOException {
        final Path config = file("divergent.properties",
                // Nothing listens there: a dry run must not need Kafka or the registry.
                "bootstrap.servers=localhost:1",
                "schema.registry.url=http://localhost:1",
                "monitor.genres.input.topic=plays",
                "monitor.genres.value.format=json",
                "monitor.genres.category.field=genre",
                "monitor.genres.segment.fields=country");
        final Path plays = file("plays.csv", "genre,country", "rock,DE", "rock,DE", "jazz,DE", "pop,US");
        final CommandRun run = new CommandRun();

        final int exit = run.run("reference", "--config", config.toString(), "--file", plays.toString(), "--dry-run",
                "--timestamp", "0", "--top", "1");

        assertThat(exit).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "genres|country=DE: total 3, 2 categories; top: rock=2 (66.7%)",
                "genres|country=US: total 1, 1 categories; top: pop=1 (100.0%)",
                "dry run: would publish 2 reference(s) to 'divergent-reference' (avro, record timestamp "
                        + "1970-01-01T00:00:00Z, source \"divergent reference: 4 records of " + plays + "\")");
    }

    @Test
    void aBadLineStopsTheCommandWithExitTwo() throws IOException {
        final Path plays = file("plays.jsonl", "{\"genre\": \"rock\"}", "{\"genre\": \"\"}");
        final CommandRun run = new CommandRun();

        final int exit = run.run("reference", "--set", "monitor.genres.input.topic=plays",
                "--set", "monitor.genres.value.format=json", "--set", "monitor.genres.category.field=genre",
                "--file", plays.toString(), "--dry-run");

        assertThat(exit).isEqualTo(2);
        assertThat(run.err()).isEqualTo("error: " + plays + ":2: category field 'genre' is an empty string: "
                + "a category must be a non-empty string, number, boolean or enum" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void fileOrTopicMustBeChosen() {
        final CommandRun run = new CommandRun();
        assertThat(run.run("reference", "--set", "monitor.genres.input.topic=plays",
                "--set", "monitor.genres.category.field=genre", "--dry-run")).isEqualTo(2);
        assertThat(run.err()).contains("give either --file (one or more) or --from-topic");
        assertThat(List.of(run.run("reference", "--from", "yesterday", "--from-topic"))).containsExactly(2);
    }
}
