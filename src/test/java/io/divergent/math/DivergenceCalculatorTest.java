package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Exact cases, each value derived by hand in its comment. */
class DivergenceCalculatorTest {

    private static final double LN2 = Math.log(2);
    private static final Offset<Double> EXACT = within(1e-15);

    private static double log2(final double x) {
        return Math.log(x) / Math.log(2);
    }
    private static final DivergenceCalculator BITS = DivergenceCalculator.withDefaults();
    private static final DivergenceCalculator NATS = BITS.withUnit(Unit.NATS);

    @Test
    void defaultsAndImmutableConfiguration() {
        final DivergenceCalculator defaults = DivergenceCalculator.withDefaults();
        assertThat(defaults.alpha()).isZero();
        assertThat(defaults.unit()).isEqualTo(Unit.BITS);
        assertThat(defaults.topContributors()).isEqualTo(5);

        final DivergenceCalculator custom = defaults.withAlpha(0.5).withUnit(Unit.NATS).withTopContributors(0);
        assertThat(custom.alpha()).isEqualTo(0.5);
        assertThat(custom.unit()).isEqualTo(Unit.NATS);
        assertThat(custom.topContributors()).isZero();
        assertThat(defaults.alpha()).isZero();
        assertThat(defaults.unit()).isEqualTo(Unit.BITS);
        assertThat(custom.toString()).contains("alpha=0.5", "unit=nats", "topContributors=0");
    }

