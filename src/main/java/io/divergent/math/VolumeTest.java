package io.divergent.math;

import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The volume test of a window: is its event count consistent with the series' recent rate?
 * Pure functions of their arguments; thread-safe.
 *
 * <p><b>Model.</b> The window's count {@code X} and the sum {@code Y} of the counts of {@code n}
 * earlier windows of the same length are independent Poisson counts with rates {@code lambda}
 * and {@code n * lambda} under no change (a constant rate). Conditional on {@code X + Y = m},
 * {@code X} is then {@code Binomial(m, 1 / (n + 1))} whatever lambda is (the two-sample Poisson
 * rate test, Przyborowski and Wilenski 1940), so the test needs no estimate of lambda and is
 * exact for small counts. The p-value is two-sided (a drop or a surge) and the <em>mid-p</em>
 * one: half the probability of the observed count is counted, which takes out most of the
 * conservativeness of a discrete test (at 5%, the plain exact test fires in about 3-4% of
 * windows at moderate rates, the mid-p one in about 5%; see {@code VolumeTestTest}).
 *
 * <p><b>Limits.</b> Real traffic is rarely Poisson: daily cycles and bursts make counts vary
 * more than their mean (overdispersion), and then the test fires more often than its level under
 * what a user would call "no change". It is a measure, like {@code g_p_value}; thresholds are
 * the user's. For {@code m} beyond {@link Integer#MAX_VALUE} the binomial is replaced by its
 * normal approximation (exact to many digits at such counts).
 */
public final class VolumeTest {

    private VolumeTest() {
    }

    /**
     * The baseline volume: the mean count of the earlier windows.
     *
     * @param baselineSum     Y, the sum of their counts, {@code >= 0}
     * @param baselineWindows n, how many, {@code >= 1}
     * @return {@code Y / n}
     * @throws IllegalArgumentException if {@code baselineSum < 0} or {@code baselineWindows < 1}
     */
    public static double expected(final long baselineSum, final int baselineWindows) {
        check(0, baselineSum, baselineWindows);
        return (double) baselineSum / baselineWindows;
    }

    /**
     * The two-sided mid-p value of a window's count against the counts of earlier windows.
     *
     * @param observed        X, the window's count, {@code >= 0}
     * @param baselineSum     Y, the summed count of the earlier windows, {@code >= 0}
     * @param baselineWindows n, the number of earlier windows, {@code >= 1}
     * @return in [0, 1]: 1 when {@code X + Y = 0} (nothing to compare); small when X is far below
     *         (a drop) or far above (a surge) {@code Y / n}
     * @throws IllegalArgumentException if a count is negative, {@code baselineWindows < 1}, or
     *                                  {@code X + Y} overflows a long
     */
    public static double pValue(final long observed, final long baselineSum, final int baselineWindows) {
        check(observed, baselineSum, baselineWindows);
        final long m = observed + baselineSum;
        if (m < 0) {
            throw new IllegalArgumentException("observed + baseline overflows: " + observed + " + " + baselineSum);
        }
        if (m == 0) {
            return 1.0;
        }
        final double share = 1.0 / (baselineWindows + 1.0);
        final double below;
        final double at;
        final double above;
        if (m <= Integer.MAX_VALUE) {
            final BinomialDistribution binomial = BinomialDistribution.of((int) m, share);
            final int x = (int) observed;
            at = binomial.probability(x);
            below = x == 0 ? 0.0 : binomial.cumulativeProbability(x - 1);
            above = binomial.survivalProbability(x);
        } else {
            final double mean = m * share;
            final NormalDistribution normal = NormalDistribution.of(mean, Math.sqrt(mean * (1 - share)));
            at = 0.0;
            below = normal.cumulativeProbability(observed);
            above = normal.survivalProbability(observed);
        }
        return Math.min(1.0, 2 * Math.min(below + at / 2, above + at / 2));
    }

    private static void check(final long observed, final long baselineSum, final int baselineWindows) {
        if (observed < 0 || baselineSum < 0) {
            throw new IllegalArgumentException("counts must be >= 0: observed " + observed + ", baseline " + baselineSum);
        }
        if (baselineWindows < 1) {
            throw new IllegalArgumentException("baseline windows must be >= 1: " + baselineWindows);
        }
    }
}
