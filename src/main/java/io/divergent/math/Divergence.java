package io.divergent.math;

import java.util.List;
import java.util.Objects;

/**
 * The measures between an observed histogram P (the window) and a reference Q, as computed by
 * {@link DivergenceCalculator#compute}. Immutable.
 *
 * <p>All probabilities are smoothed over the union of the two category sets ({@link #categories()}
 * = K): {@code p_i = (P_i + alpha) / (N_P + alpha K)}, likewise {@code q_i}. Information measures
 * are in {@link #unit()} (bits: log base 2, nats: natural log); {@link #hellinger()},
 * {@link #totalVariation()}, {@link #lInfinity()} and the G-test are unit-free, and {@link #psi()}
 * is always in nats, its conventional scale. No value is ever NaN: a divergence that
 * is unbounded is {@link Double#POSITIVE_INFINITY}.
 *
 * <p>Every scalar measure is a {@link Measure} constant, which reads it from here by its accessor;
 * {@link #equals}, {@link #hashCode} and {@link #toString} go through that list (a value stored here
 * that is not a measure must be added to them by hand).
 */
public final class Divergence {

    private final Unit unit;
    private final double alpha;
    private final int categories;
    private final double observedTotal;
    private final double referenceTotal;
    private final double klPq;
    private final double klQp;
    private final double psiNats;
    private final double jsDivergence;
    private final double entropyP;
    private final double entropyQ;
    private final double hellinger;
    private final double totalVariation;
    private final double lInfinity;
    private final double gStatistic;
    private final double gPValue;
    private final double unseenMass;
    private final double missingMass;
    private final List<Contribution> topContributors;
    private final GTest.Kind gTest;
    private final int gDegreesOfFreedom;

    // The calculator passes values already in the unit, validated and clamped.
    Divergence(final Unit unit, final double alpha, final int categories,
               final double observedTotal, final double referenceTotal,
               final double klPq, final double klQp, final double psiNats, final double jsDivergence,
               final double entropyP, final double entropyQ,
               final double hellinger, final double totalVariation, final double lInfinity,
               final double gStatistic, final double gPValue,
               final double unseenMass, final double missingMass,
               final List<Contribution> topContributors) {
        this.unit = unit;
        this.alpha = alpha;
        this.categories = categories;
        this.observedTotal = observedTotal;
        this.referenceTotal = referenceTotal;
        this.klPq = klPq;
        this.klQp = klQp;
        this.psiNats = psiNats;
        this.jsDivergence = jsDivergence;
        this.entropyP = entropyP;
        this.entropyQ = entropyQ;
        this.hellinger = hellinger;
        this.totalVariation = totalVariation;
        this.lInfinity = lInfinity;
        this.gStatistic = gStatistic;
        this.gPValue = gPValue;
        this.unseenMass = unseenMass;
        this.missingMass = missingMass;
        this.topContributors = List.copyOf(topContributors);
        this.gTest = GTest.Kind.GOODNESS_OF_FIT;
        this.gDegreesOfFreedom = categories - 1;
    }

    /** A copy of {@code base} with another G-test's statistic, df and p-value; every other value is base's. */
    private Divergence(final Divergence base, final GTest.Result g) {
        this.unit = base.unit;
        this.alpha = base.alpha;
        this.categories = base.categories;
        this.observedTotal = base.observedTotal;
        this.referenceTotal = base.referenceTotal;
        this.klPq = base.klPq;
        this.klQp = base.klQp;
        this.psiNats = base.psiNats;
        this.jsDivergence = base.jsDivergence;
        this.entropyP = base.entropyP;
        this.entropyQ = base.entropyQ;
        this.hellinger = base.hellinger;
        this.totalVariation = base.totalVariation;
        this.lInfinity = base.lInfinity;
        this.unseenMass = base.unseenMass;
        this.missingMass = base.missingMass;
        this.topContributors = base.topContributors;
        this.gTest = g.kind();
        this.gStatistic = g.statistic();
        this.gDegreesOfFreedom = g.degreesOfFreedom();
        this.gPValue = g.pValue();
    }

