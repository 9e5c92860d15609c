package io.divergent.math;

import java.util.Objects;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * The G-tests of a window against its baseline, after Apache Commons Statistics' {@code GTest}
 * ({@code gTestDataSetsComparison} is the two-sample form here). Pure functions of their
 * arguments; thread-safe.
 *
 * <p>The goodness-of-fit G ({@code 2 N_P KL_nats(P||Q)}) is computed with the other measures by
 * {@link DivergenceCalculator}; this class owns the two-sample statistic and the p-value of both.
 *
 * <p><b>Small expected counts.</b> The p-value is the asymptotic chi-square one, without a
 * continuity or Williams correction, for both tests: the goodness-of-fit values stay the ones
 * released, and the two tests stay comparable. The approximation is good when every expected
 * count is at least about 5 (Cochran); below, the G-test rejects somewhat too often (see the
 * calibration figures in {@code docs/divergence.md}). Exact or Monte Carlo p-values for small
 * windows are left to the no-drift calibration of issue 13 item 2.
 */
public final class GTest {

    /** Which test a G statistic belongs to. */
    public enum Kind {
        /** Window against a fixed distribution: {@code G = 2 N_P KL(P||Q)}, df = K - 1. */
        GOODNESS_OF_FIT,
        /**
         * Two samples, window and baseline, from one unknown distribution: G of the 2 x K table
         * of raw counts, df = (categories with a count on either side) - 1.
         */
        HOMOGENEITY
    }

    /**
     * One test's outcome.
     *
     * @param kind             which test
     * @param statistic        G, in [0, +Infinity]
     * @param degreesOfFreedom df, {@code >= 0}
     * @param pValue           chi-square survival probability of G at df, in [0, 1]; 1 when df = 0
     */
    public record Result(Kind kind, double statistic, int degreesOfFreedom, double pValue) {
    }

    private GTest() {
    }

    /**
     * The chi-square survival probability of a G statistic: the p-value of both tests.
     *
     * @param g  the statistic, {@code >= 0} or +Infinity
     * @param df the degrees of freedom, {@code >= 0}
     * @return 1 when {@code df == 0}, 0 when {@code g} is infinite (and df > 0), else
     *         {@code P(chi2(df) > g)}
     * @throws IllegalArgumentException if {@code g} is negative or NaN, or {@code df < 0}
     */
    public static double pValue(final double g, final int df) {
        if (!(g >= 0)) {
            throw new IllegalArgumentException("G must be >= 0: " + g);
        }
        if (df < 0) {
            throw new IllegalArgumentException("degrees of freedom must be >= 0: " + df);
        }
        if (df == 0) {
            return 1.0;
        }
        if (g == Double.POSITIVE_INFINITY) {
            return 0.0;
        }
        return ChiSquaredDistribution.of(df).survivalProbability(g);
    }

    /**
     * The G-test of homogeneity of two samples, on the 2 x K table of their raw weights (read as
     * counts; no smoothing): {@code G = 2 sum over cells O log(O / E)} with
     * {@code E = row total x column total / N}, computed as the equal sum of non-negative terms
     * {@code 2 sum_i (c_i / N) (N_P f(d_Pi) + N_Q f(d_Qi))}, {@code f(d) = (1 + d) log1p(d) - d},
     * {@code d_Pi = (P_i N_Q - Q_i N_P) / (N_P c_i)}, {@code c_i = P_i + Q_i}, so that it has no
     * cancellation when the samples agree. Categories empty on both sides are not cells of the
     * table: df = (categories with {@code c_i > 0}) - 1. Symmetric in its arguments; scaling both
     * by t scales G by t. The result is never NaN and always finite.
     *
     * @param observed the window P
     * @param baseline the baseline sample Q
     * @return the {@link Kind#HOMOGENEITY} result
     * @throws NullPointerException    if either histogram is {@code null}
     * @throws EmptyHistogramException if a side's total weight is 0 (the observed side is checked
     *                                 first): a sample of size 0 has no distribution to compare
     */
    public static Result homogeneity(final Histogram observed, final Histogram baseline) {
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(baseline, "baseline");
        final double totalP = observed.total();
        final double totalQ = baseline.total();
        if (totalP == 0) {
            throw new EmptyHistogramException(EmptyHistogramException.OBSERVED);
        }
        if (totalQ == 0) {
            throw new EmptyHistogramException(EmptyHistogramException.REFERENCE);
        }
        // Scaling both sides by one power of two changes neither G / N nor any rounding, and keeps
        // the products below from overflowing; G is scaled back at the end.
        final double scale = Math.scalb(1.0, -Math.getExponent(Math.max(totalP, totalQ)));
        final double np = totalP * scale;
        final double nq = totalQ * scale;
        final double n = np + nq;
        final String[] cp = observed.categoriesArray();
        final String[] cq = baseline.categoriesArray();
        final double[] wp = observed.weightsArray();
        final double[] wq = baseline.weightsArray();
        final CompensatedSum sum = new CompensatedSum();
        int cells = 0;
        int i = 0;
        int j = 0;
        while (i < cp.length || j < cq.length) {
            final int order = i == cp.length ? 1 : j == cq.length ? -1 : cp[i].compareTo(cq[j]);
            final double x = order <= 0 ? wp[i++] * scale : 0.0;
            final double y = order >= 0 ? wq[j++] * scale : 0.0;
            final double c = x + y;
            if (c == 0) {
                continue;
            }
            cells++;
            // num = x nq - y np to ~1 ulp: d_P = num / (np c), d_Q = -num / (nq c).
            final double xq = x * nq;
            final double num = Math.fma(x, nq, -xq) + Math.fma(-y, np, xq);
            final double term = np * f(num / (np * c), x == 0) + nq * f(-num / (nq * c), y == 0);
            sum.add(c / n * term);
        }
        final double g = Math.max(0.0, 2 * sum.value() / scale);
        final int df = cells - 1;
        return new Result(Kind.HOMOGENEITY, g, df, pValue(g, df));
    }

    /**
     * {@code f(d) = (1 + d) log1p(d) - d >= 0} for {@code d >= -1}, with {@code f(-1) = 1}
     * ({@code 0 log 0 = 0}); a series below |d| = 1/16 where the closed form cancels.
     */
    private static double f(final double d, final boolean empty) {
        if (empty) {
            return 1.0;
        }
        if (Math.abs(d) < DivergenceCalculator.KL_SERIES_LIMIT) {
            return d * d * DivergenceCalculator.klPqSeries(d);
        }
        return Math.max(0.0, (1 + d) * StrictMath.log1p(d) - d);
    }
}
