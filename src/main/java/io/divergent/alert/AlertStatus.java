package io.divergent.alert;

import io.divergent.config.Severity;

import java.nio.ByteBuffer;

/**
 * What is remembered of one alert rule of one series between windows: whether its alert is
 * firing, the streaks that move it, the episode's start and trigger, and for the change detector
 * its statistic. Immutable; {@link #INACTIVE} is what a (series, rule) without a stored entry has.
 *
 * @param firing        whether the alert is FIRING
 * @param trueStreak    consecutive windows, up to the last, whose condition held
 * @param falseStreak   consecutive windows, up to the last, whose condition was false
 * @param startedAt     start of the first window of the current streak or episode (epoch ms); 0 when none
 * @param triggerStart  start of the window that made the alert FIRING; 0 when not firing
 * @param triggerEnd    end of that window; 0 when not firing
 * @param sinceNotified windows since the last FIRING notification (first, reminder or escalation)
 * @param severity      the severity last notified; WARNING when not firing
 * @param statistic     the change detector's statistic S (0 for threshold rules)
 */
public record AlertStatus(boolean firing, int trueStreak, int falseStreak, long startedAt, long triggerStart,
                          long triggerEnd, int sinceNotified, Severity severity, double statistic) {

    /** Nothing pending, nothing firing, the detector at 0. */
    public static final AlertStatus INACTIVE = new AlertStatus(false, 0, 0, 0, 0, 0, 0, Severity.WARNING, 0.0);

    private static final byte VERSION = 1;
    private static final int SIZE = 1 + 1 + 4 + 4 + 8 + 8 + 8 + 4 + 1 + 8;

    /** True when nothing needs remembering: the entry can be deleted. */
    public boolean inactive() {
        return !firing && trueStreak == 0 && statistic == 0.0;
    }

    /** The stored form: a version byte, then the fields in order. */
    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).put(VERSION).put((byte) (firing ? 1 : 0)).putInt(trueStreak)
                .putInt(falseStreak).putLong(startedAt).putLong(triggerStart).putLong(triggerEnd)
                .putInt(sinceNotified).put((byte) severity.ordinal()).putDouble(statistic).array();
    }

    /**
     * @param bytes what {@link #encode} wrote, or null
     * @return the status; {@link #INACTIVE} for null
     * @throws IllegalArgumentException for bytes of another version or size
     */
    public static AlertStatus decode(final byte[] bytes) {
        if (bytes == null) {
            return INACTIVE;
        }
        if (bytes.length != SIZE || bytes[0] != VERSION) {
            throw new IllegalArgumentException("not an alert status of version " + VERSION + " (" + bytes.length + " bytes)");
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes, 1, SIZE - 1);
        return new AlertStatus(b.get() == 1, b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong(), b.getInt(),
                Severity.values()[b.get()], b.getDouble());
    }

    AlertStatus withStatistic(final double s) {
        return new AlertStatus(firing, trueStreak, falseStreak, startedAt, triggerStart, triggerEnd, sinceNotified,
                severity, s);
    }
}
