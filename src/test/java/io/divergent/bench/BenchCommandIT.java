package io.divergent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code divergent bench --quick --no-fork} on its own embedded broker: each contender of the product jar
 * is measured with positive figures, B3, P and P2 emit the same windows, P2's work is split into
 * its two instances' shares, and the restore is measured. Smoke only: no figure is compared with
 * a speed. Two of the six workloads, to keep the suite under its 10 minutes (B3's runs
 * dominate, each at least one walk of its window store from the epoch): tumbling-1024, zipf and
 * out-of-order differ from tumbling-64 only in the generator's parameters, and hopping windows
 * are the window processor's (its tests cover them); the two kept cover the input keyed by
 * series and the input of 8 partitions keyed by user (one series, re-keyed by every contender
 * but B0 and B1).
 */
class BenchCommandIT {

    private static final List<String> WORKLOADS = List.of("tumbling-64", "one-series");
    private static final List<Contender> CONTENDERS = List.of(Contender.B0, Contender.B1, Contender.B2, Contender.B3,
            Contender.P, Contender.P2);

    @Test
    void quickRunReportsEveryContenderOfEveryWorkload(@TempDir final Path dir) throws Exception {
        final Path json = dir.resolve("bench.json");

        final int exit = Main.commandLine().execute("bench", "--quick", "--no-fork", "--json", json.toString(),
                "--workloads", String.join(",", WORKLOADS),
                "--contenders", String.join(",", CONTENDERS.stream().map(Contender::name).toList()));

        assertThat(exit).isZero();
        final JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("workloads")).hasSize(WORKLOADS.size());
        for (final JsonNode workload : root.get("workloads")) {
            final String name = workload.get("name").asText();
            for (final Contender contender : CONTENDERS) {
                final JsonNode figures = workload.get("contenders").get(contender.name());
                assertThat(figures).as("%s %s", name, contender).isNotNull();
                assertThat(figures.get("records_per_second").asDouble()).as("%s %s records/s", name, contender).isPositive();
                assertThat(figures.get("cpu_seconds_per_million_records").asDouble()).as("%s %s CPU", name, contender).isPositive();
                assertThat(figures.get("allocated_bytes_per_record").asDouble()).as("%s %s alloc", name, contender).isPositive();
                assertThat(figures.get("peak_heap_mib").asDouble()).as("%s %s heap", name, contender).isPositive();
            }
            for (final String stateful : new String[] {"B2", "B3", "P", "P2"}) {
                assertThat(workload.get("contenders").get(stateful).get("changelog_bytes_per_record").asDouble())
                        .as("%s %s changelog", name, stateful).isPositive();
            }
            final long p = workload.get("contenders").get("P").get("windows_emitted").asLong();
            if (name.equals("one-series")) {
                // Its grace outlasts the input: nothing closes, so nothing can be late (Workload.ALL).
                assertThat(p).as("%s windows emitted by P", name).isZero();
            } else {
                assertThat(p).as("%s windows emitted by P", name).isPositive();
            }
            for (final String windowed : new String[] {"B3", "P", "P2"}) {
                assertThat(workload.get("contenders").get(windowed).get("records_left_out_each_run"))
                        .as("%s %s records left out of the windows", name, windowed).isNotEmpty()
                        .allSatisfy(run -> assertThat(run.asLong()).isZero());
            }
            assertThat(workload.get("contenders").get("B3").get("windows_emitted").asLong())
                    .as("%s windows emitted by B3 and P", name).isEqualTo(p);
            assertThat(workload.get("contenders").get("P2").get("windows_emitted").asLong())
                    .as("%s windows emitted by P2 and P", name).isEqualTo(p);
            assertThat(workload.get("windows_consistent").asBoolean()).as("%s windows consistent", name).isTrue();
            final JsonNode shares = workload.get("contenders").get("P2").get("instance_cpu_shares_each_run").get(0);
            assertThat(shares).as("%s P2 instances", name).hasSize(2);
            assertThat(shares.get(0).asDouble() + shares.get(1).asDouble()).as("%s P2 shares", name)
                    .isCloseTo(1.0, within(1e-9));
            assertThat(workload.get("ratios").get("P/B2").isNumber()).as("%s P/B2", name).isTrue();
        }
        // 5,000 counts of 50 series in one open pane: since issue 16 the panes store is a journal,
        // one value per changed pane and commit holding every series counted in it, so a handful
        // of changelog records (the commits while counting), far fewer than the counts.
        assertThat(root.get("restore").get("count_records").asLong()).isEqualTo(5_000);
        assertThat(root.get("restore").get("restored_records").asLong()).isBetween(1L, 500L);
        assertThat(root.get("restore").get("seconds_to_running").asDouble()).isPositive();
    }

    /**
     * The default: a contender runs in a JVM of its own, whose measurements come back to the
     * parent's report and whose output is copied to the parent's, marked with its name; with two
     * forks, in two JVMs one after the other, their reps pooled. One contender on one workload:
     * a child JVM costs a broker start and a fill of its own.
     */
    @Test
    void aForkedContenderRunsInAnotherJvmPerForkAndReportsBack() throws Exception {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

        // One stream thread, set in the parent: the children run with it (one thread's waits line each).
        final BenchReport report = Bench.run(new Bench.Options(2_000, Workload.parse("tumbling-64"), List.of(Contender.P),
                1, 0, 0, 2, Map.of("kafka.num.stream.threads", "1"), out));

        final String output = captured.toString(StandardCharsets.UTF_8);
        final Matcher pid = Pattern.compile("P on tumbling-64: a JVM of its own \\(pid (\\d+)\\)").matcher(output);
        final Set<Long> pids = new HashSet<>();
        while (pid.find()) {
            pids.add(Long.parseLong(pid.group(1)));
        }
        assertThat(pids).as(output).hasSize(2).doesNotContain(ProcessHandle.current().pid());
        assertThat(output).contains("[P]   rep 1    tumbling-64      P");
        // Each run's line per stream thread (StreamWaits): the one thread the setting left.
        assertThat(Pattern.compile("\\[P\\]   \\S+-StreamThread-1: CPU [0-9.]+, poll idle [0-9.]+, flush [0-9.]+, "
                + "send offsets [0-9.]+, commit [0-9.]+ \\(waits [0-9.]+\\)").matcher(output).results().count())
                .as(output).isEqualTo(2);
        assertThat(output).doesNotContain("-StreamThread-2: CPU");
        assertThat(report.setup()).containsEntry("divergent_settings", new java.util.TreeMap<>(Map.of("kafka.num.stream.threads", "1")));
        assertThat(report.measurements()).hasSize(2).allSatisfy(m -> {
            assertThat(m.contender()).isEqualTo(Contender.P);
            assertThat(m.records()).isEqualTo(2_000);
            assertThat(m.recordsPerSecond()).isPositive();
            assertThat(m.emittedWindows()).isPositive().isEqualTo(m.expectedWindows());
        });
    }
}
