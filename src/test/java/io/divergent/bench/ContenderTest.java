package io.divergent.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PK runs only where the workload's input keeps input.partitioned.by.series' promise, and says so where not. */
class ContenderTest {

    @Test
    void pkRunsOnlyOnAnInputPartitionedBySeriesAndTheReportSaysWhereItDidNot() {
        final Workload tumbling = Workload.parse("tumbling-64").get(0);
        final Workload oneSeries = Workload.parse("one-series").get(0);
        assertThat(Contender.parse("P,PK")).containsExactly(Contender.P, Contender.PK);
        assertThat(Contender.PK.divergent()).isTrue();
        assertThat(Contender.PK.runsOn(tumbling)).isTrue();
        assertThat(Contender.PK.runsOn(oneSeries)).isFalse();
        assertThat(Contender.P.runsOn(oneSeries)).isTrue();
        assertThat(Contender.PK.whyNot(oneSeries)).startsWith("PK not run on one-series: its input (8 partitions keyed by user");

        final BenchReport report = new BenchReport();
        report.skip("one-series", Contender.PK.whyNot(oneSeries));
        report.add(new Measurement("one-series", Contender.P, 10, 1_000_000_000L, 1, 1, 0, 1, 1, 1, 0, java.util.List.of()));
        assertThat(report.toJson().get("workloads").get(0).get("skipped").get(0).asText())
                .isEqualTo(Contender.PK.whyNot(oneSeries));
        final java.io.ByteArrayOutputStream table = new java.io.ByteArrayOutputStream();
        report.printTable(new java.io.PrintStream(table, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(table.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("Skipped: PK not run on one-series");
    }
}
