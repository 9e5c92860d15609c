package io.divergent.math;

/**
 * One category's share of {@code KL(P||Q)}.
 *
 * @param category the category name
 * @param p        smoothed observed probability {@code p_i}, in [0, 1]
 * @param q        smoothed reference probability {@code q_i}, in [0, 1]
 * @param term     {@code p_i log(p_i / q_i)} in the result's unit: negative where the window
 *                 under-represents the category, 0 when {@code p_i = 0}, {@code +Infinity} when
 *                 {@code p_i > 0} and {@code q_i = 0}; never NaN
 */
public record Contribution(String category, double p, double q, double term) {
}
