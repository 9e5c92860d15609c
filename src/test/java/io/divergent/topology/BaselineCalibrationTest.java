package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.GTestKind;
import io.divergent.avro.WeightsKind;
import io.divergent.testing.Multinomial;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13's calibration end to end, on the production topology: one input of 301 one-second
 * windows of N = 100 quiet events (K = 5, seed 1301 fixed before the first run), watched by four
 * monitors, one per baseline kind: a topic reference of the true probabilities (FIXED), a topic
 * reference that is one sample of 1,000 events declared SAMPLE, {@code previous}, and
 * {@code last-n} with 3 windows. In each, {@code g_p_value} and every distance's no-drift p-value
 * fall below 0.05 in 5% +- 2.5% of the 300 windows that have a baseline. (One driver and one
 * decode for the four monitors keeps it to seconds; N = 100 keeps the smallest expected count at 8.)
 */
class BaselineCalibrationTest {

    private static final String[] GENRES = {"a", "b", "c", "d", "e"};
    private static final double[] TRUTH = {0.35, 0.25, 0.20, 0.12, 0.08};
    private static final int WINDOWS = 301;
    private static final int N = 100;
    private static final long SIZE = 1_000;

    @Test
    void quietWindowsRejectAtTheNominalRateAgainstEveryKindOfBaseline() {
        final Map<String, String> keys = new LinkedHashMap<>();
        for (final String monitor : List.of("fixed", "sample", "previous", "last3")) {
            keys.putAll(TopologyHarness.jsonMonitor(monitor, "genre", "monitor." + monitor + ".window.size", "1s"));
        }
        keys.put("monitor.previous.reference.mode", "previous");
        keys.put("monitor.last3.reference.mode", "last-n");
        keys.put("monitor.last3.reference.windows", "3");
        try (TopologyHarness t = new TopologyHarness(keys)) {
            final Map<String, Double> truth = new LinkedHashMap<>();
            final Map<String, Double> sample = new LinkedHashMap<>();
            final Multinomial reference = new Multinomial(TRUTH, 1300);
            for (int i = 0; i < GENRES.length; i++) {
                truth.put(GENRES[i], TRUTH[i]);
                sample.put(GENRES[i], 0.0);
            }
            for (int i = 0; i < 1_000; i++) {
                sample.merge(GENRES[reference.draw()], 1.0, Double::sum);
            }
            t.reference("fixed", 0, truth);                        // in force for every window
            t.reference("sample", 0, sample, WeightsKind.SAMPLE);  // one sample of 1,000, declared so
            final Multinomial quiet = new Multinomial(TRUTH, 1301);
            for (int w = 0; w < WINDOWS; w++) {
                for (int i = 0; i < N; i++) {
                    // window w = [w s, (w + 1) s); its first record closes window w - 1
                    t.json(w * SIZE + i, "{\"genre\":\"" + GENRES[quiet.draw()] + "\"}");
                }
            }
            t.json(WINDOWS * SIZE, "{\"genre\":\"a\"}");            // closes the last window

            final Map<String, List<DivergenceEvent>> byMonitor = new LinkedHashMap<>();
            for (final DivergenceEvent e : t.events()) {
                // previous and last-n have no baseline in their first window(s): only the last 300 windows count
                if (e.getHasReference() && e.getWindowStart().toEpochMilli() >= SIZE) {
                    byMonitor.computeIfAbsent(e.getMonitor(), k -> new ArrayList<>()).add(e);
                }
            }
            assertThat(byMonitor.keySet()).containsExactlyInAnyOrder("fixed", "sample", "previous", "last3");
            final Map<String, Function<DivergenceEvent, Double>> pValues = new LinkedHashMap<>();
            pValues.put("g_p_value", DivergenceEvent::getGPValue);
            pValues.put("js_distance", e -> e.getNoDrift().getJsDistance().getPValue());
            pValues.put("hellinger", e -> e.getNoDrift().getHellinger().getPValue());
            pValues.put("total_variation", e -> e.getNoDrift().getTotalVariation().getPValue());
            pValues.put("l_infinity", e -> e.getNoDrift().getLInfinity().getPValue());
            byMonitor.forEach((monitor, events) -> {
                assertThat(events).as(monitor).hasSize(WINDOWS - 1);
                assertThat(events).allSatisfy(e -> assertThat(e.getGTest())
                        .isEqualTo(monitor.equals("fixed") ? GTestKind.GOODNESS_OF_FIT : GTestKind.HOMOGENEITY));
                pValues.forEach((name, pValue) -> {
                    final double rate = events.stream().filter(e -> pValue.apply(e) < 0.05).count() / (double) events.size();
                    System.out.printf(Locale.ROOT, "topology, baseline %s, %d quiet windows of N = %d: %s < 0.05 in %.1f%%%n",
                            monitor, events.size(), N, name, 100 * rate);
                    assertThat(rate).as("%s baseline: share of quiet windows with %s < 0.05", monitor, name)
                            .isBetween(0.025, 0.075);
                });
            });
        }
    }
}
