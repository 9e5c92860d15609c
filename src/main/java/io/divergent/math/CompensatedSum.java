package io.divergent.math;

/**
 * Kahan-Babuska-Neumaier summation (the rounding error of each addition, found by TwoSum, is
 * accumulated apart and added at the end). Adding the same terms in the same order gives the
 * bit-identical result, and the error does not grow with the number of terms (K up to 10^5
 * positive terms would otherwise lose ~5 digits in the worst case).
 */
final class CompensatedSum {

    private double sum;
    private double compensation;

    /**
     * A sum that continues from the state (sum, compensation) of another one: the pair is kept
     * unevaluated, so adding terms of the opposite sign (a difference of sums) loses nothing to the
     * rounding of {@code sum + compensation}.
     */
    static CompensatedSum of(final double sum, final double compensation) {
        final CompensatedSum s = new CompensatedSum();
        s.sum = sum;
        s.compensation = compensation;
        return s;
    }

    void add(final double x) {
        // Knuth's TwoSum: the exact rounding error of sum + x, without Neumaier's branch.
        final double t = sum + x;
        final double z = t - sum;
        compensation += (sum - (t - z)) + (x - z);
        sum = t;
    }

    /** The uncompensated running sum (for overflow checks). */
    double sum() {
        return sum;
    }

    /** The accumulated rounding errors, not yet added to {@link #sum()}. */
    double compensation() {
        return compensation;
    }

    /** The compensated sum; an infinite running sum is returned as is (its compensation is NaN). */
    double value() {
        return Double.isInfinite(sum) ? sum : sum + compensation;
    }
}
