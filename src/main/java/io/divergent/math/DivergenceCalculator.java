package io.divergent.math;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Computes the divergence measures between an observed histogram P and a reference
 * histogram Q, as defined in {@code docs/divergence.md}. Immutable and thread-safe:
 * configure with {@code withDefaults().withAlpha(0.5).withUnit(Unit.NATS)}; each
 * {@code with...} returns a new calculator.
 *
 * <p><b>Smoothing.</b> Both sides are normalised over the union of their categories (K):
 * {@code p_i = (P_i + alpha) / (N_P + alpha K)}, {@code q_i = (Q_i + alpha) / (N_Q + alpha K)}.
 *
 * <p><b>Conventions.</b> {@code 0 log(0 / x) = 0}; {@code p_i > 0} with {@code q_i = 0} makes
 * {@code KL(P||Q)}, the cross-entropy, PSI and G {@code +Infinity} (never a silent epsilon).
 * PSI is in nats whatever the unit (its conventional scale; see {@link Divergence#psi()}).
 * No result is ever NaN.
 *
 * <p><b>Numerics.</b> Every measure is a sum of non-negative per-category terms, each computed
 * without cancellation from the raw weights (near-identical inputs keep full relative
 * precision), and summed with compensated summation in ascending category order, so the same
 * input gives the bit-identical result on every run and platform (logarithms in plain Java
 * arithmetic or {@link StrictMath}, never the platform-dependent {@link Math#log}).
 * One call is O(K) with a constant number of small allocations, or O(n log K) for a window of
 * n categories small next to a reused reference (see {@link #compute(Histogram, Histogram)}).
 */
public final class DivergenceCalculator {

    private static final double LN2 = 0.6931471805599453;
    private static final int DEFAULT_TOP = 5;
    private static final int STEPS_PER_WORD = Long.SIZE / 2;
    /** The sparse path is taken when the window has at most 1 / SPARSE_RATIO of the reference's categories. */
    static final int SPARSE_RATIO = 8;
    private static final DivergenceCalculator DEFAULTS = new DivergenceCalculator(0.0, Unit.BITS, DEFAULT_TOP);

    /*
     * Per category with r = p/q = 1 + d:
     *   p log(p/q) - p + q = q ((1 + d) log1p(d) - d) = q d^2 (1/2 - d/6 + d^2/12 - ...)
     *   q log(q/p) - q + p = q (d - log1p(d))         = q d^2 (1/2 - d/3 + d^2/4 - ...)
     * Both are >= 0 and sum to KL because sum p = sum q = 1. Below |d| = 1/16 the series are
     * used (the closed forms cancel); above, the closed forms lose at most ~5 bits.
     */
    static final double KL_SERIES_LIMIT = 1.0 / 16;
    private static final double[] KL_PQ_SERIES = new double[14];
    private static final double[] KL_QP_SERIES = new double[14];
    /*
     * JS with m = (p + q)/2, e = (p - q)/(p + q): p log(p/m) + q log(q/m) = m g(e) with
     * g(e) = (1 + e) log1p(e) + (1 - e) log1p(-e) = e^2 (1 + e^2/6 + e^4/15 + ...), all terms > 0.
     */
    private static final double JS_SERIES_LIMIT = 1.0 / 8;
    private static final double[] JS_SERIES = new double[10];

    static {
        for (int j = 0; j < KL_PQ_SERIES.length; j++) {
            final double sign = (j & 1) == 0 ? 1 : -1;
            KL_PQ_SERIES[j] = sign / ((j + 2.0) * (j + 1.0));
            KL_QP_SERIES[j] = sign / (j + 2.0);
        }
        for (int j = 0; j < JS_SERIES.length; j++) {
            JS_SERIES[j] = 1.0 / ((j + 1.0) * (2.0 * j + 1.0));
        }
    }

    private final double alpha;
    private final Unit unit;
    private final int topContributors;

    private DivergenceCalculator(final double alpha, final Unit unit, final int topContributors) {
        this.alpha = alpha;
        this.unit = unit;
        this.topContributors = topContributors;
    }

    /** alpha 0 (no smoothing), {@link Unit#BITS}, top 5 contributors. */
    public static DivergenceCalculator withDefaults() {
        return DEFAULTS;
    }

    /**
     * @param alpha pseudo-count added to every category of both sides: 0 none, 0.5 Jeffreys, 1 Laplace
     * @return a calculator with this alpha and the other settings of this one
     * @throws IllegalArgumentException if {@code alpha} is negative, NaN or infinite
     */
    public DivergenceCalculator withAlpha(final double alpha) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite and >= 0: " + alpha);
        }
        return new DivergenceCalculator(alpha + 0.0, unit, topContributors);
    }

    /**
     * @param unit unit of the information measures
     * @return a calculator with this unit and the other settings of this one
     * @throws NullPointerException if {@code unit} is {@code null}
     */
    public DivergenceCalculator withUnit(final Unit unit) {
        return new DivergenceCalculator(alpha, Objects.requireNonNull(unit, "unit"), topContributors);
    }

    /**
     * @param n how many top contributors each result lists; 0 for none
     * @return a calculator with this count and the other settings of this one
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public DivergenceCalculator withTopContributors(final int n) {
        if (n < 0) {
            throw new IllegalArgumentException("top contributors must be >= 0: " + n);
        }
        return new DivergenceCalculator(alpha, unit, n);
    }

    /** The pseudo-count, {@code >= 0}. */
    public double alpha() {
        return alpha;
    }

    /** The unit of the information measures. */
    public Unit unit() {
        return unit;
    }

    /** How many top contributors each result lists, {@code >= 0}. */
    public int topContributors() {
        return topContributors;
    }

    /**
     * Every measure between the observed histogram P and the reference Q, over the union of
     * their categories, in O(K); without smoothing and for a window small next to the reference
     * (n / K at most 1/8), in O(n log K) for the n categories of P once Q has been indexed
     * (the first call with a reference instance pays O(K log K) for its index).
     *
     * <p>The sparse path gives the same result as the O(K) one: bit for bit for K, the G-test's df,
     * the entropy of Q, the unseen mass, L-infinity, whether KL(Q||P) is infinite and the top
     * contributors (names, order, values); every other measure to within a few ulps (at most 1
     * ulp measured; relative 1e-13, absolute 1e-16 next to 0, guaranteed unless the vanished share
     * of Q's weight is below ~1e-13, where the error stays below 1e-16 absolute), because the terms
     * of the categories absent from P are summed as (total over Q) - (part of P) in compensated
     * arithmetic instead of one by one; the G-test p-value to that error times the slope of the
     * chi-square tail (1e-11 relative).
     *
     * @param observed  P, the window
     * @param reference Q, the reference
     * @return the measures; never NaN
     * @throws NullPointerException    if either histogram is {@code null}
     * @throws EmptyHistogramException if {@code alpha == 0} and a side's total weight is 0 (the
     *                                 observed side is checked first), or if both are empty
     *                                 (K = 0) whatever alpha
     */
    public Divergence compute(final Histogram observed, final Histogram reference) {
        checkTotals(observed, reference);
        return alpha == 0 && sparse(observed, reference) ? sparsePass(observed, reference) : fullPass(observed, reference);
    }

    /**
     * Whether a window is small enough next to its reference for the sparse paths: n / K at most
     * 1 / {@code SPARSE_RATIO}. Measured ({@code SparseWindowBench threshold}, windows drawn from a
     * Zipf reference): at K = 1,024 the sparse path costs 13x less at n = 7, 2x less at n = 111
     * (~K / 9), and breaks even near n = K / 4 (each of its categories costs a binary search
     * over Q's names and a full term, each category of the full path ~40 ns); at K = 64 it breaks
     * even near n = K / 3. 1/8 keeps a margin of ~2x for longer names (slower compares) and for
     * the one-off O(K log K) index of a reference.
     */
    static boolean sparse(final Histogram observed, final Histogram reference) {
        return (long) observed.size() * SPARSE_RATIO <= reference.size();
    }

    /** The O(K) pass over the union, whatever the sizes (package-private for the tests and the benchmark). */
    Divergence computeFull(final Histogram observed, final Histogram reference) {
        checkTotals(observed, reference);
        return fullPass(observed, reference);
    }

    /**
     * The sparse pass, whatever the sizes (package-private for the tests and the benchmark).
     *
     * @throws IllegalStateException if this calculator smooths ({@code alpha > 0})
     */
    Divergence computeSparse(final Histogram observed, final Histogram reference) {
        if (alpha != 0) {
            throw new IllegalStateException("the sparse path needs alpha = 0: " + alpha);
        }
        checkTotals(observed, reference);
        return sparsePass(observed, reference);
    }

    private void checkTotals(final Histogram observed, final Histogram reference) {
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(reference, "reference");
        if (alpha == 0) {
            if (observed.total() == 0) {
                throw new EmptyHistogramException(EmptyHistogramException.OBSERVED);
            }
            if (reference.total() == 0) {
                throw new EmptyHistogramException(EmptyHistogramException.REFERENCE);
            }
        }
    }

    private Divergence fullPass(final Histogram observed, final Histogram reference) {
        final double totalP = observed.total();
        final double totalQ = reference.total();
        final String[] cp = observed.categoriesArray();
        final String[] cq = reference.categoriesArray();
        final double[] wp = observed.weightsArray();
        final double[] wq = reference.weightsArray();
        // The smoothed totals need K before the first term; without smoothing K comes with the
        // pass. With smoothing, a first merge finds K and records its steps for the second.
        final long[] steps = alpha == 0 ? null
                : new long[(cp.length + cq.length + STEPS_PER_WORD - 1) / STEPS_PER_WORD];
        final int union = steps == null ? 0 : merge(cp, cq, steps);
        if (steps != null && union == 0) {
            throw new EmptyHistogramException(EmptyHistogramException.OBSERVED);
        }
        final Pass pass = new Pass(totalP, totalQ, alpha, union,
                Math.min(topContributors, cp.length + cq.length));
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < cp.length || j < cq.length) {
            final int order;
            if (steps != null) {
                order = (int) (steps[k / STEPS_PER_WORD] >>> (2 * (k % STEPS_PER_WORD)) & 3) - 2;
            } else {
                order = i == cp.length ? 1 : j == cq.length ? -1 : compare(cp[i], cq[j]);
            }
            if (order < 0) {
                pass.add(k, cp[i], wp[i++], 0.0);
            } else if (order > 0) {
                pass.add(k, cq[j], 0.0, wq[j++]);
            } else {
                pass.add(k, cp[i], wp[i++], wq[j++]);
            }
            k++;
        }
        return pass.result(k, unit);
    }

    /**
     * alpha = 0. P's categories go through the pass one by one (their union index is their
     * position in Q plus the categories only in P before them); the categories of Q absent from P
     * ("vanished", p = 0) enter at once through their total and largest weight, and the strongest
     * of them are offered to the top contributors by walking Q by descending weight.
     */
    private Divergence sparsePass(final Histogram observed, final Histogram reference) {
        final ReferenceIndex index = reference.referenceIndex();
        final String[] cp = observed.categoriesArray();
        final String[] cq = reference.categoriesArray();
        final double[] wp = observed.weightsArray();
        final double[] wq = reference.weightsArray();
        final int capacity = Math.min(topContributors, cp.length + cq.length);
        final Pass pass = new Pass(observed.total(), reference.total(), 0.0, 0, capacity);
        final ReferenceIndex.Overlap overlap = index.overlap(cp);
        final String[] onlyP = new String[cp.length];
        int nOnlyP = 0;
        for (int i = 0; i < cp.length; i++) {
            final int j = overlap.position(i);
            if (j >= 0) {
                pass.add(j + nOnlyP, cp[i], wp[i], wq[j]);
            } else {
                pass.add(-j - 1 + nOnlyP, cp[i], wp[i], 0.0);
                onlyP[nOnlyP++] = cp[i];
            }
        }
        // Q's categories by descending weight, past those of P: the first `capacity` (and any tied
        // with the last of them) may be top contributors.
        final int[] byWeight = index.byWeight();
        int offered = 0;
        double cut = 0;
        double lastWeight = Double.NaN;
        int r = 0;
        while (capacity > 0 && r < byWeight.length) {
            final int j = byWeight[r];
            if (overlap.seen(j)) {
                r++;
                continue;
            }
            if (offered >= capacity) {
                if (wq[j] == lastWeight) {
                    // Equal weights come by ascending name: the rest of the run is weaker than the one offered.
                    r = index.runEnd(r);
                    continue;
                }
                if (pass.vanishedJs(wq[j]) < cut) {
                    break;
                }
            }
            final double js = pass.offerVanished(j + insertionPoint(onlyP, nOnlyP, cq[j]), cq[j], 0.0, wq[j]);
            if (++offered == capacity) {
                cut = js;
            }
            lastWeight = wq[j];
            r++;
        }
        pass.addVanished(overlap.vanishedMass(), overlap.largestVanished(), index.entropyNats());
        return pass.result(cq.length + nOnlyP, unit);
    }

    private static int insertionPoint(final String[] sorted, final int n, final String key) {
        final int found = Arrays.binarySearch(sorted, 0, n, key);
        return found >= 0 ? found : -found - 1;
    }

    /**
     * Every measure as {@link #compute(Histogram, Histogram)}, with the G-test that fits what
     * the reference is: goodness of fit to a {@link BaselineKind#FIXED} distribution (the
     * result of the two-argument form), homogeneity of two samples for a
     * {@link BaselineKind#SAMPLE} (raw counts, unsmoothed: {@link GTest#homogeneity}). Only the
     * G-test fields ({@link Divergence#gTest()}, statistic, df, p-value) depend on the kind.
     *
     * @param observed  P, the window
     * @param reference Q, the reference
     * @param baseline  what Q's weights are
     * @return the measures; never NaN
     * @throws NullPointerException    if an argument is {@code null}
     * @throws EmptyHistogramException as the two-argument form, and for a {@code SAMPLE} whenever
     *                                 a side's total weight is 0 (observed side first), whatever alpha
     */
    public Divergence compute(final Histogram observed, final Histogram reference, final BaselineKind baseline) {
        Objects.requireNonNull(baseline, "baseline");
        if (baseline == BaselineKind.SAMPLE) {
            final GTest.Result homogeneity = GTest.homogeneity(observed, reference);
            // A sample baseline (previous or last-n windows) is rarely reused: no reference index for it.
            return computeFull(observed, reference).withGTest(homogeneity);
        }
        return compute(observed, reference);
    }

    /**
     * Shannon entropy of one histogram, smoothed over its own categories:
     * {@code -sum p_i log p_i} with {@code p_i = (H_i + alpha) / (N + alpha K)}, in {@link #unit()};
     * in [0, log K]. For windows that have no reference.
     *
     * @throws NullPointerException    if {@code histogram} is {@code null}
     * @throws EmptyHistogramException (side {@code observed}) if it has no category, or if its
     *                                 total weight is 0 and {@code alpha == 0}
     */
    public double entropy(final Histogram histogram) {
        Objects.requireNonNull(histogram, "histogram");
        if (histogram.size() == 0 || histogram.total() == 0 && alpha == 0) {
            throw new EmptyHistogramException(EmptyHistogramException.OBSERVED);
        }
        return toUnit(entropyNats(histogram, alpha), unit);
    }

    /**
     * The entropy of a histogram smoothed over its own categories, in nats, {@code >= 0}; 0 for
     * total weight 0 without smoothing. Its terms are those {@link #compute} sums for the
     * reference side when alpha = 0, in the same order (so the sparse path can cache it per reference).
     */
    static double entropyNats(final Histogram histogram, final double alpha) {
        final double total = histogram.total();
        final int k = histogram.size();
        final double scale = scale(total, alpha);
        final double smoothing = alpha * scale;
        final double smoothedTotal = total * scale + smoothing * k;
        final double[] weights = histogram.weightsArray();
        final CompensatedSum sum = new CompensatedSum();
        for (final double weight : weights) {
            final double x = weight * scale + smoothing;
            if (x > 0) {
                final double p = x / smoothedTotal;
                sum.add(-p * logProbability(x, smoothedTotal, p));
            }
        }
        return Math.max(0.0, sum.value());
    }

    @Override
    public String toString() {
        return "DivergenceCalculator{alpha=" + alpha + ", unit=" + unit.label() + ", topContributors="
                + topContributors + '}';
    }

    private static int compare(final String a, final String b) {
        return a == b ? 0 : a.compareTo(b);
    }

    /**
     * Merges the sorted category arrays and records step k as {@code order + 2} (1: only in P,
     * 2: in both, 3: only in Q) in bits {@code 2 (k mod 32)} of {@code steps[k / 32]}, so that
     * the pass over the terms can replay the merge without touching a string: past a few
     * thousand categories the string compares miss the cache and dominate the cost.
     *
     * @return K, the size of the union
     */
    private static int merge(final String[] cp, final String[] cq, final long[] steps) {
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < cp.length || j < cq.length) {
            final int order = i == cp.length ? 1 : j == cq.length ? -1 : Integer.signum(compare(cp[i], cq[j]));
            if (order <= 0) {
                i++;
            }
            if (order >= 0) {
                j++;
            }
            steps[k / STEPS_PER_WORD] |= (long) (order + 2) << (2 * (k % STEPS_PER_WORD));
            k++;
        }
        return k;
    }

    /**
     * A power of two that brings {@code max(total, alpha)} into [1, 2): the per-category products
     * of weights and totals can then neither overflow nor underflow, and scaling by a power of
     * two changes no rounding.
     */
    private static double scale(final double total, final double alpha) {
        return Math.scalb(1.0, -Math.getExponent(Math.max(total, alpha)));
    }

    /**
     * {@code log(x / total)} for {@code x > 0}, given {@code p = x / total}. Near p = 1 the
     * rounding of p would be a large relative error in the small logarithm; {@code total - x}
     * is exact there (Sterbenz). A p that underflowed to 0 still has a finite logarithm.
     */
    private static double logProbability(final double x, final double total, final double p) {
        if (x > 0.5 * total) {
            return StrictMath.log1p(-(total - x) / total);
        }
        return p > 0 ? Ln.ln(p) : Ln.ln(x) - Ln.ln(total);
    }

    private static double toUnit(final double nats, final Unit unit) {
        return unit == Unit.BITS ? nats / LN2 : nats;
    }

    /** A JS term in the unit: in bits at most 1 (the clamp of the total), never above it by rounding. */
    private static double jsUnit(final double nats, final Unit unit) {
        return unit == Unit.BITS ? Math.min(1.0, nats / LN2) : Math.min(LN2, nats);
    }

    /** {@code ((1 + d) log1p(d) - d) / d^2} by its series, for {@code |d| < KL_SERIES_LIMIT}. */
    static double klPqSeries(final double d) {
        return horner(KL_PQ_SERIES, d);
    }

    private static double horner(final double[] coefficients, final double x) {
        double y = coefficients[coefficients.length - 1];
        for (int n = coefficients.length - 2; n >= 0; n--) {
            y = Math.fma(y, x, coefficients[n]);
        }
        return y;
    }

    /** The accumulators of one {@link #compute} call; terms in nats. */
    private static final class Pass {
        private final double alpha;
        private final double totalP;
        private final double totalQ;
        private final double scaleP;
        private final double scaleQ;
        private final double alphaP;
        private final double alphaQ;
        /** The smoothed totals, scaled: A = (N_P + alpha K) scaleP and B = (N_Q + alpha K) scaleQ. */
        private final double a;
        private final double b;
        private final double inverseProduct;
        private final CompensatedSum klPq = new CompensatedSum();
        private final CompensatedSum klQp = new CompensatedSum();
        private final CompensatedSum js = new CompensatedSum();
        private final CompensatedSum entropyP = new CompensatedSum();
        private final CompensatedSum entropyQ = new CompensatedSum();
        private final CompensatedSum hellinger = new CompensatedSum();
        private final CompensatedSum variation = new CompensatedSum();
        /** max |p_i - q_i|: a maximum is exact and order-free, so it needs no compensation. */
        private double largestChange;
        private final CompensatedSum unseen = new CompensatedSum();
        private final CompensatedSum missing = new CompensatedSum();
        private final TopContributors top;
        private boolean klPqInfinite;
        private boolean klQpInfinite;
        /** H(Q) in nats when given whole by {@link #addVanished}, else NaN (then the pass sums it). */
        private double referenceEntropy = Double.NaN;

        Pass(final double totalP, final double totalQ, final double alpha, final int union, final int top) {
            this.alpha = alpha;
            this.totalP = totalP;
            this.totalQ = totalQ;
            this.scaleP = scale(totalP, alpha);
            this.scaleQ = scale(totalQ, alpha);
            this.alphaP = alpha * scaleP;
            this.alphaQ = alpha * scaleQ;
            this.a = totalP * scaleP + alphaP * union;
            this.b = totalQ * scaleQ + alphaQ * union;
            this.inverseProduct = 1 / (a * b);
            this.top = new TopContributors(top);
        }

        void add(final int index, final String category, final double rawP, final double rawQ) {
            if (rawQ == 0) {
                unseen.add(rawP);
            }
            if (rawP == 0) {
                missing.add(rawQ);
            }
            final double x = rawP * scaleP + alphaP;
            final double y = rawQ * scaleQ + alphaQ;
            final double totalX = a;
            final double totalY = b;
            if (x == 0 || y == 0) {
                addOneSided(index, category, x, y, rawP, rawQ);
                return;
            }
            final double p = x / totalX;
            final double q = y / totalY;
            if (p == 0 && q == 0) {
                // Both below the smallest double relative to their totals: every term underflows to 0.
                top.offer(index, category, 0.0, 0.0, 0.0, 0.0, direction(rawP, rawQ, 0.0));
                return;
            }
            // num = x B - y A to ~1 ulp (difference of products with fma): every quantity that is
            // small when p ~ q comes from it, never from p - q. The branches compare |d| = |num / yA|
            // and |e| = |num / (xB + yA)| with their limits without dividing.
            final double yA = y * totalX;
            final double xB = x * totalY;
            final double num = Math.fma(x, totalY, -yA) + Math.fma(-y, totalX, yA);
            final double diff = num * inverseProduct;
            final double logP = logProbability(x, totalX, p);
            final double logQ = logProbability(y, totalY, q);
            entropyP.add(-p * logP);
            entropyQ.add(-q * logQ);

            final double termPq;
            final double termQp;
            final double contribution;
            if (Math.abs(num) < KL_SERIES_LIMIT * yA) {
                final double d = num / yA;
                final double qd2 = q * d * d;
                termPq = qd2 * horner(KL_PQ_SERIES, d);
                termQp = qd2 * horner(KL_QP_SERIES, d);
                contribution = termPq + diff;
            } else {
                final double logRatio = logP - logQ;
                contribution = p * logRatio;
                termPq = Math.max(0.0, contribution - diff);
                termQp = Math.max(0.0, diff - q * logRatio);
            }
            klPq.add(termPq);
            klQp.add(termQp);

            final double sumOfProducts = xB + yA;
            final double m = 0.5 * (p + q);
            final double rootP = Math.sqrt(p);
            final double rootQ = Math.sqrt(q);
            final double rootDiff;
            final double jsTerm;
            if (Math.abs(num) < JS_SERIES_LIMIT * sumOfProducts) {
                final double e = num / sumOfProducts;
                final double e2 = e * e;
                jsTerm = 0.5 * m * e2 * horner(JS_SERIES, e2);
                // sqrt p - sqrt q without the cancellation of the difference of roots.
                rootDiff = diff / (rootP + rootQ);
            } else {
                final double logM = Ln.ln(m);
                jsTerm = Math.max(0.0, 0.5 * (p * (logP - logM) + q * (logQ - logM)));
                rootDiff = rootP - rootQ;
            }
            js.add(jsTerm);
            hellinger.add(rootDiff * rootDiff);
            variation.add(Math.abs(diff));
            largestChange = Math.max(largestChange, Math.abs(diff));
            top.offer(index, category, p, q, contribution, jsTerm, direction(rawP, rawQ, num));
        }

        /**
         * NEW and VANISHED from the raw weights (smoothing hides them), else the sign of
         * {@code p_i - q_i} (given as {@code num}, same sign).
         */
        private static Contribution.Direction direction(final double rawP, final double rawQ, final double num) {
            if (rawQ == 0 && rawP > 0) {
                return Contribution.Direction.NEW;
            }
            if (rawP == 0 && rawQ > 0) {
                return Contribution.Direction.VANISHED;
            }
            return num > 0 ? Contribution.Direction.GREW
                    : num < 0 ? Contribution.Direction.SHRANK : Contribution.Direction.UNCHANGED;
        }

        /** A category where at least one smoothed side is 0: the limits of every term. */
        private void addOneSided(final int index, final String category, final double x, final double y,
                                 final double rawP, final double rawQ) {
            if (y > 0) {
                // x = 0: absent from P (or its weight underflowed).
                final double q = y / b;
                entropyQ.add(-q * logProbability(y, b, q));
                klQpInfinite = true;
                klPq.add(q);
                addMass(q, q);
                offerVanished(index, category, rawP, rawQ);
                return;
            }
            if (x == 0) {
                top.offer(index, category, 0.0, 0.0, 0.0, 0.0, Contribution.Direction.UNCHANGED);
                return;
            }
            final double p = x / a;
            entropyP.add(-p * logProbability(x, a, p));
            klPqInfinite = true;
            klQp.add(p);
            addMass(p, p);
            top.offer(index, category, p, 0.0, Double.POSITIVE_INFINITY, oneSidedJs(p), direction(rawP, rawQ, x));
        }

        /** M = mass/2 on a one-sided category: KL(P||M) + KL(Q||M) = mass log 2. */
        private static double oneSidedJs(final double mass) {
            return 0.5 * LN2 * mass;
        }

        /** The JS, Hellinger and variation terms of one-sided mass, and the largest one-sided change. */
        private void addMass(final double mass, final double largest) {
            js.add(oneSidedJs(mass));
            hellinger.add(mass);
            variation.add(mass);
            largestChange = Math.max(largestChange, largest);
        }

        /**
         * Offers a category absent from P (smoothed x = 0) to the top contributors, without its
         * terms (the sparse path sums those of all such categories at once, {@link #addVanished}).
         *
         * @return its JS term, in nats
         */
        double offerVanished(final int index, final String category, final double rawP, final double rawQ) {
            final double y = rawQ * scaleQ + alphaQ;
            if (y == 0) {
                top.offer(index, category, 0.0, 0.0, 0.0, 0.0, Contribution.Direction.UNCHANGED);
                return 0.0;
            }
            final double q = y / b;
            final double jsTerm = oneSidedJs(q);
            top.offer(index, category, 0.0, q, 0.0, jsTerm, direction(rawP, rawQ, -y));
            return jsTerm;
        }

        /** The JS term {@link #offerVanished} would give a category of raw weight {@code rawQ} absent from P. */
        double vanishedJs(final double rawQ) {
            return oneSidedJs((rawQ * scaleQ + alphaQ) / b);
        }

        /**
         * alpha = 0: the terms of every category of Q absent from P at once (each is a function of
         * q alone, see {@link #addOneSided}), from their total raw weight {@code mass}, the largest
         * raw weight among them, and H(Q), which is the same whatever P.
         */
        void addVanished(final double mass, final double largest, final double entropyQNats) {
            missing.add(mass);
            final double q = mass * scaleQ / b;
            klPq.add(q);
            final double y = largest * scaleQ;
            if (y > 0) {
                klQpInfinite = true;
            }
            addMass(q, y / b);
            referenceEntropy = entropyQNats;
        }

        Divergence result(final int k, final Unit unit) {
            final double klPqNats = klPqInfinite ? Double.POSITIVE_INFINITY : Math.max(0.0, klPq.value());
            final double klQpNats = klQpInfinite ? Double.POSITIVE_INFINITY : Math.max(0.0, klQp.value());
            final double jsNats = Math.min(LN2, Math.max(0.0, js.value()));
            final double jsInUnit = unit == Unit.BITS ? Math.min(1.0, jsNats / LN2) : jsNats;
            final double g = klPqInfinite ? Double.POSITIVE_INFINITY : totalP * (2 * klPqNats);
            final int df = k - 1;
            final double pValue = GTest.pValue(g, df);
            return new Divergence(unit, alpha, k, totalP, totalQ,
                    toUnit(klPqNats, unit), toUnit(klQpNats, unit), klPqNats + klQpNats, jsInUnit,
                    toUnit(Math.max(0.0, entropyP.value()), unit),
                    toUnit(Math.max(0.0, Double.isNaN(referenceEntropy) ? entropyQ.value() : referenceEntropy), unit),
                    Math.sqrt(Math.min(1.0, 0.5 * hellinger.value())),
                    Math.min(1.0, 0.5 * variation.value()), Math.min(1.0, largestChange),
                    g, pValue,
                    totalP == 0 ? 0.0 : Math.min(1.0, unseen.value() / totalP),
                    totalQ == 0 ? 0.0 : Math.min(1.0, missing.value() / totalQ),
                    top.toList(unit));
        }
    }

    /**
     * The n strongest terms seen so far, in a min-heap whose root is the weakest kept one, so
     * each category costs O(1) unless it enters (O(log n)); no sort of all K categories.
     */
    private static final class TopContributors {
        private final int capacity;
        private final int[] heap;
        private final int[] order;
        private final double[] strength;
        private final String[] category;
        private final double[] p;
        private final double[] q;
        private final double[] term;
        private final double[] jsTerm;
        private final Contribution.Direction[] direction;
        private int size;

        TopContributors(final int capacity) {
            this.capacity = capacity;
            heap = new int[capacity];
            order = new int[capacity];
            strength = new double[capacity];
            category = new String[capacity];
            p = new double[capacity];
            q = new double[capacity];
            term = new double[capacity];
            jsTerm = new double[capacity];
            direction = new Contribution.Direction[capacity];
        }

        /** Ranked by the JS term {@code js} (finite, >= 0, symmetric); {@code t} is the KL(P||Q) term, carried. */
        void offer(final int index, final String name, final double pi, final double qi, final double t,
                   final double js, final Contribution.Direction d) {
            if (capacity == 0) {
                return;
            }
            final int slot;
            if (size < capacity) {
                slot = size;
                heap[size] = slot;
                store(slot, index, name, pi, qi, t, js, d);
                siftUp(size++);
            } else if (stronger(js, index, heap[0])) {
                slot = heap[0];
                store(slot, index, name, pi, qi, t, js, d);
                siftDown(0);
            }
        }

        private void store(final int slot, final int index, final String name, final double pi, final double qi,
                           final double t, final double js, final Contribution.Direction d) {
            order[slot] = index;
            category[slot] = name;
            p[slot] = pi;
            q[slot] = qi;
            term[slot] = t;
            jsTerm[slot] = js;
            direction[slot] = d;
            strength[slot] = js;
        }

        /** Larger JS term first; on a tie the earlier category (ascending name) is stronger. */
        private boolean stronger(final double s, final int index, final int slot) {
            return s > strength[slot] || s == strength[slot] && index < order[slot];
        }

        private boolean stronger(final int slotA, final int slotB) {
            return stronger(strength[slotA], order[slotA], slotB);
        }

        private void siftUp(final int from) {
            int child = from;
            while (child > 0) {
                final int parent = (child - 1) >>> 1;
                if (!stronger(heap[parent], heap[child])) {
                    break;
                }
                swap(heap, parent, child);
                child = parent;
            }
        }

        private void siftDown(final int from) {
            siftDown(heap, size, from);
        }

        /** Restores the heap order (weakest at the root) below {@code from} in {@code h[0, n)}. */
        private void siftDown(final int[] h, final int n, final int from) {
            int parent = from;
            while (true) {
                final int left = 2 * parent + 1;
                if (left >= n) {
                    return;
                }
                final int right = left + 1;
                final int weaker = right < n && stronger(h[left], h[right]) ? right : left;
                if (!stronger(h[parent], h[weaker])) {
                    return;
                }
                swap(h, parent, weaker);
                parent = weaker;
            }
        }

        private static void swap(final int[] h, final int i, final int j) {
            final int t = h[i];
            h[i] = h[j];
            h[j] = t;
        }

        /**
         * The contributors, strongest first: the heap's weakest popped into the last place, in a
         * copy; no boxed sort with a comparator (whose shared TimSort the JIT kept recompiling).
         */
        List<Contribution> toList(final Unit unit) {
            final int[] h = Arrays.copyOf(heap, size);
            final Contribution[] list = new Contribution[size];
            for (int n = size; n > 0; n--) {
                final int s = h[0];
                list[n - 1] = new Contribution(category[s], p[s], q[s], toUnit(term[s], unit),
                        jsUnit(jsTerm[s], unit), direction[s]);
                h[0] = h[n - 1];
                siftDown(h, n - 1, 0);
            }
            return List.of(list);
        }
    }
}