    @Test
    void invalidConfigurationIsRejected() {
        for (final double alpha : new double[] {-1e-300, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> BITS.withAlpha(alpha))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("alpha must be finite and >= 0");
        }
        assertThatThrownBy(() -> BITS.withTopContributors(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> BITS.withUnit(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> BITS.compute(null, Histogram.empty())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> BITS.compute(Histogram.empty(), null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void workedExampleFromTheSpec() {
        // P = (0.4, 0.3, 0.2, 0.1), Q = (0.3, 0.4, 0.2, 0.1):
        // KL(P||Q) = 0.4 ln(4/3) + 0.3 ln(3/4) = 0.1 ln(4/3) = 0.028768 nats = 0.041504 bits.
        final Histogram p = histogram("action", 0.4, "comedy", 0.3, "drama", 0.2, "horror", 0.1);
        final Histogram q = histogram("action", 0.3, "comedy", 0.4, "drama", 0.2, "horror", 0.1);
        final double klNats = 0.1 * Math.log(4.0 / 3);

        assertThat(NATS.compute(p, q).klPq()).isCloseTo(klNats, within(1e-15));
        assertThat(NATS.compute(p, q).klPq()).isCloseTo(0.0288, within(5e-5));
        assertThat(BITS.compute(p, q).klPq()).isCloseTo(klNats / LN2, within(1e-15));
        assertThat(BITS.compute(p, q).klPq()).isCloseTo(0.0415, within(5e-5));
        // Symmetric example: KL(Q||P) = 0.3 ln(3/4) + 0.4 ln(4/3) is the same number.
        assertThat(BITS.compute(p, q).klQp()).isCloseTo(klNats / LN2, within(1e-15));
        // TV = (0.1 + 0.1) / 2.
        assertThat(BITS.compute(p, q).totalVariation()).isCloseTo(0.1, EXACT);
    }

    @Test
    void identicalDistributionsGiveZeroDivergence() {
        // (5, 5) and (1, 1) are both (1/2, 1/2): every divergence is exactly 0, entropy 1 bit.
        final Divergence d = BITS.compute(histogram("a", 5, "b", 5), histogram("a", 1, "b", 1));
        assertThat(new double[] {d.klPq(), d.klQp(), d.jsDivergence(), d.jsDistance(), d.psi(),
                d.hellinger(), d.totalVariation(), d.gStatistic()}).containsOnly(0.0);
        assertThat(d.entropyP()).isEqualTo(1.0);
        assertThat(d.entropyQ()).isEqualTo(1.0);
        assertThat(d.crossEntropyPq()).isEqualTo(1.0);
        assertThat(d.gDegreesOfFreedom()).isEqualTo(1);
        assertThat(d.gPValue()).isEqualTo(1.0);
        assertThat(d.klInfinite()).isFalse();
        assertThat(d.unseenMass()).isZero();
        assertThat(d.missingMass()).isZero();
    }

    @Test
    void disjointSupports() {
        // P = {a: 7}, Q = {b: 3}: p = (1, 0), q = (0, 1) over K = 2.
        // KL both ways infinite; M = (1/2, 1/2) so JS = (log 2 + log 2) / 2 = 1 bit;
        // sum sqrt(p q) = 0 so Hellinger 1; TV 1; all observed mass unseen, all reference mass missing.
        final Divergence d = BITS.compute(histogram("a", 7), histogram("b", 3));
        assertThat(d.categories()).isEqualTo(2);
        assertThat(d.klPq()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.klQp()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.psi()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.crossEntropyPq()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.klInfinite()).isTrue();
        assertThat(d.jsDivergence()).isEqualTo(1.0);
        assertThat(d.jsDistance()).isEqualTo(1.0);
        assertThat(d.hellinger()).isEqualTo(1.0);
        assertThat(d.totalVariation()).isEqualTo(1.0);
        assertThat(d.entropyP()).isZero();
        assertThat(d.entropyQ()).isZero();
        assertThat(d.gStatistic()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.gPValue()).isZero();
        assertThat(d.unseenMass()).isEqualTo(1.0);
        assertThat(d.missingMass()).isEqualTo(1.0);
        // In nats JS is log 2.
        assertThat(NATS.compute(histogram("a", 7), histogram("b", 3)).jsDivergence()).isEqualTo(LN2);
    }

    @Test
    void smoothingMakesDisjointSupportsFinite() {
        // alpha = 1, K = 2: p = (8/9, 1/9), q = (1/5, 4/5).
        final Divergence d = NATS.withAlpha(1).compute(histogram("a", 7), histogram("b", 3));
        final double expected = 8.0 / 9 * Math.log((8.0 / 9) / (1.0 / 5)) + 1.0 / 9 * Math.log((1.0 / 9) / (4.0 / 5));
        assertThat(d.klPq()).isCloseTo(expected, within(1e-15));
        assertThat(d.klInfinite()).isFalse();
        assertThat(d.alpha()).isEqualTo(1.0);
        // The masses are of the raw weights: smoothing does not hide that b was never observed.
        assertThat(d.unseenMass()).isEqualTo(1.0);
        assertThat(d.missingMass()).isEqualTo(1.0);
        // Ranked by JS term (issue 13): b (1/9 vs 4/5, 0.147 nats) before a (8/9 vs 1/5, 0.118 nats);
        // their directions come from the raw weights, which smoothing does not hide.
        assertThat(d.topContributors()).extracting(Contribution::category).containsExactly("b", "a");
        assertThat(d.topContributors()).extracting(Contribution::direction)
                .containsExactly(Contribution.Direction.VANISHED, Contribution.Direction.NEW);
        assertThat(d.topContributors().get(1).p()).isCloseTo(8.0 / 9, EXACT);
        assertThat(d.topContributors().get(1).q()).isCloseTo(1.0 / 5, EXACT);
    }

    @Test
    void singleCategoryHasZeroDegreesOfFreedom() {
        // K = 1: p = q = 1, nothing diverges, df = 0 so the p-value is 1 by definition.
        final Divergence d = BITS.compute(histogram("only", 42), histogram("only", 9));
        assertThat(d.categories()).isEqualTo(1);
        assertThat(d.klPq()).isZero();
        assertThat(d.jsDivergence()).isZero();
        assertThat(d.entropyP()).isZero();
        assertThat(d.gStatistic()).isZero();
        assertThat(d.gDegreesOfFreedom()).isZero();
        assertThat(d.gPValue()).isEqualTo(1.0);
    }

    @Test
    void referenceWithoutAnObservedCategoryMakesKlInfinite() {
        // P = (1/2, 1/2), Q = (1, 0): b has p > 0 = q.
        // KL(P||Q) = +Infinity, G = +Infinity, p-value 0; KL(Q||P) = 1 log(1 / (1/2)) = 1 bit.
        final Divergence d = BITS.compute(histogram("a", 1, "b", 1), histogram("a", 1));
        assertThat(d.klInfinite()).isTrue();
        assertThat(d.klPq()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.klQp()).isCloseTo(1.0, EXACT);
        assertThat(d.gStatistic()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.gDegreesOfFreedom()).isEqualTo(1);
        assertThat(d.gPValue()).isZero();
        assertThat(d.unseenMass()).isEqualTo(0.5);
        assertThat(d.missingMass()).isZero();
        // b: JS term (1/2 log2(2) + 0) / 2 = 1/4 bit, new.
        assertThat(d.topContributors().get(0)).isEqualTo(new Contribution("b", 0.5, 0.0, Double.POSITIVE_INFINITY,
                0.25, Contribution.Direction.NEW));
        // a: KL term 1/2 log2((1/2) / 1) = -1/2 bit; JS term (1/2 log2(2/3) + log2(4/3)) / 2, shrank.
        final Contribution a = d.topContributors().get(1);
        assertThat(a.category()).isEqualTo("a");
        assertThat(a.term()).isEqualTo(-0.5);
        assertThat(a.jsTerm()).isCloseTo((0.5 * log2(2.0 / 3) + log2(4.0 / 3)) / 2, EXACT);
        assertThat(a.direction()).isEqualTo(Contribution.Direction.SHRANK);
    }

    @Test
    void windowWithoutAReferenceCategoryIsFiniteOneWay() {
        // P = (1, 0), Q = (1/2, 1/2): KL(P||Q) = log 2, KL(Q||P) infinite, half the reference mass missing.
        // G = 2 N_P KL_nats = 2 ln 2 with df = 1.
        final Divergence d = BITS.compute(histogram("a", 1), histogram("a", 1, "b", 1));
        assertThat(d.klPq()).isCloseTo(1.0, EXACT);
        assertThat(d.klQp()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d.klInfinite()).isFalse();
        assertThat(d.missingMass()).isEqualTo(0.5);
        assertThat(d.unseenMass()).isZero();
        assertThat(d.gStatistic()).isCloseTo(2 * LN2, EXACT);
        assertThat(d.gPValue()).isCloseTo(ChiSquaredDistribution.of(1).survivalProbability(2 * LN2), EXACT);
        // b has p = 0: its KL term 0 log(0 / q) is 0 by convention, but it vanished and its JS term
        // (0 + 1/2 log2 2) / 2 = 1/4 bit ranks it first (issue 13; it ranked last by the KL term).
        // a: JS term (log2(4/3) + 1/2 log2(2/3)) / 2 = 0.0613 bit.
        final double jsA = (log2(4.0 / 3) + 0.5 * log2(2.0 / 3)) / 2;
        assertThat(d.topContributors()).extracting(Contribution::category).containsExactly("b", "a");
        assertThat(d.topContributors().get(0)).isEqualTo(
                new Contribution("b", 0.0, 0.5, 0.0, 0.25, Contribution.Direction.VANISHED));
        final Contribution a = d.topContributors().get(1);
        assertThat(new double[] {a.p(), a.q(), a.term()}).containsExactly(1.0, 0.5, 1.0);
        assertThat(a.jsTerm()).isCloseTo(jsA, EXACT);
        assertThat(a.direction()).isEqualTo(Contribution.Direction.GREW);
        assertThat(a.jsTerm() + d.topContributors().get(0).jsTerm()).isCloseTo(d.jsDivergence(), EXACT);
    }

    @Test
    void gTestScalesWithTheRawObservedTotal() {
        // The same proportions as counts (N_P = 100) and as fractions (N_P = 1): G differs by 100.
        final Histogram q = histogram("action", 3, "comedy", 4, "drama", 2, "horror", 1);
        final Divergence counts = NATS.compute(histogram("action", 40, "comedy", 30, "drama", 20, "horror", 10), q);
        assertThat(counts.observedTotal()).isEqualTo(100.0);
        assertThat(counts.referenceTotal()).isEqualTo(10.0);
        assertThat(counts.gStatistic()).isCloseTo(2 * 100 * 0.1 * Math.log(4.0 / 3), within(1e-12));
        assertThat(counts.gDegreesOfFreedom()).isEqualTo(3);
        assertThat(counts.gPValue()).isCloseTo(0.12423101879824555, within(1e-12));
        // G is in nats whatever the unit.
        assertThat(BITS.compute(histogram("action", 40, "comedy", 30, "drama", 20, "horror", 10), q).gStatistic())
                .isEqualTo(counts.gStatistic());
    }

    @Test
    void emptyHistogramsAreUndefinedWithoutSmoothing() {
        final Histogram some = histogram("a", 1);
        assertThatThrownBy(() -> BITS.compute(Histogram.empty(), some))
                .isInstanceOf(EmptyHistogramException.class)
                .hasMessageStartingWith("observed histogram has total weight 0")
                .extracting(e -> ((EmptyHistogramException) e).side()).isEqualTo(EmptyHistogramException.OBSERVED);
        assertThatThrownBy(() -> BITS.compute(some, histogram("a", 0, "b", 0)))
                .isInstanceOf(EmptyHistogramException.class)
                .hasMessageStartingWith("reference histogram has total weight 0")
                .extracting(e -> ((EmptyHistogramException) e).side()).isEqualTo(EmptyHistogramException.REFERENCE);
        assertThatThrownBy(() -> BITS.withAlpha(1).compute(Histogram.empty(), Histogram.empty()))
                .isInstanceOf(EmptyHistogramException.class);
        assertThatThrownBy(() -> BITS.entropy(Histogram.empty())).isInstanceOf(EmptyHistogramException.class);
        assertThatThrownBy(() -> BITS.entropy(histogram("a", 0))).isInstanceOf(EmptyHistogramException.class);
    }

    @Test
    void smoothingDefinesAnEmptySide() {
        // alpha = 1 over K = 2: the empty reference becomes uniform (1/2, 1/2); P = (3/4, 1/4) from (2+1, 0+1).
        final Divergence d = BITS.withAlpha(1).compute(histogram("a", 2), histogram("a", 0, "b", 0));
        final double expected = 0.75 * Math.log(1.5) / LN2 + 0.25 * Math.log(0.5) / LN2;
        assertThat(d.klPq()).isCloseTo(expected, EXACT);
        assertThat(d.referenceTotal()).isZero();
        assertThat(d.missingMass()).isZero();
        assertThat(d.unseenMass()).isEqualTo(1.0);
        assertThat(d.gStatistic()).isCloseTo(2 * 2 * expected * LN2, EXACT);
    }

    @Test
    void topContributorsLargestJsTermFirstTiesByName() {
        // p = (1, 2, 1, 2, 0)/6, q = (2, 1, 2, 1, 0)/6 + e 6/12 = (2, 1, 2, 1, 6)/12:
        // e vanished with 1/2 of Q: JS term (0 + 1/2 log2 2) / 2 = 1/4 bit, the largest.
        // a, c: p 1/6, q 1/6 (= 2/12): unchanged, JS term 0, KL term 0.
        // b, d: p 2/6, q 1/12, m 5/24: JS term (1/3 log2(8/5) + 1/12 log2(2/5)) / 2 each, grew.
        final Histogram p = histogram("a", 1, "b", 2, "c", 1, "d", 2);
        final Histogram q = histogram("a", 2, "b", 1, "c", 2, "d", 1, "e", 6);
        final List<Contribution> top = BITS.withTopContributors(3).compute(p, q).topContributors();
        assertThat(top).extracting(Contribution::category).containsExactly("e", "b", "d");
        assertThat(top.get(0).jsTerm()).isCloseTo(0.25, EXACT);
        assertThat(top.get(0).term()).isZero();
        assertThat(top.get(0).direction()).isEqualTo(Contribution.Direction.VANISHED);
        assertThat(top.get(1).jsTerm()).isCloseTo((log2(8.0 / 5) / 3 + log2(2.0 / 5) / 12) / 2, EXACT);
        assertThat(top.get(1).term()).isCloseTo(log2(4) / 3, EXACT);
        assertThat(top.get(1).direction()).isEqualTo(Contribution.Direction.GREW);
        assertThat(top.get(1).p()).isCloseTo(2.0 / 6, EXACT);
        assertThat(top.get(1).q()).isCloseTo(1.0 / 12, EXACT);

        final List<Contribution> all = BITS.withTopContributors(10).compute(p, q).topContributors();
        assertThat(all).extracting(Contribution::category).containsExactly("e", "b", "d", "a", "c");
        assertThat(all.get(3).direction()).isEqualTo(Contribution.Direction.UNCHANGED);
        assertThat(all.get(3).jsTerm()).isZero();
        assertThat(BITS.withTopContributors(0).compute(p, q).topContributors()).isEmpty();
        assertThatThrownBy(() -> BITS.compute(p, q).topContributors().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void topContributorsMatchAFullSortOnManyCategories() {
        final SplittableRandom random = new SplittableRandom(7);
        final Histogram.Builder p = Histogram.builder();
        final Histogram.Builder q = Histogram.builder();
        for (int i = 0; i < 500; i++) {
            // Small counts so that many terms tie exactly.
            p.add("c" + i, random.nextInt(4));
            q.add("c" + i, 1 + random.nextInt(4));
        }
        final Histogram hp = p.build();
        final Histogram hq = q.build();
        final List<Contribution> all = BITS.withTopContributors(1000).compute(hp, hq).topContributors();
        assertThat(all).hasSize(500);
        for (int i = 1; i < all.size(); i++) {
            final Contribution before = all.get(i - 1);
            final Contribution after = all.get(i);
            assertThat(before.jsTerm()).isGreaterThanOrEqualTo(after.jsTerm());
            if (before.jsTerm() == after.jsTerm()) {
                assertThat(before.category()).isLessThan(after.category());
            }
        }
        for (final int n : new int[] {1, 5, 17, 499}) {
            assertThat(BITS.withTopContributors(n).compute(hp, hq).topContributors()).isEqualTo(all.subList(0, n));
        }
    }

    @Test
    void unseenAndMissingMassAreRawFractions() {
        // P = {a: 6, b: 3, c: 1}, Q = {a: 5, d: 15, c: 0}: unseen = (3 + 1) / 10 (b absent, c zero in Q);
        // missing = 15 / 20 (d absent from P).
        final Divergence d = BITS.withAlpha(0.5).compute(histogram("a", 6, "b", 3, "c", 1), histogram("a", 5, "c", 0, "d", 15));
        assertThat(d.categories()).isEqualTo(4);
        assertThat(d.unseenMass()).isCloseTo(0.4, EXACT);
        assertThat(d.missingMass()).isCloseTo(0.75, EXACT);
    }

    @Test
    void entropyOfOneHistogram() {
        assertThat(BITS.entropy(histogram("a", 1, "b", 1, "c", 1, "d", 1))).isCloseTo(2.0, EXACT);
        assertThat(NATS.entropy(histogram("a", 5, "b", 5))).isCloseTo(LN2, EXACT);
        assertThat(BITS.entropy(histogram("a", 3, "b", 0))).isZero();
        // alpha = 1 over its own two categories: (3+1, 0+1)/5.
        assertThat(BITS.withAlpha(1).entropy(histogram("a", 3, "b", 0)))
                .isCloseTo(-(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2)) / LN2, EXACT);
        // Agrees with entropyP of a comparison.
        final Histogram p = histogram("x", 3, "y", 7, "z", 11);
        assertThat(BITS.entropy(p)).isEqualTo(BITS.compute(p, p).entropyP());
    }

    @Test
    void nearOneProbabilitiesKeepTheirEntropy() {
        // p = (1 - 1e-12, 1e-12): H = -(1-e) ln(1-e) - e ln e ~ 1e-12 (1 - ln 1e-12) = 2.8631e-11 nats.
        final double e = 1e-12;
        final double expected = -(1 - e) * Math.log1p(-e) - e * Math.log(e);
        assertThat(NATS.entropy(histogram("a", 1e12 - 1, "b", 1))).isCloseTo(expected, within(expected * 1e-12));
    }

    @Test
    void extremeWeightsNeverGiveNaN() {
        final Histogram[] sides = {
            histogram("a", Double.MIN_VALUE, "b", 1),
            histogram("a", 1, "b", Double.MAX_VALUE / 2),
            histogram("a", Double.MIN_VALUE),
            histogram("b", 1e-300, "c", 1e300),
            histogram("a", Double.MAX_VALUE / 4, "c", Double.MAX_VALUE / 4),
        };
        for (final double alpha : new double[] {0, 1e-320, 0.5, 1e300}) {
            for (final Histogram p : sides) {
                for (final Histogram q : sides) {
                    final Divergence d = BITS.withAlpha(alpha).compute(p, q);
                    assertNoNaN(d);
                    assertThat(d.jsDivergence()).isBetween(0.0, 1.0);
                    assertThat(d.hellinger()).isBetween(0.0, 1.0);
                    assertThat(d.totalVariation()).isBetween(0.0, 1.0);
                }
                assertThat(BITS.withAlpha(alpha).entropy(p)).isNotNaN();
            }
        }
    }

    @Test
    void oneHundredThousandCategories() {
        final SplittableRandom random = new SplittableRandom(42);
        final Histogram.Builder p = Histogram.builder();
        final Histogram.Builder q = Histogram.builder();
        for (int i = 0; i < 100_000; i++) {
            p.add("category-" + i, random.nextInt(100));
            q.add("category-" + i, 1 + random.nextInt(100_000));
        }
        final Divergence d = BITS.withAlpha(0.5).compute(p.build(), q.build());
        assertThat(d.categories()).isEqualTo(100_000);
        assertThat(d.gDegreesOfFreedom()).isEqualTo(99_999);
        assertNoNaN(d);
        assertThat(d.klPq()).isPositive().isFinite();
        assertThat(d.topContributors()).hasSize(5);
    }

    static void assertNoNaN(final Divergence d) {
        assertThat(new double[] {d.klPq(), d.klQp(), d.jsDivergence(), d.jsDistance(), d.entropyP(), d.entropyQ(),
                d.crossEntropyPq(), d.psi(), d.hellinger(), d.totalVariation(), d.gStatistic(), d.gPValue(),
                d.unseenMass(), d.missingMass(), d.observedTotal(), d.referenceTotal()})
                .as("%s", d).doesNotContain(Double.NaN);
        for (final Contribution c : d.topContributors()) {
            assertThat(new double[] {c.p(), c.q(), c.term()}).as("%s", c).doesNotContain(Double.NaN);
        }
    }

    static Histogram histogram(final Object... categoryWeightPairs) {
        final Histogram.Builder builder = Histogram.builder();
        for (int i = 0; i < categoryWeightPairs.length; i += 2) {
            builder.add((String) categoryWeightPairs[i], ((Number) categoryWeightPairs[i + 1]).doubleValue());
        }
        return builder.build();
    }

    @Test
    void histogramHelperKeepsZeroCategories() {
        assertThat(histogram("a", 0, "b", 1).toMap()).isEqualTo(Map.of("a", 0.0, "b", 1.0));
    }
}
