package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Metamorphic and algebraic properties over random histograms (style of commons-statistics'
 * GTestTest: scaling the counts scales G and nothing else).
 */
class DivergencePropertiesTest {

    private static final double LN2 = Math.log(2);
    private static final DivergenceCalculator BITS = DivergenceCalculator.withDefaults();

    private static final Map<String, ToDoubleFunction<Divergence>> SCALE_FREE = Map.of(
            "kl_pq", Divergence::klPq, "kl_qp", Divergence::klQp, "js_divergence", Divergence::jsDivergence,
            "entropy_p", Divergence::entropyP, "entropy_q", Divergence::entropyQ, "psi", Divergence::psi,
            "hellinger", Divergence::hellinger, "total_variation", Divergence::totalVariation,
            "unseen_mass", Divergence::unseenMass, "missing_mass", Divergence::missingMass);

    /** 1 to 30 categories from a small alphabet, so that P and Q share some and not others; total > 0. */
    @Provide
    Arbitrary<Map<String, Integer>> counts() {
        return Arbitraries.maps(
                        Arbitraries.strings().withChars("abcdefg").ofMinLength(1).ofMaxLength(2),
                        Arbitraries.integers().between(0, 1000))
                .ofMinSize(1).ofMaxSize(30)
                .filter(m -> m.values().stream().mapToInt(Integer::intValue).sum() > 0);
    }

    /** Any finite weights, from subnormal to 1e300, with zeros; total > 0. */
    @Provide
    Arbitrary<Map<String, Double>> weights() {
        final Arbitrary<Double> weight = Arbitraries.oneOf(
                Arbitraries.just(0.0),
                Arbitraries.doubles().between(0, 1e6),
                Arbitraries.doubles().between(-320, 300).map(e -> Math.pow(10, e)));
        return Arbitraries.maps(Arbitraries.strings().withChars("abcdef").ofMinLength(1).ofMaxLength(2), weight)
                .ofMinSize(1).ofMaxSize(25)
                .filter(m -> m.values().stream().mapToDouble(Double::doubleValue).sum() > 0);
    }

