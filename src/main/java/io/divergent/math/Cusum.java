package io.divergent.math;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * A one-sided upper CUSUM (Page, 1954) over a series' per-window scores: it accumulates the
 * evidence of a persistent drift that no single window shows. Immutable and thread-safe; the
 * state {@code S} is the caller's (one double per series), so the detector is a pure function.
 *
 * <p><b>Score.</b> Each window's test p-value (the G-test's {@code g_p_value}) is turned into a
 * standard normal score {@link #score(double) z = Phi^-1(1 - p)}: with no drift p is uniform on
 * [0, 1], so z is N(0, 1), whatever the number of categories or events; a drift makes p small
 * and z large.
 *
 * <p><b>Recursion.</b> From {@code S_0 = 0}: {@code S_t = min(cap, max(0, S_{t-1} + z_t - k))}
 * ({@link #step}); the detector alarms when {@code S_t >= h} ({@link #alarm}). The reference
 * value {@code k} is the allowance: a z that does not exceed it on average does not accumulate
 * (about half the shift in mean z to detect is the classical optimum). The threshold {@code h}
 * sets the trade-off between the in-control average run length (windows between false alarms
 * with no drift) and the detection delay. The {@code cap} bounds S so that once a drift ends S
 * falls below h within about {@code (cap - h) / k} windows, however long the drift lasted;
 * with {@code cap = h} the cap does not change when the detector first alarms (a capped S is
 * already {@code >= h}), only how long it stays alarmed.
 *
 * <p>The figures of {@link #DEFAULTS} (average run length, detection delays, windows to fall below
 * h) are measured by {@code CusumSimulation} and documented in {@code docs/divergence.md},
 * "Extended (issue 14): multiple testing and change detection".
 *
 * @param k   the allowance subtracted from each score, finite and {@code >= 0}
 * @param h   the alarm threshold, finite and {@code > 0}
 * @param cap the largest value of S, finite and {@code >= h}
 */
public record Cusum(double k, double h, double cap) {

    /**
     * The largest magnitude of a score: {@code Phi^-1(1 - p)} is clamped to
     * {@code [-Z_MAX, Z_MAX]}. 8 is the score of {@code p = 6.2e-16}: smaller p-values (down to
     * p = 0, G infinite) are beyond the accuracy of the chi-square approximation of the G-test
     * and carry no further credible evidence; the clamp keeps every score finite, so that one
     * extreme window moves S by at most {@code Z_MAX + k}. It still lets one window alone reach
     * the default threshold (Z_MAX - k > h).
     */
    public static final double Z_MAX = 8.0;

    /**
     * The defaults, {@code k = 0.75, h = 5.5, cap = 6.5}. With no drift, about 16,000 windows
     * between false alarms at N = 400 (at least 5,000 is the target; still about 7,000 at N = 30,
     * where the G-test is slightly anti-conservative). k = 0.75 is half a shift of 1.5 in the mean
     * score, between a 3% move of mass (mean score 1.0 at N = 400, K = 5) and a 6% one (3.0).
     * cap = h + 1: S falls below h within 1 window after a drift ends (median; 95th percentile
     * 3-4), while a persisting 6% shift drops below h in only 0.4% of its windows. Figures
     * and alternatives: docs/divergence.md, "Extended (issue 14)".
     */
    public static final Cusum DEFAULTS = new Cusum(0.75, 5.5, 6.5);

    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    /**
     * @throws IllegalArgumentException if {@code k} is negative, {@code h} is not positive,
     *                                  {@code cap < h}, or any is NaN or infinite
     */
    public Cusum {
        if (!(k >= 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k must be finite and >= 0: " + k);
        }
        if (!(h > 0) || Double.isInfinite(h)) {
            throw new IllegalArgumentException("h must be finite and > 0: " + h);
        }
        if (!(cap >= h) || Double.isInfinite(cap)) {
            throw new IllegalArgumentException("cap must be finite and >= h (" + h + "): " + cap);
        }
    }

    /**
     * The same detector with another allowance and threshold, keeping the headroom
     * {@code cap - h} of this one (how long S stays above h once a drift ends).
     *
     * @throws IllegalArgumentException as the constructor does
     */
    public Cusum with(final double allowance, final double threshold) {
        return new Cusum(allowance, threshold, threshold + (cap - h));
    }

    /**
     * One window's step: {@code min(cap, max(0, s + z - k))}.
     *
     * @param s the previous state, 0 at the start (a value above {@code cap} is brought down to it)
     * @param z the window's score, usually {@link #score(double)}
     * @return the new state, in [0, cap]
     * @throws IllegalArgumentException if {@code s} or {@code z} is NaN or infinite
     */
    public double step(final double s, final double z) {
        if (!Double.isFinite(s) || !Double.isFinite(z)) {
            throw new IllegalArgumentException("state and score must be finite: s=" + s + ", z=" + z);
        }
        return Math.min(cap, Math.max(0.0, s + z - k));
    }

    /**
     * @param s a state
     * @return whether the detector alarms at this state: {@code s >= h}
     */
    public boolean alarm(final double s) {
        return s >= h;
    }

    /**
     * The standard normal score of a p-value: the upper quantile {@code z = Phi^-1(1 - p)},
     * computed without forming {@code 1 - p} (full precision for small p), clamped to
     * {@code [-Z_MAX, Z_MAX]}: p = 0 gives {@code +Z_MAX}, p = 1 gives {@code -Z_MAX}, p = 0.5
     * gives 0. Decreasing in p.
     *
     * @param pValue a p-value in [0, 1]
     * @return the score in {@code [-Z_MAX, Z_MAX]}
     * @throws IllegalArgumentException if {@code pValue} is NaN or outside [0, 1]
     */
    public static double score(final double pValue) {
        if (!(pValue >= 0 && pValue <= 1)) {
            throw new IllegalArgumentException("p-value must be in [0, 1]: " + pValue);
        }
        final double z = STANDARD_NORMAL.inverseSurvivalProbability(pValue);
        return Math.max(-Z_MAX, Math.min(Z_MAX, z));
    }
}
