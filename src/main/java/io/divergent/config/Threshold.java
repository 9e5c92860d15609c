package io.divergent.config;

/**
 * One alert threshold of a monitor.
 *
 * @param measure   a measure name of the divergence event (js_distance, g_p_value, ...)
 * @param direction AT_LEAST for every measure but g_p_value, which fires BELOW
 * @param value     the threshold
 * @param severity  what an alert from it says
 */
public record Threshold(String measure, Direction direction, double value, Severity severity) {

    /** Whether a measure value crosses this threshold. */
    public boolean fires(final double measureValue) {
        return direction == Direction.AT_LEAST ? measureValue >= value : measureValue < value;
    }
}
