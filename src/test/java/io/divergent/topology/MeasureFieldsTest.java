package io.divergent.topology;

import io.divergent.avro.Comparison;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.math.Divergence;
import io.divergent.math.DivergenceCalculator;
import io.divergent.math.Histogram;
import io.divergent.math.Measure;
import io.divergent.math.Unit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;

/** The event carries every {@link Measure} under its name, and a threshold on each one raises its alert. */
class MeasureFieldsTest {

    private static final long S = 1_000;

    @Test
    void everyMeasureIsInTheEventAndEveryAlertableOneCanFire() {
        // About measure fields: the raw values, no evidence asked for, no change detector.
        final List<String> keys = new ArrayList<>(List.of("monitor.genres.unit", "nats", "monitor.genres.alert.effect", "raw",
                "monitor.genres.alert.significance", "1", "monitor.genres.alert.change", "false"));
        for (final Measure measure : Measure.alertableMeasures()) {
            // Every measure is >= 0 and every p-value <= 1: these thresholds all fire.
            keys.add("monitor.genres.alert." + measure.field() + ".warning");
            keys.add(measure.alerting() == Measure.Alerting.LOWER_IS_WORSE ? "2" : "0");
        }
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", keys.toArray(String[]::new)))) {
            t.reference("genres", 0, Map.of("a", 1.0, "b", 1.0));
            t.genre(1 * S, "a", 3);     // [0, 60s): a 3
            t.genre(2 * S, "c", 1);     // [0, 60s): c 1, not in the reference
            t.genre(60 * S, "a", 1);    // closes [0, 60s): {a: 3, c: 1} against {a: 1, b: 1}

            final List<DivergenceEvent> events = t.events();
            assertThat(events).hasSize(1);
            final DivergenceEvent event = events.get(0);
            final Divergence expected = DivergenceCalculator.withDefaults().withUnit(Unit.NATS)
                    .compute(Histogram.of(Map.of("a", 3, "c", 1)), Histogram.of(Map.of("a", 1, "b", 1)));
            for (final Measure measure : Measure.values()) {
                assertThat(event.get(measure.field())).as(measure.field()).isEqualTo(measure.of(expected));
            }

            final List<DriftAlert> alerts = t.alerts();
            assertThat(alerts).extracting(DriftAlert::getMeasure).as("one alert per measure, in declaration order")
                    .containsExactlyElementsOf(Measure.alertableNames());
            for (final DriftAlert alert : alerts) {
                final Measure measure = Measure.named(alert.getMeasure());
                assertThat(alert.getValue()).as(measure.field()).isEqualTo(measure.of(expected));
                assertThat(alert.getUnit()).as("unit of %s", measure.field())
                        .isEqualTo(measure.unitKind() == Measure.UnitKind.UNIT_FREE
                                || measure.unitKind() == Measure.UnitKind.STATISTIC
                                || measure.unitKind() == Measure.UnitKind.P_VALUE ? "NONE" : "NATS");
                assertThat(alert.getComparison()).as("comparison of %s", measure.field())
                        .isEqualTo(measure == Measure.G_P_VALUE ? Comparison.BELOW : Comparison.AT_LEAST);
            }
        }
    }

    @Test
    void psiIsInNatsAndSaysSoInABitsMonitor() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre",
                "monitor.genres.unit", "bits",
                "monitor.genres.alert.psi.warning", "0.1",
                // Four events are no evidence: this test is about units, so no significance is asked for.
                "monitor.genres.alert.significance", "1",
                "monitor.genres.alert.effect", "raw",
                "monitor.genres.alert.change", "false",
                "monitor.genres.alert.kl_pq.warning", "0"))) {
            t.reference("genres", 0, Map.of("a", 1.0, "b", 1.0));
            t.genre(1 * S, "a", 3);     // [0, 60s): a 3
            t.genre(2 * S, "b", 1);     // [0, 60s): b 1
            t.genre(60 * S, "a", 1);    // closes [0, 60s): {a: 3, b: 1} against {a: 1, b: 1}

            // PSI = (3/4 - 1/2) ln(3/2) + (1/4 - 1/2) ln(1/2) = (ln 3 - ln 2 + ln 2) / 4 = ln(3) / 4 = 0.2747 nats
            // (0.3962 in bits); KL(P||Q) = 3/4 log2(3/2) + 1/4 log2(1/2) = 0.1887 bits.
            final double psi = Math.log(3) / 4;
            final DivergenceEvent event = t.events().get(0);
            assertThat(event.getUnit()).isEqualTo(io.divergent.avro.Unit.BITS);
            assertThat(event.getPsi()).isCloseTo(psi, org.assertj.core.api.Assertions.within(1e-15));
            assertThat(event.getKlPq()).isCloseTo(0.75 * Math.log(1.5) / Math.log(2) - 0.25,
                    org.assertj.core.api.Assertions.within(1e-15));
            final List<DriftAlert> alerts = t.alerts();
            assertThat(alerts).extracting(DriftAlert::getMeasure).containsExactly("kl_pq", "psi");
            assertThat(alerts.get(0).getUnit()).isEqualTo("BITS");
            assertThat(alerts.get(1).getUnit()).isEqualTo("NATS");
            assertThat(alerts.get(1).getValue()).isCloseTo(psi, org.assertj.core.api.Assertions.within(1e-15));
        }
    }
}
