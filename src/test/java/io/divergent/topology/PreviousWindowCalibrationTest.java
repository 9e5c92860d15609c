package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.GTestKind;
import io.divergent.testing.Multinomial;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wiring of issue 13 end to end: {@code reference.mode=previous} on the production topology,
 * 301 one-second windows of N = 100 quiet events (K = 5, the probabilities of
 * {@code GTestCalibrationTest}, seed 1301 fixed before the first run): the events' {@code g_p_value}
 * is below 0.05 in 5% +- 2.5% of the 300 windows that have a previous one (it was about a third
 * before), and so is each distance's no-drift p-value. N = 100 keeps the run to a few seconds; the
 * smallest expected count is still 8.
 */
class PreviousWindowCalibrationTest {

    private static final String[] GENRES = {"a", "b", "c", "d", "e"};
    private static final double[] TRUTH = {0.35, 0.25, 0.20, 0.12, 0.08};
    private static final int WINDOWS = 301;
    private static final int N = 100;
    private static final long SIZE = 1_000;

    @Test
    void quietWindowsAgainstThePreviousOneRejectAtTheNominalRate() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("prev", "genre",
                "monitor.prev.reference.mode", "previous", "monitor.prev.window.size", "1s"))) {
            final Multinomial quiet = new Multinomial(TRUTH, 1301);
            for (int w = 0; w < WINDOWS; w++) {
                for (int i = 0; i < N; i++) {
                    // window w = [w s, (w + 1) s); its first record closes window w - 1
                    t.json(w * SIZE + i, "{\"genre\":\"" + GENRES[quiet.draw()] + "\"}");
                }
            }
            t.json(WINDOWS * SIZE, "{\"genre\":\"a\"}");   // closes the last window

            final List<DivergenceEvent> events = t.events().stream().filter(DivergenceEvent::getHasReference).toList();
            assertThat(events).hasSize(WINDOWS - 1);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.getGTest()).isEqualTo(GTestKind.HOMOGENEITY);
                assertThat(e.getReference().getSampleSize()).isEqualTo((double) N);
            });
            final long rejected = events.stream().filter(e -> e.getGPValue() < 0.05).count();
            final double rate = (double) rejected / events.size();
            System.out.printf(Locale.ROOT, "topology, reference.mode=previous, %d windows of N = %d: p<0.05 in %.1f%%%n",
                    events.size(), N, 100 * rate);
            assertThat(rate).as("share of quiet windows with p < 0.05").isBetween(0.025, 0.075);
            final java.util.Map<String, java.util.function.Function<DivergenceEvent, Double>> distances = java.util.Map.of(
                    "js_distance", e -> e.getNoDrift().getJsDistance().getPValue(),
                    "hellinger", e -> e.getNoDrift().getHellinger().getPValue(),
                    "total_variation", e -> e.getNoDrift().getTotalVariation().getPValue(),
                    "l_infinity", e -> e.getNoDrift().getLInfinity().getPValue());
            distances.forEach((name, pValue) -> {
                final double share = events.stream().filter(e -> pValue.apply(e) < 0.05).count() / (double) events.size();
                System.out.printf(Locale.ROOT, "topology, reference.mode=previous, %s no-drift p<0.05 in %.1f%%%n", name, 100 * share);
                assertThat(share).as("share of quiet windows with %s p < 0.05", name).isBetween(0.025, 0.075);
            });
        }
    }
}
