package io.divergent.topology;

import io.divergent.config.MonitorConfig;
import io.divergent.config.ReferenceMode;
import io.divergent.math.Histogram;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.Optional;

/**
 * The window a series is counting now, read (never written) from a task's stores, as the
 * interactive queries of the live view see them: the earliest window holding the task's stream
 * time (the one current traffic fills; with a grace period, older windows may still be open too),
 * its counts as of the task's last commit (the heap is ahead by at most a commit interval) merged
 * from its panes and folded
 * to {@code max.categories} exactly as at emission, and the reference version in force for it
 * (topic references only: a monitor that compares with its own past windows has none to show).
 */
public final class OpenWindows {

    private OpenWindows() {
    }

    /**
     * The open window of one series.
     *
     * @param start       window start (epoch ms, inclusive)
     * @param end         window end (exclusive)
     * @param streamTime  the task's stream time
     * @param observed    the window's counts so far, per category (folded: {@code other} holds the rest)
     * @param total       events counted so far
     * @param reference   the reference in force, folded like the window; null without one (or with
     *                    {@code reference.mode} previous or last-n)
     */
    public record OpenWindow(long start, long end, long streamTime, Histogram observed, long total, Histogram reference) {
    }

    /**
     * Reads the open window of a series from the stores of the task that owns it.
     *
     * @param meta          {@link DivergentTopology#META_STORE}
     * @param panes         {@link DivergentTopology#panesStore} of the series' monitor (as of the task's last commit)
     * @param references    {@link DivergentTopology#REFERENCE_STORE}
     * @param monitor       the series' monitor
     * @param maxCategories {@code max.categories}
     * @param series        the series id
     * @return the open window, or empty before the task's first record or when it has counted nothing of the series in it
     */
    public static Optional<OpenWindow> read(final ReadOnlyKeyValueStore<String, Long> meta,
                                            final ReadOnlyKeyValueStore<Bytes, byte[]> panes,
                                            final ReadOnlyKeyValueStore<Bytes, byte[]> references,
                                            final MonitorConfig monitor, final long maxCategories, final String series) {
        final long size = monitor.windowSize().toMillis();
        final long advance = monitor.windowAdvance().toMillis();
        final Long streamTime = meta.get(DivergentTopology.STREAM_TIME_KEY);
        if (streamTime == null || streamTime < 0) {
            return Optional.empty();
        }
        // The earliest window holding stream time: the one current traffic fills (with hopping
        // windows, the fullest of those that hold it).
        final long end = Math.floorDiv(streamTime, advance) * advance + advance;
        final long start = end - size;
        final CategoryFold.Merger merger = new CategoryFold.Merger();
        boolean any = false;
        for (long pane = Math.max(0, start); pane < end; pane += advance) {
            // The pane's values in commit order, replayed for this series only.
            final PaneCounts counts = new PaneCounts(Long.MAX_VALUE);
            final boolean[] seen = {false};
            try (KeyValueIterator<Bytes, byte[]> it = panes.range(StoreKeys.paneKey(pane, 0),
                    StoreKeys.paneKey(pane, Long.MAX_VALUE))) {
                while (it.hasNext()) {
                    PaneJournal.replay(it.next().value, monitor.name(), id -> {
                        if (!id.equals(series)) {
                            return null;
                        }
                        seen[0] = true;
                        return counts;
                    });
                }
            }
            if (seen[0]) {
                merger.pane(counts);
                any = true;
            }
        }
        if (!any) {
            return Optional.empty();
        }
        final CategoryFold.Window folded = merger.fold(maxCategories);
        Histogram reference = null;
        if (monitor.referenceMode() == ReferenceMode.TOPIC) {
            try (KeyValueIterator<Bytes, byte[]> it = references.reverseRange(StoreKeys.versionKey(series, 0),
                    StoreKeys.versionKey(series, end - 1))) {
                if (it.hasNext()) {
                    final byte[] value = it.next().value;
                    if (value != null && value.length > 0) {
                        reference = CategoryFold.foldReference(HistogramCodec.decode(value).histogram(), folded.kept())
                                .histogram();
                    }
                }
            }
        }
        return Optional.of(new OpenWindow(start, end, streamTime, folded.observed(),
                folded.total(), reference));
    }
}
