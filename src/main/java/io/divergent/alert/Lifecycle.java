package io.divergent.alert;

import io.divergent.config.Severity;

/**
 * The alert state machine of one (series, rule), one window at a time: pending while its
 * condition holds for fewer than {@code for} windows, FIRING once it has held {@code for} windows
 * in a row, RESOLVED once it has been false {@code resolveAfter} windows in a row. A firing alert
 * is not notified again except as a reminder every {@code repeat} windows (while its condition
 * holds) or when its severity rises. The conventions of Prometheus' {@code for},
 * {@code keep_firing_for} and Alertmanager's {@code repeat_interval}, counted in windows.
 *
 * @param forWindows    consecutive true windows before FIRING, >= 1
 * @param repeatWindows windows between reminders, 0 = never
 * @param resolveAfter  consecutive false windows before RESOLVED, >= 1
 */
public record Lifecycle(int forWindows, int repeatWindows, int resolveAfter) {

    /** What a window did to the alert that someone must be told. */
    public enum Transition {
        /** The alert started. */
        FIRING,
        /** Still firing: a reminder. */
        REMINDER,
        /** Still firing, at a higher severity. */
        ESCALATED,
        /** The alert ended. */
        RESOLVED
    }

    /**
     * @param status     the new status ({@link AlertStatus#inactive()} when nothing is left)
     * @param transition what to notify, or null for nothing
     */
    public record Step(AlertStatus status, Transition transition) {
    }

    /** Nothing holds and nothing is left: {@link AlertStatus#INACTIVE}, nothing to notify. */
    private static final Step QUIET = new Step(AlertStatus.INACTIVE, null);

    public Lifecycle {
        if (forWindows < 1 || repeatWindows < 0 || resolveAfter < 1) {
            throw new IllegalArgumentException("for >= 1, repeat >= 0, resolve after >= 1: " + forWindows + ", "
                    + repeatWindows + ", " + resolveAfter);
        }
    }

    /**
     * Moves an alert by one window.
     *
     * <p>A firing alert's streaks count only while they can still be told: without reminders
     * ({@code repeat} 0) and at the highest severity its rule has, nothing is notified again until
     * it resolves (the {@code RESOLVED} event tells the false streak), so while its condition holds
     * its status stays as it is and the alert status store writes nothing (issue 16: on the
     * Zipf workload the firing no-data alerts of silent tail series were rewritten every window,
     * a third of the store's records). {@link AlertStatus#sinceNotified} is 0 without reminders.
     *
     * @param before    the status after the previous window
     * @param condition whether this window's condition holds
     * @param severity  the severity the condition holds at (ignored when it does not)
     * @param highest   the highest severity the rule can fire at
     * @param start     the window's start (epoch ms)
     * @param end       the window's end (epoch ms)
     */
    public Step step(final AlertStatus before, final boolean condition, final Severity severity, final Severity highest,
                     final long start, final long end) {
        final double s = before.statistic();
        if (condition) {
            final int streak = before.trueStreak() + 1;
            if (before.firing()) {
                if (severity.compareTo(before.severity()) > 0) {
                    return new Step(new AlertStatus(true, streak, 0, before.startedAt(), before.triggerStart(),
                            before.triggerEnd(), 0, severity, s), Transition.ESCALATED);
                }
                if (repeatWindows == 0) {
                    final int held = highest.compareTo(before.severity()) > 0 ? streak : before.trueStreak();
                    return new Step(new AlertStatus(true, held, 0, before.startedAt(), before.triggerStart(),
                            before.triggerEnd(), 0, before.severity(), s), null);
                }
                final int since = before.sinceNotified() + 1;
                if (since >= repeatWindows) {
                    return new Step(new AlertStatus(true, streak, 0, before.startedAt(), before.triggerStart(),
                            before.triggerEnd(), 0, before.severity(), s), Transition.REMINDER);
                }
                return new Step(new AlertStatus(true, streak, 0, before.startedAt(), before.triggerStart(),
                        before.triggerEnd(), since, before.severity(), s), null);
            }
            final long startedAt = before.trueStreak() == 0 ? start : before.startedAt();
            if (streak >= forWindows) {
                return new Step(new AlertStatus(true, streak, 0, startedAt, start, end, 0, severity, s),
                        Transition.FIRING);
            }
            return new Step(new AlertStatus(false, streak, 0, startedAt, 0, 0, 0, Severity.WARNING, s), null);
        }
        if (!before.firing()) {
            // Most (series, rule) pairs stay quiet window after window: one shared step for them.
            return Double.doubleToRawLongBits(s) == 0L ? QUIET
                    : new Step(new AlertStatus(false, 0, 0, 0, 0, 0, 0, Severity.WARNING, s), null);
        }
        final int falses = before.falseStreak() + 1;
        if (falses >= resolveAfter) {
            return new Step(new AlertStatus(false, 0, falses, 0, 0, 0, 0, Severity.WARNING, s), Transition.RESOLVED);
        }
        return new Step(new AlertStatus(true, 0, falses, before.startedAt(), before.triggerStart(), before.triggerEnd(),
                repeatWindows == 0 ? 0 : before.sinceNotified() + 1, before.severity(), s), null);
    }
}
