package io.divergent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code divergent bench --quick} on its own embedded broker: every workload and contender is
 * measured with positive figures, B3 and P emit the same windows, and the restore is measured.
 * Smoke only: no figure is compared with a speed.
 */
class BenchCommandIT {

    @Test
    void quickRunReportsEveryContenderOfEveryWorkload(@TempDir final Path dir) throws Exception {
        final Path json = dir.resolve("bench.json");

        final int exit = Main.commandLine().execute("bench", "--quick", "--json", json.toString());

        assertThat(exit).isZero();
        final JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("workloads")).hasSize(Workload.ALL.size());
        for (final JsonNode workload : root.get("workloads")) {
            final String name = workload.get("name").asText();
            for (final Contender contender : Contender.values()) {
                final JsonNode figures = workload.get("contenders").get(contender.name());
                assertThat(figures).as("%s %s", name, contender).isNotNull();
                assertThat(figures.get("records_per_second").asDouble()).as("%s %s records/s", name, contender).isPositive();
                assertThat(figures.get("cpu_seconds_per_million_records").asDouble()).as("%s %s CPU", name, contender).isPositive();
                assertThat(figures.get("allocated_bytes_per_record").asDouble()).as("%s %s alloc", name, contender).isPositive();
                assertThat(figures.get("peak_heap_mib").asDouble()).as("%s %s heap", name, contender).isPositive();
            }
            for (final String stateful : new String[] {"B3", "P"}) {
                assertThat(workload.get("contenders").get(stateful).get("changelog_bytes_per_record").asDouble())
                        .as("%s %s changelog", name, stateful).isPositive();
            }
            final long p = workload.get("contenders").get("P").get("windows_emitted").asLong();
            assertThat(p).as("%s windows emitted by P", name).isPositive();
            assertThat(workload.get("contenders").get("B3").get("windows_emitted").asLong())
                    .as("%s windows emitted by B3 and P", name).isEqualTo(p);
            assertThat(workload.get("windows_consistent").asBoolean()).as("%s windows consistent", name).isTrue();
        }
        assertThat(root.get("restore").get("restored_records").asLong()).isGreaterThanOrEqualTo(5_000);
        assertThat(root.get("restore").get("seconds_to_running").asDouble()).isPositive();
    }
}
