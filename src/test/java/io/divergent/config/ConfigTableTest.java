package io.divergent.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ConfigKeys} is the one list of keys: the README's configuration table is what it
 * renders, every key in it is known, reachable from the environment and has a valid default,
 * and its resolved values ("0 means no bound") are what the rest of the program reads.
 */
class ConfigTableTest {

    private static final String START = "<!-- config-table:start";
    private static final String END = "<!-- config-table:end -->";

    /** The rows between the README's markers, cells trimmed, header and separator dropped. */
    private static List<ConfigKeys.Row> readmeRows() throws IOException {
        final List<String> lines = Files.readAllLines(Path.of("README.md"));
        final int start = indexOf(lines, START);
        final int end = indexOf(lines, END);
        assertThat(start).as("README has %s ... %s around the configuration table", START, END).isNotNegative();
        assertThat(end).as("README has the end marker after the start marker").isGreaterThan(start);
        final List<String> table = lines.subList(start + 1, end);
        assertThat(table.subList(0, 2)).as("the table's header").containsExactly("| key | default | meaning |", "|---|---|---|");
        final List<ConfigKeys.Row> rows = new ArrayList<>();
        for (final String line : table.subList(2, table.size())) {
            assertThat(line).as("a table row").startsWith("|").endsWith("|");
            final String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            assertThat(cells).as("three cells (no '|' inside a cell): %s", line).hasSize(3);
            rows.add(new ConfigKeys.Row(cells[0].strip(), cells[1].strip(), cells[2].strip()));
        }
        return rows;
    }

    private static int indexOf(final List<String> lines, final String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void theReadmeTableIsWhatTheKeyTableRenders() throws IOException {
        assertThat(readmeRows())
                .as("README 'Configuration' differs from ConfigKeys; replace the table between the markers with:%n%s",
                        ConfigKeys.markdownTable())
                .containsExactlyElementsOf(ConfigKeys.rows());
    }

    @Test
    void everyKeyIsListedOnceAndItsDefaultIsValid() {
        final Set<String> names = new HashSet<>();
        for (final ConfigKey<?> key : Stream.concat(ConfigKeys.APP_KEYS.stream(), ConfigKeys.MONITOR_KEYS.stream()).toList()) {
            assertThat(names.add(key.shownName())).as("%s listed once", key.shownName()).isTrue();
            if (key.defaultText() != null) {
                assertThat(key.parser().parse(key.defaultText())).as("default of %s", key.name()).isNotNull();
            }
        }
        assertThat(ConfigKeys.APP_KEYS).allMatch(k -> k.scope() == ConfigKey.Scope.APP);
        assertThat(ConfigKeys.MONITOR_KEYS).allMatch(k -> k.scope() == ConfigKey.Scope.MONITOR);
    }

    /** Every key, app or per monitor (whose name may hold '-' and '_'), has a variable that sets it. */
    @Test
    void everyKeyIsReachableFromTheEnvironment() {
        for (final ConfigKey<?> key : Stream.concat(ConfigKeys.APP_KEYS.stream(), ConfigKeys.MONITOR_KEYS.stream()).toList()) {
            final String variable = key.envVariable("my-monitor_2");
            assertThat(variable).startsWith("DIVERGENT_").matches("[A-Z0-9_]+");
            assertThat(ConfigKeys.keyOfEnvironment(variable)).contains(key.fullName("my-monitor_2"));
        }
        assertThat(ConfigKeys.MAX_FUTURE.envVariable(null)).isEqualTo("DIVERGENT_MAX_FUTURE");
        assertThat(ConfigKeys.WINDOW_SIZE.envVariable("genres")).isEqualTo("DIVERGENT_MONITOR_GENRES_WINDOW_SIZE");
        assertThat(ConfigKeys.keyOfEnvironment("PATH")).isEmpty();
        assertThat(ConfigKeys.keyOfEnvironment("KAFKA_NUM_STREAM_THREADS")).contains("kafka.num.stream.threads");
    }

    /** The did-you-mean of unknown keys offers the table's names: a one-letter slip of each is caught. */
    @Test
    void aSlipOfAnyKeyInTheTableSuggestsIt() {
        for (final ConfigKey<?> key : Stream.concat(ConfigKeys.APP_KEYS.stream(), ConfigKeys.MONITOR_KEYS.stream()).toList()) {
            final String name = key.fullName("genres");
            final String slip = name.substring(0, name.length() - 1) + "x" + name.charAt(name.length() - 1);
            final Map<String, String> keys = new LinkedHashMap<>(Map.of("monitor.genres.input.topic", "plays",
                    "monitor.genres.category.field", "genre"));
            keys.put(slip, "1");
            assertThatThrownBy(() -> DivergentConfig.fromMap(keys)).as(slip)
                    .hasMessage("unknown key '" + slip + "': did you mean '" + name + "'?");
        }
    }

    /** "0 means no bound" is resolved by the table: callers compare with the value as given. */
    @Test
    void zeroMeansNoBoundIsResolvedInTheConfig() {
        final Map<String, String> keys = new LinkedHashMap<>(Map.of("monitor.genres.input.topic", "plays",
                "monitor.genres.category.field", "genre"));
        final DivergentConfig defaults = DivergentConfig.fromMap(keys);
        assertThat(defaults.maxFuture().toMillis()).isEqualTo(3_600_000L);
        assertThat(defaults.maxCategories()).isEqualTo(10_000L);
        assertThat(defaults.rocksDbMemoryBytes()).isEqualTo(OptionalLong.of(128L << 20));

        keys.putAll(Map.of("max.future", "0", "max.categories", "0", "rocksdb.memory.mb", "0"));
        final DivergentConfig unbounded = DivergentConfig.fromMap(keys);
        assertThat(unbounded.maxFuture()).isEqualTo(ConfigKeys.NO_BOUND);
        assertThat(unbounded.maxFuture().toMillis()).isEqualTo(Long.MAX_VALUE);
        assertThat(unbounded.maxCategories()).isEqualTo(Long.MAX_VALUE);
        assertThat(unbounded.rocksDbMemoryBytes()).isEmpty();
    }
}
