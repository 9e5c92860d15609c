package io.divergent.math;

import java.util.Arrays;
import java.util.Objects;

/**
 * Multiple-testing corrections of a family of p-values (issue 14: all of a monitor's series for
 * one window). Pure functions of their arguments; thread-safe.
 *
 * <p>An adjusted p-value is compared with the level directly: rejecting every test with
 * {@code adjusted <= level} is the Bonferroni procedure (family-wise error rate {@code <= level})
 * or the Benjamini-Hochberg procedure (false discovery rate {@code <= level}) at that level.
 */
public final class MultipleTesting {

    private MultipleTesting() {
    }

    /**
     * The adjusted p-values of a family of m tests, in the order of the input.
     * <ul>
     *   <li>{@link Correction#NONE}: a copy of the input.</li>
     *   <li>{@link Correction#BONFERRONI}: {@code min(1, m p_i)}.</li>
     *   <li>{@link Correction#BENJAMINI_HOCHBERG}: with {@code p_(1) <= ... <= p_(m)} the sorted
     *   values, {@code adj_(i) = min(1, min over j >= i of p_(j) (m / j))}: the step-up
     *   adjustment, monotone in the raw p-value, equal to scipy's
     *   {@code scipy.stats.false_discovery_control(ps, method='bh')} and R's
     *   {@code p.adjust(ps, "BH")} (same arithmetic as scipy, so bit for bit in practice). Tied
     *   raw values get the same adjusted value whatever their order.</li>
     * </ul>
     * Every adjusted value is in [0, 1] and {@code >= } its raw value; for the same input
     * {@code NONE <= BENJAMINI_HOCHBERG <= BONFERRONI} element-wise. O(m log m) for BH, O(m)
     * otherwise. The input array is not modified.
     *
     * @param pValues    the raw p-values of the family, each in [0, 1]; may be empty
     * @param correction which correction
     * @return a new array of the adjusted p-values, same length and order as {@code pValues}
     * @throws NullPointerException     if an argument is {@code null}
     * @throws IllegalArgumentException if a p-value is NaN or outside [0, 1]
     */
    public static double[] adjust(final double[] pValues, final Correction correction) {
        Objects.requireNonNull(pValues, "pValues");
        Objects.requireNonNull(correction, "correction");
        for (int i = 0; i < pValues.length; i++) {
            final double p = pValues[i];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("p-value " + i + " must be in [0, 1]: " + p);
            }
        }
        final int m = pValues.length;
        final double[] adjusted = new double[m];
        switch (correction) {
            case NONE -> System.arraycopy(pValues, 0, adjusted, 0, m);
            case BONFERRONI -> {
                for (int i = 0; i < m; i++) {
                    adjusted[i] = Math.min(1.0, m * pValues[i]);
                }
            }
            case BENJAMINI_HOCHBERG -> benjaminiHochberg(pValues, adjusted);
            default -> throw new AssertionError(correction);
        }
        return adjusted;
    }

    private static void benjaminiHochberg(final double[] pValues, final double[] adjusted) {
        final int m = pValues.length;
        // The adjusted value of each rank, from the largest rank down; tied p-values get equal
        // adjusted values (the running minimum keeps the larger rank's), so each p-value's is
        // that of any rank it holds, found by a binary search. A primitive sort: no boxed
        // indices, no comparator.
        final double[] sorted = pValues.clone();
        Arrays.sort(sorted);
        final double[] byRank = new double[m];
        double running = 1.0;
        for (int rank = m; rank >= 1; rank--) {
            // p (m / j), as scipy computes it, so the reference values match to the last bit.
            running = Math.min(running, sorted[rank - 1] * ((double) m / rank));
            byRank[rank - 1] = running;
        }
        for (int i = 0; i < m; i++) {
            adjusted[i] = byRank[Arrays.binarySearch(sorted, pValues[i])];
        }
    }
}
