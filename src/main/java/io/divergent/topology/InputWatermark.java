package io.divergent.topology;

import java.util.Arrays;

/**
 * How far in event time one monitor's input has come, as its window task hears it: the least of
 * the largest event times of the input partitions that are still sending. The monitor's windows
 * close by it and its records are late against it ({@link WindowProcessor}).
 *
 * <p>Why the least: a window task behind the observations repartition hears from every input
 * partition at once, each read at its own pace (a backlog, a slower instance, a restart). Against
 * the largest event time any partition has brought, the records of the slower partitions would
 * be late; against the least, a record is late only if its own partition is more than the grace
 * out of order, as in Flink's per-split watermarks and Kafka Streams' time synchronisation across
 * the partitions of one task.
 *
 * <p>Which partitions hold it back: the first {@code expected} partitions (the input topic's
 * partition count, when {@code run} knows it) from the start, heard from or not, and any other
 * once heard from; none of them once idle: no observation for {@code idleTimeoutMs} of wall
 * clock (for a partition never heard from, since the start). A partition idle holds nothing
 * until it sends again; then its records are late if their windows closed meanwhile. With
 * {@code idleTimeoutMs} 0 no partition is ever idle: a quiet partition holds the windows until it
 * sends. When no partition holds it back (all idle), the watermark is the largest event time heard.
 * It never moves back.
 *
 * <p>Not thread-safe: one per (window task, monitor). Cost per observation O(1) unless the
 * observation's partition is the one holding the watermark back and passes the next least
 * (then O(partitions)).
 */
final class InputWatermark {

    /** The watermark before anything is known. */
    static final long NONE = Long.MIN_VALUE;

    private final long idleTimeoutMs;
    private final int expected;
    private final long startWall;
    /** Per partition: the largest event time heard (NONE: not heard from). */
    private long[] time;
    /** Per partition: wall-clock time of the last observation. */
    private long[] heard;
    /** Per partition: holding the watermark back as of the last scan. */
    private boolean[] holding;
    private long value;
    /** The partition whose event time is the watermark candidate as of the last scan (-1: none), and the next least. */
    private int least = -1;
    private long nextLeast = Long.MAX_VALUE;

    /**
     * @param expected      partitions awaited from the start (0: only those heard from)
     * @param idleTimeoutMs a partition with no observation for this long (wall clock) is idle; 0: never
     * @param startWall     wall-clock time of the start (of the task, or its restore)
     * @param floor         the watermark to start from (what the stores say already closed), or {@link #NONE}
     * @throws IllegalArgumentException if {@code expected} or {@code idleTimeoutMs} is negative
     */
    InputWatermark(final int expected, final long idleTimeoutMs, final long startWall, final long floor) {
        if (expected < 0 || idleTimeoutMs < 0) {
            throw new IllegalArgumentException("expected partitions and idle timeout must be >= 0: " + expected
                    + ", " + idleTimeoutMs);
        }
        this.expected = expected;
        this.idleTimeoutMs = idleTimeoutMs;
        this.startWall = startWall;
        this.value = floor;
        final int slots = Math.max(1, expected);
        time = new long[slots];
        heard = new long[slots];
        holding = new boolean[slots];
        Arrays.fill(time, NONE);
        Arrays.fill(heard, startWall);
        Arrays.fill(holding, 0, expected, true);
    }

    /** The watermark: records of windows that ended at or before it minus the grace are late. */
    long value() {
        return value;
    }

    /**
     * Takes one observation's event time.
     *
     * @param partition the input partition it came from, >= 0
     * @param eventTime its event time
     * @param now       the wall clock
     * @return the watermark after it
     * @throws IllegalArgumentException if {@code partition} is negative
     */
    long observe(final int partition, final long eventTime, final long now) {
        if (partition < 0) {
            throw new IllegalArgumentException("an input partition is >= 0: " + partition);
        }
        if (partition >= time.length) {
            grow(partition + 1);
        }
        heard[partition] = now;
        final long before = time[partition];
        if (eventTime > before) {
            time[partition] = eventTime;
        }
        if (!holding[partition] || before == NONE || least < 0) {
            // Heard from again after idling, or for the first time: it may hold the watermark back now.
            return scan(now);
        }
        if (partition == least && eventTime > before) {
            // The partition holding the watermark back moved: the watermark follows it up to the next one.
            if (eventTime <= nextLeast) {
                value = Math.max(value, eventTime);
                return value;
            }
            return scan(now);
        }
        return value;
    }

    /** Re-evaluates which partitions are idle as of {@code now} (the wall-clock punctuator). */
    long refresh(final long now) {
        return scan(now);
    }

    /**
     * Takes a partition's event time as stored at the last commit, before any observation: the
     * partition counts as heard from at the start, so a partition that had sent everything it had
     * still holds the watermark where it was, not before (issue 16: the failover test's window
     * tasks, restored, awaited partitions whose records were all committed). Call
     * {@link #refresh} after the last.
     *
     * @param partition the input partition, >= 0
     * @param eventTime its largest event time as stored
     * @throws IllegalArgumentException if {@code partition} is negative
     */
    void restore(final int partition, final long eventTime) {
        if (partition < 0) {
            throw new IllegalArgumentException("an input partition is >= 0: " + partition);
        }
        if (partition >= time.length) {
            grow(partition + 1);
        }
        time[partition] = Math.max(time[partition], eventTime);
    }

    /** Slots for partitions: every partition heard from or awaited is below it. */
    int partitions() {
        return time.length;
    }

    /** The largest event time of a partition, {@link #NONE} if not heard from (nor restored). */
    long time(final int partition) {
        return partition < time.length ? time[partition] : NONE;
    }

    /** The largest event time heard (or restored) from any partition, {@link #NONE} if none. */
    long largest() {
        long max = NONE;
        for (final long t : time) {
            max = Math.max(max, t);
        }
        return max;
    }

    /** Moves the watermark up to {@code time} if it is behind (the idle task's wall-clock rule). */
    void advanceTo(final long time) {
        value = Math.max(value, time);
    }

    private long scan(final long now) {
        long min = Long.MAX_VALUE;
        long second = Long.MAX_VALUE;
        int minAt = -1;
        long max = NONE;
        boolean any = false;
        for (int p = 0; p < time.length; p++) {
            final boolean known = time[p] != NONE || p < expected;
            if (!known) {
                holding[p] = false;
                continue;
            }
            max = Math.max(max, time[p]);
            holding[p] = idleTimeoutMs == 0 || now - heard[p] < idleTimeoutMs;
            if (!holding[p]) {
                continue;
            }
            any = true;
            if (time[p] < min) {
                second = min;
                min = time[p];
                minAt = p;
            } else if (time[p] < second) {
                second = time[p];
            }
        }
        least = minAt;
        nextLeast = second;
        final long candidate = any ? min : max;
        if (candidate != NONE) {
            value = Math.max(value, candidate);
        }
        return value;
    }

    private void grow(final int slots) {
        final int old = time.length;
        final int size = Math.max(slots, 2 * old);
        time = Arrays.copyOf(time, size);
        heard = Arrays.copyOf(heard, size);
        holding = Arrays.copyOf(holding, size);
        Arrays.fill(time, old, size, NONE);
        Arrays.fill(heard, old, size, startWall);
    }
}
