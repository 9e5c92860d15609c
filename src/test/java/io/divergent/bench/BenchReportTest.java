package io.divergent.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A run that left records out of its windows is not a run of the same work: the report says so. */
class BenchReportTest {

    private static Measurement run(final Contender contender, final long emitted, final long uncounted) {
        return new Measurement("tumbling-64", contender, 1_000, 1_000_000_000L, 1, 1, 0, 1, emitted, emitted < 0 ? -1 : 10, uncounted,
                List.of());
    }

    @Test
    void windowsAreConsistentOnlyWhenEveryWindowIsOutAndNoRecordWasLeftOut() {
        final BenchReport same = new BenchReport();
        same.add(run(Contender.P, 10, 0));
        same.add(run(Contender.B3, 10, 0));
        same.add(run(Contender.B2, -1, -1));
        assertThat(same.windowsConsistent("tumbling-64")).isTrue();

        final BenchReport leftOut = new BenchReport();
        leftOut.add(run(Contender.P, 10, 0));
        leftOut.add(run(Contender.B3, 10, 0));
        leftOut.add(run(Contender.B3, 10, 840));
        assertThat(leftOut.windowsConsistent("tumbling-64")).isFalse();
        assertThat(leftOut.toJson().get("workloads").get(0).get("contenders").get("B3")
                .get("records_left_out_each_run")).extracting(n -> n.asLong()).containsExactly(0L, 840L);
        assertThat(leftOut.toJson().get("workloads").get(0).get("contenders").get("P")
                .get("records_left_out_each_run")).extracting(n -> n.asLong()).containsExactly(0L);
        final ByteArrayOutputStream table = new ByteArrayOutputStream();
        leftOut.printTable(new PrintStream(table, true, StandardCharsets.UTF_8));
        assertThat(table.toString(StandardCharsets.UTF_8))
                .contains("| tumbling-64 | B3 | 1,000 |").contains("| 10 / 10 expected | 840 |")
                .contains("| NO |");

        final BenchReport missing = new BenchReport();
        missing.add(run(Contender.P, 9, 0));
        assertThat(missing.windowsConsistent("tumbling-64")).isFalse();
    }
}
