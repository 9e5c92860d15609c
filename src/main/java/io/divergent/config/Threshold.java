package io.divergent.config;

/**
 * One alert threshold of a monitor.
 *
 * @param measure   the {@link io.divergent.math.Measure#field()} name of an alertable measure
 *                  (js_distance, g_p_value, ...)
 * @param direction {@link Direction#of} that measure: AT_LEAST, or BELOW for p-values
 * @param value     the threshold
 * @param severity  what an alert from it says
 */
public record Threshold(String measure, Direction direction, double value, Severity severity) {

    /** Whether a measure value crosses this threshold. */
    public boolean fires(final double measureValue) {
        return direction == Direction.AT_LEAST ? measureValue >= value : measureValue < value;
    }
}
