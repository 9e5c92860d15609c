package io.divergent.math;

/**
 * Kahan-Babuska-Neumaier summation. Adding the same terms in the same order gives the
 * bit-identical result, and the error does not grow with the number of terms (K up to 10^5
 * positive terms would otherwise lose ~5 digits in the worst case).
 */
final class CompensatedSum {

    private double sum;
    private double compensation;

    void add(final double x) {
        final double t = sum + x;
        if (Math.abs(sum) >= Math.abs(x)) {
            compensation += (sum - t) + x;
        } else {
            compensation += (x - t) + sum;
        }
        sum = t;
    }

    /** The uncompensated running sum (for overflow checks). */
    double sum() {
        return sum;
    }

    /** The compensated sum; an infinite running sum is returned as is (its compensation is NaN). */
    double value() {
        return Double.isInfinite(sum) ? sum : sum + compensation;
    }
}
