package io.divergent.view;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;

/**
 * The current alert state of a series as the view shows it, from what the recent-events store
 * holds: its latest event and its latest alert.
 *
 * <p>A series is {@link #ALERT} while one of its alerts is FIRING (its last alert event of that
 * rule was FIRING, not RESOLVED: docs/streaming.md, "Alerts"), else {@link #OK}, or
 * {@link #NO_REFERENCE} when its latest window had nothing to compare with.
 */
public final class AlertStates {

    /** An alert of the series is firing. */
    public static final String ALERT = "ALERT";
    /** No alert of the series is firing. */
    public static final String OK = "OK";
    /** The latest window had no reference. */
    public static final String NO_REFERENCE = "NO_REFERENCE";

    private AlertStates() {
    }

    /**
     * The state of a series.
     *
     * @param latest      its latest event, not null
     * @param latestAlert one of its firing alerts, or null when none fires
     * @return {@link #ALERT}, {@link #OK} or {@link #NO_REFERENCE}
     */
    public static String of(final DivergenceEvent latest, final DriftAlert latestAlert) {
        return of(latestAlert != null, Boolean.TRUE.equals(latest.getHasReference()));
    }

    /**
     * The state of a series from the two facts it depends on.
     *
     * @param firing       one of its alerts fires
     * @param hasReference its latest window had a reference
     * @return {@link #ALERT}, {@link #OK} or {@link #NO_REFERENCE}
     */
    public static String of(final boolean firing, final boolean hasReference) {
        if (firing) {
            return ALERT;
        }
        return hasReference ? OK : NO_REFERENCE;
    }
}