    /** This result with the G-test {@code g} in place of its own. */
    Divergence withGTest(final GTest.Result g) {
        return new Divergence(this, g);
    }

    /** The unit of the information measures and of the contribution terms. */
    public Unit unit() {
        return unit;
    }

    /** The pseudo-count added to every one of the K categories on both sides; 0 = no smoothing. */
    public double alpha() {
        return alpha;
    }

    /** K: the number of categories in the union of P's and Q's categories (zero-weight ones included). */
    public int categories() {
        return categories;
    }

    /** N_P: the raw (unsmoothed) total weight of the observed histogram. */
    public double observedTotal() {
        return observedTotal;
    }

    /** N_Q: the raw (unsmoothed) total weight of the reference histogram. */
    public double referenceTotal() {
        return referenceTotal;
    }

    /** {@code KL(P||Q) = sum p_i log(p_i / q_i)}; in [0, +Infinity], +Infinity iff some {@code p_i > 0 = q_i}. */
    public double klPq() {
        return klPq;
    }

    /** {@code KL(Q||P) = sum q_i log(q_i / p_i)}; in [0, +Infinity], +Infinity iff some {@code q_i > 0 = p_i}. */
    public double klQp() {
        return klQp;
    }

    /**
     * Jensen-Shannon divergence {@code (KL(P||M) + KL(Q||M)) / 2} with {@code M = (P + Q) / 2};
     * always finite, in [0, 1] bits = [0, ln 2] nats.
     */
    public double jsDivergence() {
        return jsDivergence;
    }

    /** {@code sqrt(jsDivergence())} in the same unit: a metric; in [0, 1] bits = [0, sqrt(ln 2)] nats. */
    public double jsDistance() {
        return Math.sqrt(jsDivergence);
    }

    /** Shannon entropy {@code -sum p_i log p_i} of the smoothed P; in [0, log K]. */
    public double entropyP() {
        return entropyP;
    }

    /** Shannon entropy {@code -sum q_i log q_i} of the smoothed Q; in [0, log K]. */
    public double entropyQ() {
        return entropyQ;
    }

    /** Cross-entropy {@code -sum p_i log q_i = entropyP() + klPq()}; +Infinity exactly when {@link #klInfinite()}. */
    public double crossEntropyPq() {
        return entropyP + klPq;
    }

    /**
     * Population stability index {@code sum (p_i - q_i) ln(p_i / q_i)} = KL(P||Q) + KL(Q||P) in
     * <b>nats whatever {@link #unit()}</b>: the natural-log scale on which its rules of thumb (0.1
     * some shift, 0.25 a major one) are stated; in bits it would read 1/ln 2 = 1.44 times higher.
     * In [0, +Infinity]; +Infinity when either KL is.
     */
    public double psi() {
        return psiNats;
    }

    /**
     * Hellinger distance {@code sqrt(1 - sum sqrt(p_i q_i))}, computed as the equal
     * {@code sqrt(sum (sqrt p_i - sqrt q_i)^2 / 2)} (no cancellation near 0); unit-free, in [0, 1].
     */
    public double hellinger() {
        return hellinger;
    }

    /** Total variation distance {@code (1/2) sum |p_i - q_i|}; unit-free, in [0, 1]. */
    public double totalVariation() {
        return totalVariation;
    }

    /**
     * L-infinity distance {@code max_i |p_i - q_i|}: the largest change of one category's smoothed
     * probability; unit-free, in [0, 1], never more than {@link #totalVariation()}.
     */
    public double lInfinity() {
        return lInfinity;
    }

    /**
     * Which G-test {@link #gStatistic()}, {@link #gDegreesOfFreedom()} and {@link #gPValue()}
     * belong to: {@link GTest.Kind#GOODNESS_OF_FIT} unless computed against a
     * {@link BaselineKind#SAMPLE}.
     */
    public GTest.Kind gTest() {
        return gTest;
    }

