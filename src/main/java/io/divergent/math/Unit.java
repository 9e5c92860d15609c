package io.divergent.math;

import java.util.Locale;

/**
 * The logarithm base of the information measures: {@link #BITS} (log base 2) or {@link #NATS}
 * (natural log). Hellinger and total variation are unit-free; the G statistic is always
 * computed from nats.
 */
public enum Unit {
    /** Log base 2. */
    BITS,
    /** Natural logarithm. */
    NATS;

    /** The lower-case name used in configuration, JSON and the CLI: {@code bits} or {@code nats}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code bits} or {@code nats}, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    public static Unit parse(final String text) {
        if (text != null) {
            for (final Unit unit : values()) {
                if (unit.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return unit;
                }
            }
        }
        throw new IllegalArgumentException("unknown unit '" + text + "': allowed are bits, nats");
    }
}
