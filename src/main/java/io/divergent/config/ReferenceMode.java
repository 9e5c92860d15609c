package io.divergent.config;

import java.util.Locale;

/** What a monitor compares each window with. */
public enum ReferenceMode {
    /** The latest record of the reference topic for the series with timestamp before the window end. */
    TOPIC("topic"),
    /** The series' previous non-overlapping window. */
    PREVIOUS_WINDOW("previous"),
    /** The series' last N non-overlapping windows, merged. */
    LAST_N_WINDOWS("last-n");

    private final String label;

    ReferenceMode(final String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * Parses {@code topic}, {@code previous} or {@code last-n}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static ReferenceMode parse(final String text) {
        for (final ReferenceMode mode : values()) {
            if (mode.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("allowed are topic, previous, last-n");
    }
}
