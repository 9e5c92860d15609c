package io.divergent.view;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;

/**
 * The current alert state of a series as the view shows it, from what the recent-events store
 * holds: its latest event and its latest alert.
 *
 * <p>Until alerts carry a lifecycle (issue 14: FIRING / RESOLVED), a series is {@link #ALERT}
 * when its latest alert is about its latest window, {@link #OK} when that window raised none,
 * and {@link #NO_REFERENCE} when the latest window had nothing to compare with. This class is
 * the one place to change when the alert lifecycle store arrives.
 */
public final class AlertStates {

    /** The latest window crossed a threshold. */
    public static final String ALERT = "ALERT";
    /** The latest window crossed none. */
    public static final String OK = "OK";
    /** The latest window had no reference. */
    public static final String NO_REFERENCE = "NO_REFERENCE";

    private AlertStates() {
    }

    /**
     * The state of a series.
     *
     * @param latest      its latest event, not null
     * @param latestAlert its latest alert, or null if it never raised one
     * @return {@link #ALERT}, {@link #OK} or {@link #NO_REFERENCE}
     */
    public static String of(final DivergenceEvent latest, final DriftAlert latestAlert) {
        if (latestAlert != null && latestAlert.getWindowStart().equals(latest.getWindowStart())) {
            return ALERT;
        }
        return Boolean.TRUE.equals(latest.getHasReference()) ? OK : NO_REFERENCE;
    }
}
