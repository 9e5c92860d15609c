package io.divergent.cli;

import io.divergent.bench.Contender;
import io.divergent.bench.Workload;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code divergent bench}'s choices that need no broker: the Flink contenders are refused by the
 * product jar (it carries no Flink) before anything starts, and the default contenders and
 * workloads include issue #16's B2 and one-series workload.
 */
class BenchCommandTest {

    @Test
    void theProductJarRefusesTheFlinkContendersNamingTheFlinkBenchJar() {
        for (final String flink : new String[] {"B4H", "b4r", "B3,B4H"}) {
            final ComputeCommandTest.Run run = ComputeCommandTest.run("bench", "--quick", "--contenders", flink);

            assertThat(run.exitCode()).as(flink).isEqualTo(2);
            assertThat(run.err()).as(flink).contains("runs on Flink").contains("mvn -Pflink package")
                    .contains("target/flink/divergent-bench-flink.jar");
        }
    }

    @Test
    void flinkContendersAreUnavailableWithoutTheFlinkJarAndTheOthersAreAvailable() {
        assertThat(Contender.B4H.available()).isFalse();
        assertThat(Contender.B4R.available()).isFalse();
        for (final Contender contender : Contender.parse(Contender.DEFAULTS + ",P2,P3")) {
            assertThat(contender.available()).as(contender.name()).isTrue();
        }
    }

    @Test
    void theDefaultsHaveB2AndTheOneSeriesWorkload() {
        assertThat(Contender.parse(Contender.DEFAULTS)).containsExactly(Contender.B0, Contender.B1, Contender.B2,
                Contender.B3, Contender.P);
        final Workload oneSeries = Workload.parse("one-series").get(0);
        assertThat(Workload.parse("all")).contains(oneSeries);
        assertThat(oneSeries.series()).isEqualTo(1);
        assertThat(oneSeries.partitions()).isEqualTo(8);
        assertThat(oneSeries.keyedBySeries()).isFalse();
        assertThat(oneSeries.segmented()).isFalse();
    }
}
