package io.divergent.topology;

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

    private static final byte VERSION = 1;

    /** Sums of the non-overlapping past windows of a window. */
    record Baseline(long sum, int windows) {
    }

    /**
     * The counts of the windows that end {@code size}, {@code 2 size}, ... before {@code end}
     * (at most {@code windows} of them): windows that do not overlap {@code [end - size, end)}.
     * None when the newest count is not of the window just before {@code end}.
     */
    Baseline baseline(final long end, final long size, final long advance, final int windows) {
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
        final long seen = count > 0 ? end : lastSeen;
        if (end - advance != lastEnd) {
            return new VolumeHistory(seen, end, new long[] {count});
        }
        final int keep = Math.min(capacity, counts.length + 1);
        final long[] next = Arrays.copyOfRange(counts, counts.length + 1 - keep, counts.length + 1);
        next[keep - 1] = count;
        return new VolumeHistory(seen, end, next);
    }

    /** The history of a series' first window with events. */
    static VolumeHistory first(final long end, final long count) {
        return new VolumeHistory(end, end, new long[] {count});
    }

    byte[] encode() {
        final ByteBuffer buffer = ByteBuffer.allocate(1 + 8 + 8 + 4 + 8 * counts.length);
        buffer.put(VERSION).putLong(lastSeen).putLong(lastEnd).putInt(counts.length);
        for (final long count : counts) {
            buffer.putLong(count);
        }
        return buffer.array();
    }

    static VolumeHistory decode(final byte[] bytes) {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final byte version = buffer.get();
        if (version != VERSION) {
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
