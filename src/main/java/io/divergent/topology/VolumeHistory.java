package io.divergent.topology;

import org.apache.kafka.common.utils.ByteUtils;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One series' recent volume: the end of its last window with events, and the event counts of its
 * last closed windows (silent ones count 0), newest last; the value of a monitor's volume store.
 * Immutable.
 *
 * <p>Counts are kept for consecutive windows (one per {@code advance}) ending at
 * {@link #lastEnd}, {@code lastEnd - advance}, ...; the volume test uses every
 * {@code size / advance}-th of them, the windows that do not overlap the one tested.
 *
 * @param lastSeen end of the series' last window with events
 * @param lastEnd  end of the window of the newest count
 * @param counts   counts of consecutive windows, oldest first, newest ending at lastEnd
 */
record VolumeHistory(long lastSeen, long lastEnd, long[] counts) {

    /** The first layout, fixed-width: read, no longer written. */
    private static final byte FIXED_WIDTH = 1;
    /**
     * Varints (Kafka's {@code ByteUtils}): lastEnd, lastEnd - lastSeen, the number of counts, the
     * counts. A value is rewritten per series and window (on hopping windows per advance), so its
     * size is most of the volume store's changelog: 12 counts take ~25 bytes instead of 117.
     */
    private static final byte VARINT = 2;

    /** Sums of the non-overlapping past windows of a window. */
    record Baseline(long sum, int windows) {
    }

    /**
     * The counts of the windows that end {@code size}, {@code 2 size}, ... before {@code end}
     * (at most {@code windows} of them): windows that do not overlap {@code [end - size, end)}.
     * None when the newest count is not of the window just before {@code end}.
     */
    Baseline baseline(final long end, final long size, final long advance, final int windows) {
        if (end <= lastEnd) {
            return before(end, advance).baseline(end, size, advance, windows);
        }
        if (end - advance != lastEnd) {
            return new Baseline(0, 0);
        }
        long sum = 0;
        int n = 0;
        for (int k = 1; k <= windows; k++) {
            // Index of the window ending at end - k * size, counted back from the newest (end - advance).
            final long back = (k * size - advance) / advance;
            final long index = counts.length - 1 - back;
            if (index < 0) {
                break;
            }
            sum += counts[(int) index];
            n++;
        }
        return new Baseline(sum, n);
    }

    /**
     * This history with the count of the window ending at {@code end} appended, keeping at most
     * {@code capacity} counts; a history whose newest count is not of the window just before
     * starts again (after a gap, its counts would be mislabelled).
     */
    VolumeHistory append(final long end, final long advance, final long count, final int capacity) {
        if (end <= lastEnd) {
            return before(end, advance).append(end, advance, count, capacity);
        }
        final long seen = count > 0 ? end : lastSeen;
        if (end - advance != lastEnd) {
            return new VolumeHistory(seen, end, new long[] {count});
        }
        final int keep = Math.min(capacity, counts.length + 1);
        final long[] next = Arrays.copyOfRange(counts, counts.length + 1 - keep, counts.length + 1);
        next[keep - 1] = count;
        return new VolumeHistory(seen, end, next);
    }

    /**
     * This history as it was before the window ending at {@code end} (at or before
     * {@link #lastEnd}) was appended: a window emitted again (at-least-once, after a restart)
     * replaces its count and those after it rather than starting the history again. Empty when
     * {@code end} is not one of its windows.
     */
    private VolumeHistory before(final long end, final long advance) {
        final long back = (lastEnd - end) / advance + 1;
        if ((lastEnd - end) % advance != 0 || back > counts.length) {
            return new VolumeHistory(lastSeen, Long.MIN_VALUE, new long[0]);
        }
        final long[] kept = Arrays.copyOf(counts, counts.length - (int) back);
        final long keptEnd = end - advance;
        long seen = Math.min(lastSeen, keptEnd - kept.length * advance);
        for (int i = kept.length - 1; i >= 0; i--) {
            if (kept[i] > 0) {
                seen = keptEnd - (kept.length - 1 - i) * advance;
                break;
            }
        }
        return new VolumeHistory(lastSeen <= keptEnd ? lastSeen : seen, keptEnd, kept);
    }

    /** The history of a series' first window with events. */
    static VolumeHistory first(final long end, final long count) {
        return new VolumeHistory(end, end, new long[] {count});
    }

    byte[] encode() {
        final ByteBuffer buffer = ByteBuffer.allocate(1 + 3 * 10 + 10 * counts.length);
        buffer.put(VARINT);
        ByteUtils.writeVarlong(lastEnd, buffer);
        ByteUtils.writeVarlong(lastEnd - lastSeen, buffer);
        ByteUtils.writeVarint(counts.length, buffer);
        for (final long count : counts) {
            ByteUtils.writeVarlong(count, buffer);
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    static VolumeHistory decode(final byte[] bytes) {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final byte version = buffer.get();
        if (version == VARINT) {
            final long lastEnd = ByteUtils.readVarlong(buffer);
            final long lastSeen = lastEnd - ByteUtils.readVarlong(buffer);
            final long[] counts = new long[ByteUtils.readVarint(buffer)];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = ByteUtils.readVarlong(buffer);
            }
            return new VolumeHistory(lastSeen, lastEnd, counts);
        }
        if (version != FIXED_WIDTH) {
            throw new IllegalStateException("unknown volume history version " + version);
        }
        final long lastSeen = buffer.getLong();
        final long lastEnd = buffer.getLong();
        final long[] counts = new long[buffer.getInt()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buffer.getLong();
        }
        return new VolumeHistory(lastSeen, lastEnd, counts);
    }
}
