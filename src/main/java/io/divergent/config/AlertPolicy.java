package io.divergent.config;

import io.divergent.math.Correction;
import io.divergent.math.Cusum;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How a monitor turns its events into alerts (docs/streaming.md, "Alerts"). A window's condition
 * for a threshold rule holds when the effect crosses the threshold, the window's G-test p-value,
 * corrected across the series closed together, is at most {@code significance}, and the window
 * has at least {@code minEvents} events. An alert per (series, rule) goes FIRING after the
 * condition holds {@code forWindows} windows in a row and RESOLVED after it is false
 * {@code resolveAfter} windows in a row.
 *
 * @param enabled      false: no alerts at all (events still carry every value)
 * @param thresholds   effect thresholds, in measure order, warning before critical
 * @param minEvents    events a window needs before it can make any condition true, >= 0
 * @param effect       what a distance threshold is compared with
 * @param significance the largest corrected p-value that counts as evidence, in (0, 1]
 * @param correction   how the p-values of a window's series are corrected together
 * @param forWindows   consecutive windows the condition must hold before FIRING, >= 1
 * @param repeatWindows windows between reminders of a firing alert; 0 = no reminders
 * @param resolveAfter consecutive windows the condition must be false before RESOLVED, >= 1
 * @param change       the change detector on the series' G-test scores; empty = off
 * @param noData       whether an expected series without events in a window raises a NO_DATA alert
 * @param volumeSignificance the volume p-value at or below which a window raises a VOLUME alert; empty = off
 */
public record AlertPolicy(boolean enabled, List<Threshold> thresholds, long minEvents, Effect effect,
                          double significance, Correction correction, int forWindows, int repeatWindows,
                          int resolveAfter, Optional<Cusum> change, boolean noData, OptionalDouble volumeSignificance) {

    /** What a threshold on a distance is compared with. */
    public enum Effect {
        /** The distance minus its no-drift expectation (the event's {@code no_drift.<measure>.expected}). */
        EXCESS,
        /** The distance as it is. */
        RAW;

        static Effect parse(final String text) {
            return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "excess" -> EXCESS;
                case "raw" -> RAW;
                default -> throw new IllegalArgumentException("allowed are excess, raw");
            };
        }
    }

    public AlertPolicy {
        thresholds = List.copyOf(thresholds);
    }

    static Correction correction(final String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "bh" -> Correction.BENJAMINI_HOCHBERG;
            case "bonferroni" -> Correction.BONFERRONI;
            case "none" -> Correction.NONE;
            default -> throw new IllegalArgumentException("allowed are bh, bonferroni, none");
        };
    }
}