    /**
     * G statistic: for {@link GTest.Kind#GOODNESS_OF_FIT} {@code 2 N_P KL_nats(P||Q)} with N_P the raw
     * observed total, in [0, +Infinity]; for {@link GTest.Kind#HOMOGENEITY} the two-sample G of the
     * raw counts ({@link GTest#homogeneity}), finite.
     */
    public double gStatistic() {
        return gStatistic;
    }

    /**
     * Degrees of freedom of the G-test: {@code K - 1} for goodness of fit; for homogeneity the number
     * of categories with a raw weight on either side, minus 1.
     */
    public int gDegreesOfFreedom() {
        return gDegreesOfFreedom;
    }

    /**
     * Chi-square survival probability of {@link #gStatistic()} at {@link #gDegreesOfFreedom()};
     * 1 when df = 0, 0 when G is infinite.
     */
    public double gPValue() {
        return gPValue;
    }

    /** True when {@link #klPq()} is +Infinity: P puts mass on a category where the smoothed Q has none. */
    public boolean klInfinite() {
        return klPq == Double.POSITIVE_INFINITY;
    }

    /**
     * Raw observed mass on categories whose raw reference weight is 0: {@code sum P_i / N_P} over
     * them; in [0, 1], 0 when {@code N_P = 0}. Smoothing does not change it.
     */
    public double unseenMass() {
        return unseenMass;
    }

    /**
     * Raw reference mass on categories whose raw observed weight is 0: {@code sum Q_i / N_Q} over
     * them; in [0, 1], 0 when {@code N_Q = 0}. Smoothing does not change it.
     */
    public double missingMass() {
        return missingMass;
    }

    /**
     * Up to {@link DivergenceCalculator#topContributors()} categories with the largest
     * {@link Contribution#jsTerm() JS term} first, ties by ascending category name: the categories
     * that explain the drift, whichever way they moved (a vanished category ranks as high as a
     * new one of the same mass). Before issue 13 the ranking was by {@code |p_i log(p_i / q_i)|}.
     * Unmodifiable.
     */
    public List<Contribution> topContributors() {
        return topContributors;
    }

    /** Equal when the settings, totals, every {@link Measure} and the top contributors are equal, doubles bit for bit. */
    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Divergence)) {
            return false;
        }
        final Divergence d = (Divergence) o;
        if (unit != d.unit || categories != d.categories || !same(alpha, d.alpha)
                || gTest != d.gTest || gDegreesOfFreedom != d.gDegreesOfFreedom
                || !same(observedTotal, d.observedTotal) || !same(referenceTotal, d.referenceTotal)
                || !topContributors.equals(d.topContributors)) {
            return false;
        }
        for (final Measure measure : Measure.values()) {
            if (!same(measure.of(this), measure.of(d))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = Objects.hash(unit, alpha, categories, observedTotal, referenceTotal, topContributors);
        hash = 31 * hash + Objects.hash(gTest, gDegreesOfFreedom);
        for (final Measure measure : Measure.values()) {
            hash = 31 * hash + Double.hashCode(measure.of(this));
        }
        return hash;
    }

    @Override
    public String toString() {
        final StringBuilder text = new StringBuilder("Divergence{unit=").append(unit.label())
                .append(", alpha=").append(alpha).append(", K=").append(categories)
                .append(", N_P=").append(observedTotal).append(", N_Q=").append(referenceTotal);
        for (final Measure measure : Measure.values()) {
            text.append(", ").append(measure.field()).append('=').append(measure.of(this));
        }
        return text.append(", g_test=").append(gTest).append(", g_df=").append(gDegreesOfFreedom()).append(", top=").append(topContributors)
                .append('}').toString();
    }

    private static boolean same(final double a, final double b) {
        return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
    }
}
