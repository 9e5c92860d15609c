package io.divergent.topology;

import io.divergent.math.BaselineKind;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.NoDriftCalibration;
import io.divergent.avro.NoDriftMethod;
import io.divergent.math.Histogram;
import io.divergent.math.NoDrift;
import io.divergent.math.NoDriftCalibrator;
import io.divergent.math.Unit;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The event's {@code no_drift} field: present with a reference, the calibrator's numbers, the same on a replay. */
class NoDriftFieldsTest {

    private static final long S = 1_000;

    @Test
    void topicReferenceIsAFixedDistributionAndAReplayGivesTheSameNumbers() {
        final List<DivergenceEvent> first = fixedReferenceRun();
        final List<DivergenceEvent> replay = fixedReferenceRun();
        assertThat(first).hasSize(2);

        // [0, 60s) = {a: 100, b: 100, c: 200}, exactly the reference's 1:1:2. Expected counts >= 100:
        // chi-square, E[JS_nats] = (K - 1) / (8 N_P) = 2 / 3200 = 0.000625; observed 0, so p = 1.
        final NoDriftCalibration quiet = first.get(0).getNoDrift();
        assertThat(quiet.getBaselineSampleSize()).as("fixed: N_Q infinite").isNull();
        assertThat(quiet.getCategories()).isEqualTo(3);
        assertThat(quiet.getJsDivergence().getMethod()).isEqualTo(NoDriftMethod.CHI_SQUARE);
        assertThat(quiet.getJsDivergence().getExpected()).isCloseTo(0.000625, within(1e-15));
        assertThat(quiet.getJsDivergence().getObserved()).isCloseTo(0.0, within(1e-15));
        assertThat(quiet.getJsDivergence().getPValue()).isEqualTo(1.0);
        assertThat(quiet.getTotalVariation().getMethod()).isEqualTo(NoDriftMethod.GAUSSIAN_SIMULATION);
        assertThat(quiet.getLInfinity()).isNotNull();

        // [60s, 120s) = {a: 3, b: 2, c: 5}: expected counts 2.5, simulated with the monitor's seed (a fixed baseline).
        final NoDriftCalibration small = first.get(1).getNoDrift();
        final NoDrift direct = NoDriftCalibrator.instance().calibrate(Histogram.of(Map.of("a", 3, "b", 2, "c", 5)),
                Histogram.of(Map.of("a", 1, "b", 1, "c", 2)), BaselineKind.FIXED, 0, Unit.NATS,
                NoDriftCalibrator.seed("genres", 0));
        assertThat(small.getJsDistance().getMethod()).isEqualTo(NoDriftMethod.MULTINOMIAL_SIMULATION);
        assertThat(small.getReplicates()).isEqualTo(direct.replicates()).isPositive();
        assertThat(small.getJsDistance().getExpected()).isEqualTo(direct.jsDistance().expected());
        assertThat(small.getHellinger().getPValue()).isEqualTo(direct.hellinger().pValue());
        assertThat(small.getLInfinity().getExpected()).isEqualTo(direct.lInfinity().expected());
        assertThat(small.getJsDistance().getObserved()).isCloseTo(first.get(1).getJsDistance(), within(1e-12));

        assertThat(replay).extracting(DivergenceEvent::getNoDrift).as("replay")
                .containsExactlyElementsOf(first.stream().map(DivergenceEvent::getNoDrift).toList());
    }

    @Test
    void previousWindowIsASampleOfItsRawTotal() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("prev", "genre", "monitor.prev.reference.mode", "previous"))) {
            t.genre(10 * S, "a", 30);   // [0, 60s): a 30
            t.genre(11 * S, "b", 20);   // [0, 60s): b 20
            t.genre(70 * S, "a", 25);   // [60s, 120s): a 25; closes [0, 60s) (no past: no reference)
            t.genre(71 * S, "b", 25);   // [60s, 120s): b 25
            t.genre(130 * S, "a", 1);   // closes [60s, 120s) against [0, 60s)

            final List<DivergenceEvent> events = t.events();
            assertThat(events.get(0).getNoDrift()).as("no reference").isNull();
            final NoDriftCalibration c = events.get(1).getNoDrift();
            assertThat(c.getBaselineSampleSize()).isEqualTo(50.0);
            // Pooled 55:45, expected counts >= 22.5 on each side: chi-square with N_eff = 1 / (1/50 + 1/50) = 25.
            assertThat(c.getJsDivergence().getExpected()).isCloseTo(1 / (8 * 25.0) / Math.log(2), within(1e-15));
        }
    }

    private static List<DivergenceEvent> fixedReferenceRun() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "monitor.genres.unit", "nats"))) {
            t.reference("genres", 0, Map.of("a", 1.0, "b", 1.0, "c", 2.0));
            t.genre(1 * S, "a", 100);   // [0, 60s)
            t.genre(2 * S, "b", 100);   // [0, 60s)
            t.genre(3 * S, "c", 200);   // [0, 60s)
            t.genre(61 * S, "a", 3);    // [60s, 120s); closes [0, 60s)
            t.genre(62 * S, "b", 2);    // [60s, 120s)
            t.genre(63 * S, "c", 5);    // [60s, 120s)
            t.genre(120 * S, "a", 1);   // closes [60s, 120s)
            return t.events();
        }
    }
}
