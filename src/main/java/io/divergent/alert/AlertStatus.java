package io.divergent.alert;

import io.divergent.config.Severity;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What is remembered of one alert rule of one series between windows: whether its alert is
 * firing, the streaks that move it, the episode's start and trigger, and for the change detector
 * its statistic. Immutable; {@link #INACTIVE} is what a (series, rule) without a stored entry has.
 *
 * @param firing        whether the alert is FIRING
 * @param trueStreak    consecutive windows, up to the last, whose condition held; a firing alert that can
 *                      neither remind nor escalate stops counting ({@link Lifecycle#step})
 * @param falseStreak   consecutive windows, up to the last, whose condition was false
 * @param startedAt     start of the first window of the current streak or episode (epoch ms); 0 when none
 * @param triggerStart  start of the window that made the alert FIRING; 0 when not firing
 * @param triggerEnd    end of that window; 0 when not firing
 * @param sinceNotified windows since the last FIRING notification (first, reminder or escalation); 0
 *                      when the rule has no reminders
 * @param severity      the severity last notified; WARNING when not firing
 * @param statistic     the change detector's statistic S (0 for threshold rules)
 */
public record AlertStatus(boolean firing, int trueStreak, int falseStreak, long startedAt, long triggerStart,
                          long triggerEnd, int sinceNotified, Severity severity, double statistic) {

    /** Nothing pending, nothing firing, the detector at 0. */
    public static final AlertStatus INACTIVE = new AlertStatus(false, 0, 0, 0, 0, 0, 0, Severity.WARNING, 0.0);

    /** Layout 1: a version byte, then every field at its fixed width (48 bytes); still read. */
    private static final byte FIXED = 1;
    private static final int FIXED_SIZE = 1 + 1 + 4 + 4 + 8 + 8 + 8 + 4 + 1 + 8;
    /** Layout 2, written since issue 16's eighteenth pass: flags, then varints (see {@link #encode}). */
    private static final byte COMPACT = 2;
    private static final int FIRING = 1;
    private static final int CRITICAL = 2;
    private static final int TRIGGER = 4;
    private static final int STATISTIC = 8;
    private static final int MAX_COMPACT_SIZE = 1 + 1 + 3 * 5 + 3 * 10 + 8;

    /** True when nothing needs remembering: the entry can be deleted. */
    public boolean inactive() {
        return !firing && trueStreak == 0 && statistic == 0.0;
    }

    /**
     * The stored form, layout 2: a version byte; a flags byte (firing, severity CRITICAL, a trigger
     * window held, a statistic other than 0); the three counts as varints; {@code startedAt} as a
     * zigzag varlong; when a trigger window is held its start as a zigzag varlong difference to
     * {@code startedAt} and its end as one to its start; when not 0 the statistic's 8 bytes.
     * A quiet change detector's status is 14 bytes, a firing one about 25 (layout 1 was always
     * 48): the alert status store writes one per (series, rule) whose status moved, every window.
     */
    public byte[] encode() {
        final ByteBuffer b = ByteBuffer.allocate(MAX_COMPACT_SIZE);
        final boolean trigger = triggerStart != 0 || triggerEnd != 0;
        final boolean hasStatistic = Double.doubleToRawLongBits(statistic) != 0;
        b.put(COMPACT).put((byte) ((firing ? FIRING : 0) | (severity == Severity.CRITICAL ? CRITICAL : 0)
                | (trigger ? TRIGGER : 0) | (hasStatistic ? STATISTIC : 0)));
        ByteUtils.writeUnsignedVarint(trueStreak, b);
        ByteUtils.writeUnsignedVarint(falseStreak, b);
        ByteUtils.writeUnsignedVarint(sinceNotified, b);
        ByteUtils.writeVarlong(startedAt, b);
        if (trigger) {
            ByteUtils.writeVarlong(triggerStart - startedAt, b);
            ByteUtils.writeVarlong(triggerEnd - triggerStart, b);
        }
        if (hasStatistic) {
            b.putDouble(statistic);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /**
     * @param bytes what {@link #encode} wrote (layout 2) or a version before it wrote (layout 1), or null
     * @return the status; {@link #INACTIVE} for null
     * @throws IllegalArgumentException for bytes of another version, or not of their version's form
     */
    public static AlertStatus decode(final byte[] bytes) {
        if (bytes == null) {
            return INACTIVE;
        }
        if (bytes.length > 0 && bytes[0] == COMPACT) {
            try {
                final ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                final int flags = b.get();
                final int trueStreak = ByteUtils.readUnsignedVarint(b);
                final int falseStreak = ByteUtils.readUnsignedVarint(b);
                final int sinceNotified = ByteUtils.readUnsignedVarint(b);
                final long startedAt = ByteUtils.readVarlong(b);
                final long triggerStart = (flags & TRIGGER) == 0 ? 0 : startedAt + ByteUtils.readVarlong(b);
                final long triggerEnd = (flags & TRIGGER) == 0 ? 0 : triggerStart + ByteUtils.readVarlong(b);
                final double statistic = (flags & STATISTIC) == 0 ? 0.0 : b.getDouble();
                if (b.hasRemaining()) {
                    throw new IllegalArgumentException(b.remaining() + " bytes after the fields");
                }
                return new AlertStatus((flags & FIRING) != 0, trueStreak, falseStreak, startedAt, triggerStart,
                        triggerEnd, sinceNotified, (flags & CRITICAL) != 0 ? Severity.CRITICAL : Severity.WARNING,
                        statistic);
            } catch (final BufferUnderflowException e) {
                throw new IllegalArgumentException("not an alert status of version " + COMPACT + ": "
                        + bytes.length + " bytes end inside its fields", e);
            }
        }
        if (bytes.length != FIXED_SIZE || bytes[0] != FIXED) {
            throw new IllegalArgumentException("not an alert status of version " + COMPACT + " or " + FIXED
                    + " (" + bytes.length + " bytes, version byte " + (bytes.length == 0 ? "none" : bytes[0]) + ")");
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes, 1, FIXED_SIZE - 1);
        return new AlertStatus(b.get() == 1, b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong(), b.getInt(),
                Severity.values()[b.get()], b.getDouble());
    }

    AlertStatus withStatistic(final double s) {
        return new AlertStatus(firing, trueStreak, falseStreak, startedAt, triggerStart, triggerEnd, sinceNotified,
                severity, s);
    }
}
