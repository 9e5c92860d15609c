package io.divergent.topology;

import io.divergent.avro.Contributor;
import io.divergent.avro.DivergenceEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, item 3: the category cap keeps the most frequent categories of each window
 * (Space-Saving with max.categories + 1 counters per pane) and folds the reference onto the
 * same kept set, so a window identical to its reference shows no drift.
 */
class CategoryFoldTest {

    private static final long S = 1_000;

    /** A window with exactly the reference's proportions (0.1 / 0.1 / 0.8), in a shuffled order. */
    @ParameterizedTest(name = "max.categories={0}")
    @ValueSource(strings = {"2", "3", "10", "0"})
    void aWindowIdenticalToItsReferenceScoresZeroWhateverTheCap(final String cap) {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "max.categories", cap))) {
            t.reference("genres", 0, Map.of("a", 0.1, "b", 0.1, "c", 0.8));
            final List<String> stream = new ArrayList<>();
            stream.addAll(Collections.nCopies(10, "a"));
            stream.addAll(Collections.nCopies(10, "b"));
            stream.addAll(Collections.nCopies(80, "c"));
            Collections.shuffle(stream, new Random(13));
            for (final String genre : stream) {
                t.genre(1 * S, genre, 1);
            }
            t.genre(60 * S, "a", 1); // closes [0, 60s)

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getJsDistance()).isLessThan(1e-12);
            assertThat(e.getKlInfinite()).isFalse();
            assertThat(e.getObservedTotal()).isEqualTo(100);
            if (cap.equals("2")) {
                // a (10) and b (10) tie: the name decides; the reference folds the same category
                assertThat(e.getOtherCount()).isEqualTo(10);
                assertThat(e.getOtherMass()).isEqualTo(0.1);
                assertThat(e.getFoldedCategories()).isEqualTo(1);
                assertThat(e.getReferenceFoldedCategories()).isEqualTo(1);
                assertThat(e.getReferenceFoldedWeight()).isEqualTo(0.1);
                assertThat(e.getReferenceFoldedMass()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-15));
                assertThat(e.getCategories()).as("a, c, __other__").isEqualTo(3);
            } else {
                assertThat(e.getOtherCount()).isZero();
                assertThat(e.getReferenceFoldedCategories()).isZero();
            }
        }
    }

    /**
     * The Space-Saving bound, on random Zipf streams: with m = max.categories + 1 counters and N
     * events, every category with more than N / m events is kept in a one-pane window, with a
     * count at most N / m below its true count (exact when kept_count_error is 0); in a window
     * of several panes, every category with more than 2 N / m is kept, within the same N / m.
     * The folded rest is exactly N minus the kept counts.
     */
    @ParameterizedTest(name = "advance={0}")
    @ValueSource(strings = {"60s", "20s"})
    void heavyHittersAreKeptWithinTheSketchBound(final String advance) {
        final int cap = 4;
        final int m = cap + 1;
        final int universe = 30;
        final Map<String, Double> uniform = new HashMap<>();
        for (int c = 0; c < universe; c++) {
            uniform.put("g" + c, 1.0);
        }
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "max.categories", Integer.toString(cap),
                "monitor.genres.window.advance", advance, "monitor.genres.top", Integer.toString(cap + 1)))) {
            t.reference("genres", 0, uniform);
            final int trials = 8;
            final List<Map<String, Integer>> truths = new ArrayList<>();
            for (int trial = 0; trial < trials; trial++) {
                final Random random = new Random(1000 + trial);
                final Map<String, Integer> truth = new HashMap<>();
                final long start = 60 * S * (trial + 1);
                // Zipf(1.1) over the universe, 300 events spread over the window's panes
                final double[] cdf = zipf(universe, 1.1);
                for (int i = 0; i < 300; i++) {
                    final String genre = "g" + draw(cdf, random.nextDouble());
                    truth.merge(genre, 1, Integer::sum);
                    t.genre(start + (long) (random.nextDouble() * 60 * S), genre, 1);
                }
                truths.add(truth);
            }
            t.genre(60 * S * (trials + 3), "g0", 1); // closes them all
            final Map<Long, DivergenceEvent> byStart = new HashMap<>();
            for (final DivergenceEvent e : t.events()) {
                byStart.put(e.getWindowStart().toEpochMilli(), e);
            }
            final boolean onePane = advance.equals("60s");
            for (int trial = 0; trial < trials; trial++) {
                final DivergenceEvent e = byStart.get(60 * S * (trial + 1));
                final long n = e.getObservedTotal();
                assertThat(n).isEqualTo(300);
                final Map<String, Long> kept = new HashMap<>();
                for (final Contributor c : e.getTopContributors()) {
                    kept.put(c.getCategory(), Math.round(c.getP() * n));
                }
                final long other = kept.getOrDefault(WindowProcessor.OTHER, 0L);
                kept.remove(WindowProcessor.OTHER);
                assertThat(kept).as("trial %d", trial).hasSize(cap);
                assertThat(other).isEqualTo(e.getOtherCount());
                assertThat(n - kept.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(other);
                assertThat((double) e.getKeptCountError()).isLessThanOrEqualTo((double) n / m);
                final double heavy = onePane ? (double) n / m : 2.0 * n / m;
                for (final Map.Entry<String, Integer> truth : truths.get(trial).entrySet()) {
                    if (truth.getValue() > heavy) {
                        assertThat(kept).as("trial %d: %s has %d > %.1f events", trial, truth.getKey(), truth.getValue(), heavy)
                                .containsKey(truth.getKey());
                    }
                    final Long count = kept.get(truth.getKey());
                    if (count != null) {
                        assertThat(count).as("trial %d: %s", trial, truth.getKey())
                                .isLessThanOrEqualTo((long) truth.getValue())
                                .isGreaterThanOrEqualTo(truth.getValue() - e.getKeptCountError());
                    }
                }
            }
        }
    }

    /**
     * Hopping windows fold per window: a category under the cap in each pane is counted whole
     * when the window keeps it (per-pane capping showed x kept with some of its events in
     * __other__), and folded whole when it does not.
     */
    @Test
    void hoppingWindowsFoldPerWindowNotPerPane() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre",
                "monitor.genres.window.advance", "30s", "max.categories", "2"))) {
            t.reference("genres", 0, Map.of("a", 1.0, "b", 1.0, "c", 1.0, "x", 1.0));
            t.genre(1 * S, "a", 5);    // pane [0, 30s)
            t.genre(2 * S, "b", 4);
            t.genre(3 * S, "x", 1);    // the third category of the pane
            t.genre(31 * S, "x", 5);   // pane [30s, 60s)
            t.genre(32 * S, "c", 1);
            t.genre(61 * S, "c", 1);   // closes [0, 60s) = {a 5, b 4, x 6, c 1}: keep x, a; b + c -> __other__
            final DivergenceEvent e = t.events().get(0);
            final Map<String, Double> p = new HashMap<>();
            for (final Contributor c : e.getTopContributors()) {
                p.put(c.getCategory(), c.getP());
            }
            assertThat(e.getObservedTotal()).isEqualTo(16);
            assertThat(p).containsOnlyKeys("x", "a", WindowProcessor.OTHER);
            assertThat(p.get("x")).as("all 6 of x, across both panes").isEqualTo(6.0 / 16);
            assertThat(p.get(WindowProcessor.OTHER)).isEqualTo(5.0 / 16);
            assertThat(e.getOtherCount()).isEqualTo(5);
            assertThat(e.getFoldedCategories()).isEqualTo(2);
            assertThat(e.getReferenceFoldedCategories()).as("b and c").isEqualTo(2);
            assertThat(e.getReferenceFoldedMass()).isEqualTo(0.5);
            assertThat(e.getKeptCountError()).isZero();
        }
    }

    private static double[] zipf(final int k, final double s) {
        final double[] cdf = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < k; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    private static int draw(final double[] cdf, final double u) {
        for (int i = 0; i < cdf.length; i++) {
            if (u < cdf[i]) {
                return i;
            }
        }
        return cdf.length - 1;
    }
}
