package io.divergent.math;

/**
 * Natural logarithm in plain Java arithmetic. {@link StrictMath#log} gives the same bits on
 * every platform but costs a native call (about twice {@link Math#log}); {@link Math#log} may
 * differ by an ulp between JVMs and CPUs. The divergence of one window must be the same bits on
 * every instance that computes or replays it, and the logarithm is the hot spot of
 * {@link DivergenceCalculator}, so this one is both portable and fast: IEEE-754 arithmetic and
 * {@code fma} only (exactly specified in Java), within 2 ulp of {@code StrictMath.log}, about a
 * third faster than {@code Math.log}.
 *
 * <p>Method: {@code x = 2^k m}; the top 7 bits of the mantissa pick a centre {@code c} near m
 * from a table (for m >= ~sqrt 2 the table holds {@code c / 2} and k grows by one, so that
 * x near 1 from either side gives k = 0 and c = 1: no cancellation); then
 * {@code log x = k log 2 + log c + log1p(r)} with {@code r = m / c - 1}, |r| < 1/128, by a
 * degree-9 Taylor polynomial. {@code k log 2} is added in two parts so that
 * {@code k * LN2_HI} is exact; the table's {@code log c} are {@code StrictMath} values.
 */
final class Ln {

    /** log 2 rounded to 21 significant bits: {@code k * LN2_HI} is exact for every exponent k. */
    private static final double LN2_HI = 0x1.62e42p-1;
    /** log 2 - LN2_HI, to double precision. */
    private static final double LN2_LO = 0x1.fdf473de6af28p-22;
    private static final long MANTISSA = 0x000fffffffffffffL;
    private static final long ONE_BITS = 0x3ff0000000000000L;
    private static final long HALF_BITS = 0x3fe0000000000000L;
    private static final int INDEX_SHIFT = 45;
    private static final int BUCKETS = 1 << (52 - INDEX_SHIFT);
    /** Buckets from 1 + 53/128 = 1.414 on hold m / 2, in [0.707, 1). */
    private static final int FIRST_HALVED = 53;
    /** 1 / c, rounded; the table and r use this same double. */
    private static final double[] INVERSE_CENTRE = new double[BUCKETS];
    /** {@code -log(INVERSE_CENTRE[j])}: the logarithm of the centre actually used. */
    private static final double[] LOG_CENTRE = new double[BUCKETS];
    // log1p(r) = r - r^2/2 + r^3 (1/3 - r/4 + r^2/5 - ... + r^6/9); |r|^10/10 < 2^-53 |r|.
    private static final double P0 = 1.0 / 3;
    private static final double P1 = -1.0 / 4;
    private static final double P2 = 1.0 / 5;
    private static final double P3 = -1.0 / 6;
    private static final double P4 = 1.0 / 7;
    private static final double P5 = -1.0 / 8;
    private static final double P6 = 1.0 / 9;

    static {
        for (int j = 0; j < BUCKETS; j++) {
            final double centre;
            if (j == 0 || j == BUCKETS - 1) {
                // The buckets next to 1 (from above, and m / 2 from below): c = 1, log c = 0 exactly.
                centre = 1.0;
            } else {
                final double middle = 1 + (j + 0.5) / BUCKETS;
                centre = j >= FIRST_HALVED ? 0.5 * middle : middle;
            }
            INVERSE_CENTRE[j] = 1 / centre;
            LOG_CENTRE[j] = -StrictMath.log(INVERSE_CENTRE[j]);
        }
    }

    private Ln() {
    }

    /** {@code log(x)} for finite {@code x > 0} (subnormals included); other arguments are not checked. */
    static double ln(final double x) {
        double y = x;
        int k = 0;
        if (y < Double.MIN_NORMAL) {
            y *= 0x1p54;
            k = -54;
        }
        final long bits = Double.doubleToRawLongBits(y);
        final long mantissa = bits & MANTISSA;
        final int j = (int) (mantissa >>> INDEX_SHIFT);
        k += (int) (bits >>> 52) - 1023;
        final double m;
        if (j >= FIRST_HALVED) {
            m = Double.longBitsToDouble(mantissa | HALF_BITS);
            k++;
        } else {
            m = Double.longBitsToDouble(mantissa | ONE_BITS);
        }
        final double r = Math.fma(m, INVERSE_CENTRE[j], -1);
        final double r2 = r * r;
        // Estrin's scheme: a shallower dependency chain than Horner, same terms.
        final double tail = Math.fma(Math.fma(P6, r2, Math.fma(P5, r, P4)), r2 * r2,
                Math.fma(Math.fma(P3, r, P2), r2, Math.fma(P1, r, P0)));
        final double log1p = r - 0.5 * r2 + r2 * r * tail;
        return k * LN2_HI + (LOG_CENTRE[j] + log1p + k * LN2_LO);
    }
}
