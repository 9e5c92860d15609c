package io.divergent.math;

/**
 * One category's part in the drift between P and Q. Contributors are ranked by {@link #jsTerm()}
 * (since issue 13; before, by {@code |term|}): the JS term is finite and symmetric, so a category
 * that vanished from the window ranks as high as one that appeared with the same mass.
 *
 * @param category  the category name
 * @param p         smoothed observed probability {@code p_i}, in [0, 1]
 * @param q         smoothed reference probability {@code q_i}, in [0, 1]
 * @param term      the category's KL(P||Q) term {@code p_i log(p_i / q_i)} in the result's unit
 *                  (unchanged meaning, kept for compatibility): negative where the window
 *                  under-represents the category, 0 when {@code p_i = 0} (so it says nothing
 *                  about a vanished category), {@code +Infinity} when {@code p_i > 0} and
 *                  {@code q_i = 0}; never NaN
 * @param jsTerm    the category's share of the Jensen-Shannon divergence, the ranking key:
 *                  {@code (p_i log(2 p_i / (p_i + q_i)) + q_i log(2 q_i / (p_i + q_i))) / 2}
 *                  in the result's unit; finite, {@code >= 0}, symmetric in P and Q, 0 iff
 *                  {@code p_i = q_i}; the terms of all K categories sum to the JS divergence;
 *                  at most {@code (p_i + q_i) / 2} bits (reached when one side is 0)
 * @param direction how the category moved from the reference to the window
 */
public record Contribution(String category, double p, double q, double term, double jsTerm, Direction direction) {

    /** How a category moved from the reference Q to the window P. */
    public enum Direction {
        /** {@code p_i = q_i} (or both raw weights 0). */
        UNCHANGED,
        /** In the window, raw reference weight 0 (even if smoothing gives it some {@code q_i}). */
        NEW,
        /** {@code p_i > q_i}, present on both sides. */
        GREW,
        /** {@code p_i < q_i}, present on both sides. */
        SHRANK,
        /** In the reference, raw window weight 0 (even if smoothing gives it some {@code p_i}). */
        VANISHED
    }
}
