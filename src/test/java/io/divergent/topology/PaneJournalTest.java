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
        // The layout marker; 1 category: 1, then "tv" front-coded (shared 0, 2, "tv"); 2 series;
        // each: its id front-coded against the one before (shared 0, 4, "|u=a"; then shared 3,
        // 1, "b"), header 2*1+0, other 0, the counter: gap 0 and count 2 (2*0+1, 2), or count 1 (2*0+0)
        assertThat(writer.finish()).hasSize(1 + 1 + 4 + 1 + (1 + 1 + 4 + 1 + 1 + 2) + (1 + 1 + 1 + 1 + 1 + 1));
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

    /**
     * Counters go in increasing dictionary index as gaps: a series' categories first seen in
     * another order, far apart in the dictionary, and counts of 1 and more all replay exactly.
     */
    @Test
    void countersAreWrittenAsGapsInIndexOrderAndReplayExactly() {
        final PaneJournal.Writer writer = new PaneJournal.Writer("m");
        final PaneCounts first = new PaneCounts(Long.MAX_VALUE);
        for (int c = 0; c < 300; c++) {
            first.add("c" + c);   // indices 0..299 in this value
        }
        final PaneCounts second = new PaneCounts(Long.MAX_VALUE);
        for (final String category : List.of("c299", "c0", "c150", "c150", "c7", "new", "c299", "c299")) {
            second.add(category);
        }
        final Map<String, Map<String, List<Long>>> expected = new TreeMap<>();
        expected.put("m|a", content(first));
        expected.put("m|b", content(second));
        writer.changes("m|a", first);
        writer.changes("m|b", second);
        final byte[] value = writer.finish();
        assertThat(contents(replay(List.of(value), Long.MAX_VALUE))).isEqualTo(expected);
        // Against a value of m|a alone, m|b adds its id (shared 2, 1, "b"), header (5 counters: 10;
        // other 0) and counters: c0 (gap 0), c7 (6), c150 (142: two bytes, count 2), c299 (148: two
        // bytes, count 3), new (index 300, gap 0); and "new" to the dictionary (shared 0, 3, "new").
        final PaneCounts firstAgain = new PaneCounts(Long.MAX_VALUE);
        for (int c = 0; c < 300; c++) {
            firstAgain.add("c" + c);
        }
        writer.changes("m|a", firstAgain);
        final int seriesB = 3 + 1 + 1 + 1 + 1 + (2 + 1) + (2 + 1) + 1;
        assertThat(value).hasSize(writer.finish().length + seriesB + 5);
    }

    /** Values written before layout 2 (stores of earlier versions) replay as they did. */
    @Test
    void valuesOfTheFirstLayoutStillReplay() {
        final java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(64);
        org.apache.kafka.common.utils.ByteUtils.writeVarint(2, v1);   // dictionary: 2 names
        for (final String name : List.of("tv", "film")) {
            org.apache.kafka.common.utils.ByteUtils.writeVarint(name.length(), v1);
            v1.put(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        org.apache.kafka.common.utils.ByteUtils.writeVarint(2, v1);   // 2 series
        // "|u=a": shared 0, 4 bytes; delta of 2 counters, 1 other: film +3, tv +1
        v1.put(new byte[] {0, 8}).put("|u=a".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        v1.put(new byte[] {2 * (2 * 2), 2, 2, 6, 0, 2});
        // "|u=b": shared 3, 1 byte "b"; set of 1 counter, no other: tv 5, error 2
        v1.put(new byte[] {6, 2, 'b'});
        v1.put(new byte[] {2 * (2 * 1 + 1), 0, 0, 10, 4});
        final byte[] value = java.util.Arrays.copyOf(v1.array(), v1.position());
        final Map<String, PaneCounts> back = replay(List.of(value), Long.MAX_VALUE);
        assertThat(content(back.get("m|u=a"))).containsOnly(Map.entry("film", List.of(3L, 0L)),
                Map.entry("tv", List.of(1L, 0L)), Map.entry("\u0000other", List.of(1L)));
        assertThat(content(back.get("m|u=b"))).containsOnly(Map.entry("tv", List.of(5L, 2L)),
                Map.entry("\u0000other", List.of(0L)));
    }

    @Test
    void malformedBytesFailWithASerializationException() {
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {5}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown layout (-3)");
        // Layout 2: one category "a", one series "x" whose counter's gap points past the dictionary.
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {3, 1, 0, 2, 'a', 1, 0, 2, 'x', 2, 0, 2}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {3, 1, 0, 2, 'a', 1, 0, 2, 'x', 2, 0, 0, 9}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("left over");
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {2, 2, 'a'}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {0, 2, 0}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PaneJournal.replay(new byte[] {0, 0, 7}, "m", s -> null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("left over");
    }
}
