package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The panes store layout: one value per (pane, commit), deltas and sets, replayed to the same summaries. */
class PaneJournalTest {

    /** Category -> {count, error}, plus other under a key no category has: a summary's content, sorted. */
    static Map<String, List<Long>> content(final PaneCounts counts) {
        final Map<String, List<Long>> content = new TreeMap<>();
        counts.forEach((category, count, error) -> content.put(category, List.of(count, error)));
        content.put("\u0000other", List.of(counts.other()));
        return content;
    }

    private static Map<String, Map<String, List<Long>>> contents(final Map<String, PaneCounts> summaries) {
        final Map<String, Map<String, List<Long>>> contents = new TreeMap<>();
        summaries.forEach((series, counts) -> contents.put(series, content(counts)));
        return contents;
    }

    private static Map<String, PaneCounts> replay(final List<byte[]> values, final long capacity) {
        final Map<String, PaneCounts> summaries = new HashMap<>();
        for (final byte[] value : values) {
            PaneJournal.replay(value, "m", s -> summaries.computeIfAbsent(s, x -> new PaneCounts(capacity)));
        }
        return summaries;
    }

    /**
     * Random streams over a few series of one pane, with a cap that saturates or not, written at
     * random commits: replaying the values written so far, at any commit, gives the heap's
     * summaries exactly, and the replayed ones go on counting (and evicting) like the heap's.
     */
    @Test
    void replayingTheValuesGivesTheHeapSummariesExactlyWithAndWithoutSaturation() {
        final Random random = new Random(16);
        for (int trial = 0; trial < 200; trial++) {
            final long capacity = trial % 2 == 0 ? 5 : Long.MAX_VALUE;
            final int distinct = 1 + random.nextInt(trial % 2 == 0 ? 12 : 30);
            final int series = 1 + random.nextInt(4);
            final Map<String, PaneCounts> heap = new HashMap<>();
            final List<String> dirty = new ArrayList<>();
            final List<byte[]> values = new ArrayList<>();
            final PaneJournal.Writer writer = new PaneJournal.Writer("m");
            final int records = random.nextInt(300);
            for (int r = 0; r < records; r++) {
                final String id = "m|s=" + random.nextInt(series);
                final int c = (int) Math.min(distinct - 1, Math.abs(random.nextGaussian()) * distinct / 3);
                final String category = random.nextInt(20) == 0 ? WindowProcessor.OTHER : "c" + c;
                heap.computeIfAbsent(id, s -> new PaneCounts(capacity)).add(category);
                if (!dirty.contains(id)) {
                    dirty.add(id);
                }
                if (random.nextInt(4) == 0 || r == records - 1) {
                    final boolean compact = random.nextInt(10) == 0;
                    for (final String s : compact ? heap.keySet() : dirty) {
                        if (compact) {
                            writer.whole(s, heap.get(s));
                        } else {
                            writer.changes(s, heap.get(s));
                        }
                    }
                    if (compact) {
                        values.clear();
                    }
                    values.add(writer.finish());
                    dirty.clear();
                    final Map<String, PaneCounts> back = replay(values, capacity);
                    assertThat(contents(back)).as("trial %d, record %d", trial, r).isEqualTo(contents(heap));
                    // Both go on alike: the replayed index is rebuilt on demand.
                    for (final String s : heap.keySet()) {
                        heap.get(s).add("after-" + r);
                        back.get(s).add("after-" + r);
                    }
                    assertThat(contents(back)).isEqualTo(contents(heap));
                    for (final String s : heap.keySet()) {
                        dirty.add(s);
                    }
                }
            }
        }
    }

    @Test
    void aValueNamesEachCategoryOnceAndStoresSeriesIdsWithoutTheMonitorName() {
        final PaneJournal.Writer writer = new PaneJournal.Writer("genres");
        final PaneCounts a = new PaneCounts(Long.MAX_VALUE);
        final PaneCounts b = new PaneCounts(Long.MAX_VALUE);
        a.add("tv");
        a.add("tv");
        b.add("tv");
        writer.changes("genres|u=a", a);
        writer.changes("genres|u=b", b);
        // 1 category: 1, 2, "tv"; 2 series; each: its id front-coded against the one before
        // (shared 0, 4, "|u=a"; then shared 3, 1, "b"), header 2*1+0, other 0, index 0, count
        assertThat(writer.finish()).hasSize(1 + 3 + 1 + (1 + 1 + 4 + 4) + (1 + 1 + 1 + 4));
        assertThat(writer.isEmpty()).isTrue();
        // Nothing changed since: an empty delta.
        writer.changes("genres|u=a", a);
        final Map<String, PaneCounts> back = new HashMap<>();
        PaneJournal.replay(writer.finish(), "genres", s -> back.computeIfAbsent(s, x -> new PaneCounts(Long.MAX_VALUE)));
        assertThat(back).containsOnlyKeys("genres|u=a");
        assertThat(back.get("genres|u=a").size()).isZero();
    }

    @Test
    void aSummaryThatEvictedIsWrittenWholeAndReplacesWhatWasReplayedBefore() {
        final PaneJournal.Writer writer = new PaneJournal.Writer("m");
        final PaneCounts counts = new PaneCounts(2);
        counts.add("a");
        counts.add("b");
        writer.changes("m", counts);
        final byte[] first = writer.finish();
        counts.add("c");   // evicts a (1, ties by name): c {1, 1}
        assertThat(counts.deltaExact()).isFalse();
        writer.changes("m", counts);
        final byte[] second = writer.finish();
        assertThat(counts.deltaExact()).as("written: deltas again").isTrue();
        final Map<String, PaneCounts> back = replay(List.of(first, second), 2);
        assertThat(content(back.get("m"))).isEqualTo(content(counts)).containsOnlyKeys("b", "c", "\u0000other");
    }

    @Test
    void malformedBytesFailWithASerializationException() {
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {2, 2, 'a'}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {0, 2, 0}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {0, 0, 7}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("left over");
    }
}