    @Provide
    Arbitrary<Double> alphas() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 0.5, 1.0), Arbitraries.doubles().between(0, 10));
    }

    /** Q either random or P times a whole factor (identical after normalisation). */
    @Provide
    Arbitrary<List<Map<String, Integer>>> pairs() {
        final Arbitrary<Map<String, Integer>> p = counts();
        return Combinators.combine(p, counts(), Arbitraries.integers().between(0, 4))
                .as((a, b, factor) -> List.of(a, factor == 0 ? b : scaled(a, factor)));
    }

    @Property
    void nothingIsNaNAndEveryMeasureIsInItsRange(@ForAll("weights") final Map<String, Double> p,
                                                 @ForAll("weights") final Map<String, Double> q,
                                                 @ForAll("alphas") final double alpha) {
        for (final Unit unit : Unit.values()) {
            final Divergence d = BITS.withAlpha(alpha).withUnit(unit).compute(Histogram.of(p), Histogram.of(q));
            DivergenceCalculatorTest.assertNoNaN(d);
            final double maxJs = unit == Unit.BITS ? 1.0 : LN2;
            assertThat(d.klPq()).isGreaterThanOrEqualTo(0.0);
            assertThat(d.klQp()).isGreaterThanOrEqualTo(0.0);
            assertThat(d.jsDivergence()).isBetween(0.0, maxJs);
            assertThat(d.jsDistance()).isBetween(0.0, Math.sqrt(maxJs));
            assertThat(d.hellinger()).isBetween(0.0, 1.0);
            assertThat(d.totalVariation()).isBetween(0.0, 1.0);
            assertThat(d.unseenMass()).isBetween(0.0, 1.0);
            assertThat(d.missingMass()).isBetween(0.0, 1.0);
            assertThat(d.gPValue()).isBetween(0.0, 1.0);
            assertThat(d.gStatistic()).isGreaterThanOrEqualTo(0.0);
            final double maxEntropy = Math.log(d.categories()) / (unit == Unit.BITS ? LN2 : 1) * (1 + 1e-12);
            assertThat(d.entropyP()).isBetween(0.0, maxEntropy);
            assertThat(d.entropyQ()).isBetween(0.0, maxEntropy);
            assertThat(d.klInfinite()).isEqualTo(d.klPq() == Double.POSITIVE_INFINITY);
            assertThat(d.crossEntropyPq()).isEqualTo(d.entropyP() + d.klPq());
        }
    }

    @Property
    void klIsZeroExactlyWhenTheSmoothedDistributionsAreEqual(@ForAll("pairs") final List<Map<String, Integer>> pq,
                                                            @ForAll @IntRange(min = 0, max = 2) final int alpha) {
        final Map<String, Integer> p = pq.get(0);
        final Map<String, Integer> q = pq.get(1);
        final Divergence d = BITS.withAlpha(alpha).compute(Histogram.of(p), Histogram.of(q));
        if (equalAfterSmoothing(p, q, alpha)) {
            assertThat(new double[] {d.klPq(), d.klQp(), d.jsDivergence(), d.hellinger(), d.totalVariation()})
                    .containsOnly(0.0);
        } else {
            assertThat(d.klPq()).isPositive();
            assertThat(d.klQp()).isPositive();
            assertThat(d.jsDivergence()).isPositive();
            assertThat(d.totalVariation()).isPositive();
        }
    }

    @Property
    void jsHellingerAndTotalVariationAreSymmetric(@ForAll("counts") final Map<String, Integer> p,
                                                  @ForAll("counts") final Map<String, Integer> q,
                                                  @ForAll("alphas") final double alpha) {
        final DivergenceCalculator calculator = BITS.withAlpha(alpha);
        final Divergence pq = calculator.compute(Histogram.of(p), Histogram.of(q));
        final Divergence qp = calculator.compute(Histogram.of(q), Histogram.of(p));
        assertClose("js", pq.jsDivergence(), qp.jsDivergence(), 1e-12);
        assertClose("hellinger", pq.hellinger(), qp.hellinger(), 1e-12);
        assertClose("total variation", pq.totalVariation(), qp.totalVariation(), 1e-12);
        assertClose("psi", pq.psi(), qp.psi(), 1e-12);
        assertClose("kl swapped", pq.klPq(), qp.klQp(), 1e-12);
        assertThat(pq.unseenMass()).isEqualTo(qp.missingMass());
    }

    @Property
    void jsDistanceIsATriangle(@ForAll("counts") final Map<String, Integer> p,
                               @ForAll("counts") final Map<String, Integer> q,
                               @ForAll("counts") final Map<String, Integer> r) {
        final Histogram hp = Histogram.of(p);
        final Histogram hq = Histogram.of(q);
        final Histogram hr = Histogram.of(r);
        final double pr = BITS.compute(hp, hr).jsDistance();
        final double pq = BITS.compute(hp, hq).jsDistance();
        final double qr = BITS.compute(hq, hr).jsDistance();
        assertThat(pr).isLessThanOrEqualTo(pq + qr + 1e-12);
    }

    @Property
    void scalingTheCountsChangesNoMeasureAndScalesG(@ForAll("counts") final Map<String, Integer> p,
                                                    @ForAll("counts") final Map<String, Integer> q,
                                                    @ForAll @IntRange(min = 2, max = 1000) final int a,
                                                    @ForAll @IntRange(min = 2, max = 1000) final int b) {
        final Divergence base = BITS.compute(Histogram.of(p), Histogram.of(q));
        final Divergence same = BITS.compute(Histogram.of(scaled(p, a)), Histogram.of(scaled(q, a)));
        final Divergence apart = BITS.compute(Histogram.of(scaled(p, a)), Histogram.of(scaled(q, b)));
        for (final Map.Entry<String, ToDoubleFunction<Divergence>> measure : SCALE_FREE.entrySet()) {
            final double expected = measure.getValue().applyAsDouble(base);
            assertClose(measure.getKey() + " (P, Q times " + a + ")", measure.getValue().applyAsDouble(same), expected, 1e-12);
            assertClose(measure.getKey() + " (P times " + a + ", Q times " + b + ")",
                    measure.getValue().applyAsDouble(apart), expected, 1e-12);
        }
        // G = 2 N_P KL: linear in N_P, blind to N_Q.
        assertClose("G", same.gStatistic(), a * base.gStatistic(), 1e-12);
        assertClose("G", apart.gStatistic(), a * base.gStatistic(), 1e-12);
        assertThat(same.gDegreesOfFreedom()).isEqualTo(base.gDegreesOfFreedom());
    }

    @Property
    void scalingByAPowerOfTwoIsBitIdentical(@ForAll("weights") final Map<String, Double> p,
                                            @ForAll("weights") final Map<String, Double> q,
                                            @ForAll @IntRange(min = -40, max = 40) final int exponent) {
        final Map<String, Double> p2 = new HashMap<>();
        p.forEach((k, v) -> p2.put(k, Math.scalb(v, exponent)));
        // Holds unless the scaling itself under- or overflows a weight or the total.
        if (p2.values().stream().allMatch(v -> v == 0 || v >= Double.MIN_NORMAL && v < 1e300)
                && p.values().stream().allMatch(v -> v == 0 || v >= Double.MIN_NORMAL)) {
            final Divergence base = BITS.compute(Histogram.of(p), Histogram.of(q));
            final Divergence scaled = BITS.compute(Histogram.of(p2), Histogram.of(q));
            for (final Map.Entry<String, ToDoubleFunction<Divergence>> measure : SCALE_FREE.entrySet()) {
                assertThat(measure.getValue().applyAsDouble(scaled)).as(measure.getKey())
                        .isEqualTo(measure.getValue().applyAsDouble(base));
            }
            assertThat(scaled.topContributors()).isEqualTo(base.topContributors());
        }
    }

    @Property
    void repeatedComputationIsBitIdentical(@ForAll("weights") final Map<String, Double> p,
                                           @ForAll("weights") final Map<String, Double> q,
                                           @ForAll("alphas") final double alpha) {
        final DivergenceCalculator calculator = BITS.withAlpha(alpha).withTopContributors(3);
        final Divergence first = calculator.compute(Histogram.of(p), Histogram.of(q));
        // Same content, built another way, in another insertion order, by another calculator.
        final List<String> keys = new ArrayList<>(p.keySet());
        Collections.reverse(keys);
        final Histogram.Builder builder = Histogram.builder();
        keys.forEach(k -> builder.add(k, p.get(k)));
        final Divergence second = DivergenceCalculator.withDefaults().withTopContributors(3).withAlpha(alpha)
                .compute(builder.build(), Histogram.of(new HashMap<>(q)));
        assertThat(second).isEqualTo(first);
        assertThat(second.hashCode()).isEqualTo(first.hashCode());
    }

    /** Agrees with the textbook formulas in plain double arithmetic, within their rounding error. */
    @Property
    void agreesWithTheNaiveFormulas(@ForAll("counts") final Map<String, Integer> p,
                                    @ForAll("counts") final Map<String, Integer> q,
                                    @ForAll("alphas") final double alpha) {
        final Divergence d = DivergenceCalculator.withDefaults().withAlpha(alpha).withUnit(Unit.NATS)
                .compute(Histogram.of(p), Histogram.of(q));
        final TreeSet<String> union = new TreeSet<>(p.keySet());
        union.addAll(q.keySet());
        final int k = union.size();
        final double np = p.values().stream().mapToDouble(Integer::doubleValue).sum() + alpha * k;
        final double nq = q.values().stream().mapToDouble(Integer::doubleValue).sum() + alpha * k;
        double kl = 0;
        double klScale = 0;
        double js = 0;
        double hp = 0;
        double bhattacharyya = 0;
        double tv = 0;
        boolean infinite = false;
        for (final String c : union) {
            final double pi = (p.getOrDefault(c, 0) + alpha) / np;
            final double qi = (q.getOrDefault(c, 0) + alpha) / nq;
            final double mi = (pi + qi) / 2;
            if (pi > 0) {
                hp -= pi * Math.log(pi);
                js += pi * Math.log(pi / mi) / 2;
                if (qi == 0) {
                    infinite = true;
                } else {
                    kl += pi * Math.log(pi / qi);
                    klScale += Math.abs(pi * Math.log(pi / qi)) + pi * Math.abs(Math.log(pi)) + pi;
                }
            }
            if (qi > 0) {
                js += qi * Math.log(qi / mi) / 2;
            }
            bhattacharyya += Math.sqrt(pi * qi);
            tv += Math.abs(pi - qi) / 2;
        }
        if (infinite) {
            assertThat(d.klPq()).isEqualTo(Double.POSITIVE_INFINITY);
        } else {
            assertThat(d.klPq()).isCloseTo(kl, within(1e-13 * klScale + 1e-15));
        }
        assertThat(d.entropyP()).isCloseTo(hp, within(1e-13 * (1 + hp)));
        assertThat(d.jsDivergence()).isCloseTo(js, within(1e-13));
        assertThat(d.hellinger() * d.hellinger())
                .isCloseTo(Math.max(0, 1 - bhattacharyya), within(1e-13));
        assertThat(d.totalVariation()).isCloseTo(tv, within(1e-13));
    }

    @Property
    void topContributorsAreOrderedAndBounded(@ForAll("counts") final Map<String, Integer> p,
                                             @ForAll("counts") final Map<String, Integer> q,
                                             @ForAll @IntRange(min = 0, max = 40) final int n) {
        final Divergence d = BITS.withTopContributors(n).compute(Histogram.of(p), Histogram.of(q));
        final List<Contribution> top = d.topContributors();
        assertThat(top).hasSize(Math.min(n, d.categories()));
        for (int i = 1; i < top.size(); i++) {
            final double before = top.get(i - 1).jsTerm();
            final double after = top.get(i).jsTerm();
            assertThat(before).isGreaterThanOrEqualTo(after);
            if (before == after) {
                assertThat(top.get(i - 1).category()).isLessThan(top.get(i).category());
            }
        }
    }

    private static boolean equalAfterSmoothing(final Map<String, Integer> p, final Map<String, Integer> q,
                                               final int alpha) {
        final TreeSet<String> union = new TreeSet<>(p.keySet());
        union.addAll(q.keySet());
        final long k = union.size();
        final long np = p.values().stream().mapToLong(Integer::longValue).sum() + alpha * k;
        final long nq = q.values().stream().mapToLong(Integer::longValue).sum() + alpha * k;
        for (final String c : union) {
            if ((p.getOrDefault(c, 0) + alpha) * nq != (q.getOrDefault(c, 0) + alpha) * np) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Integer> scaled(final Map<String, Integer> counts, final int factor) {
        final Map<String, Integer> result = new HashMap<>();
        counts.forEach((k, v) -> result.put(k, v * factor));
        return result;
    }

    private static void assertClose(final String what, final double actual, final double expected,
                                    final double relative) {
        if (Double.isInfinite(expected)) {
            assertThat(actual).as(what).isEqualTo(expected);
        } else {
            assertThat(actual).as(what).isCloseTo(expected,
                    within(relative * Math.abs(expected) + 1e-15));
        }
    }
}
