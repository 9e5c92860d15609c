package io.divergent.math;

import java.util.Objects;

/**
 * The distances of one window calibrated against "no drift", as computed by
 * {@link NoDriftCalibrator#calibrate}: for each distance, the value observed, the value expected
 * when the window and the baseline come from one distribution, and the p-value of the observed
 * value under that null model. Immutable. See {@code docs/divergence.md}, "Extended (issue 13)".
 *
 * @param observedTotal N_P, the window's raw total
 * @param baselineTotal N_Q, the baseline's raw total when it is a sample; {@code +Infinity} for a
 *                      fixed distribution
 * @param categories    K of the null model: the categories with a positive null probability
 * @param replicates    Monte Carlo replicates drawn (multinomial or Gaussian), 0 when none
 * @param jsDivergence  Jensen-Shannon divergence, in {@code unit}
 * @param jsDistance    Jensen-Shannon distance, in {@code unit}
 * @param hellinger     Hellinger distance
 * @param totalVariation total variation distance
 * @param lInfinity     L-infinity distance {@code max_i |p_i - q_i|} (smoothed probabilities);
 *                      the calibrator always sets it, the event's schema field is nullable for
 *                      readers of older events
 * @param unit          the unit of the two Jensen-Shannon values
 */
public record NoDrift(double observedTotal, double baselineTotal, int categories, int replicates,
                      Value jsDivergence, Value jsDistance, Value hellinger, Value totalVariation,
                      Value lInfinity, Unit unit) {

    /** How an expected value and a p-value were obtained. */
    public enum Method {
        /** One category under the null: every null sample is the same; exact. */
        EXACT,
        /** 8 N_eff JS_nats or 8 N_eff H^2 ~ chi-square with K - 1 degrees of freedom (large counts). */
        CHI_SQUARE,
        /** Seeded multinomial samples of the null (small counts). */
        MULTINOMIAL_SIMULATION,
        /** Seeded samples of the Gaussian limit of p - q (large counts, K small enough). */
        GAUSSIAN_SIMULATION,
        /** Large counts and large K: a normal (TV) or independent-categories (L-infinity) approximation. */
        NORMAL_APPROXIMATION
    }

    /**
     * One distance calibrated against no drift.
     *
     * @param observed the distance of the window, recomputed by the calibrator in double precision
     *                 (agrees with the event's measure to about 1e-12 absolute)
     * @param expected its mean under the null model, >= 0
     * @param pValue   probability under the null model of a distance at least as large as
     *                 {@code observed}, in (0, 1] (0 possible only from an asymptotic tail)
     * @param method   how both were obtained
     */
    public record Value(double observed, double expected, double pValue, Method method) {
        /** @throws IllegalArgumentException if a number is NaN or negative, or the p-value exceeds 1 */
        public Value {
            Objects.requireNonNull(method, "method");
            if (!(observed >= 0) || !(expected >= 0) || !(pValue >= 0 && pValue <= 1)) {
                throw new IllegalArgumentException("invalid calibrated value: observed=" + observed
                        + ", expected=" + expected + ", p=" + pValue);
            }
        }

        /** {@code observed - expected}: the distance beyond what sampling noise alone gives on average. */
        public double excess() {
            return observed - expected;
        }
    }

    /** @throws NullPointerException if a value or the unit is null */
    public NoDrift {
        Objects.requireNonNull(lInfinity, "lInfinity");
        Objects.requireNonNull(jsDivergence, "jsDivergence");
        Objects.requireNonNull(jsDistance, "jsDistance");
        Objects.requireNonNull(hellinger, "hellinger");
        Objects.requireNonNull(totalVariation, "totalVariation");
        Objects.requireNonNull(unit, "unit");
    }

    /** True when the baseline was a fixed distribution (N_Q infinite). */
    public boolean fixedBaseline() {
        return baselineTotal == Double.POSITIVE_INFINITY;
    }
}
