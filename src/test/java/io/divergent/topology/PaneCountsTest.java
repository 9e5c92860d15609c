package io.divergent.topology;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The heap summary of one (pane, series): Space-Saving by hand and its bound (its store format: {@link PaneJournalTest}). */
class PaneCountsTest {

    /** Category -> {count, error}, sorted: the summary's content whatever its map order. */
    private static Map<String, long[]> content(final PaneCounts counts) {
        final Map<String, long[]> content = new TreeMap<>();
        counts.forEach((category, count, error) -> content.put(category, new long[] {count, error}));
        return content;
    }

    @Test
    void aFullSummaryEvictsTheSmallestEstimateTiesByNameAndInheritsIt() {
        final PaneCounts counts = new PaneCounts(3);
        counts.add("b");
        counts.add("b");   // b 2
        counts.add("c");   // c 1
        counts.add("a");   // a 1: full (3 counters)
        counts.add("d");   // evicts the smallest estimate, 1, tie a < c by name: d takes a's 1 as error
        assertThat(content(counts)).containsOnlyKeys("b", "c", "d");
        assertThat(content(counts).get("d")).containsExactly(1, 1);
        counts.add("e");   // smallest now: c 1 (d's estimate is 2): e {1, 1}
        assertThat(content(counts)).containsOnlyKeys("b", "d", "e");
        counts.add("d");   // d {2, 1}
        counts.add("f");   // estimates b 2, d 3, e 2: b < e by name, f {1, 2}
        assertThat(content(counts)).containsOnlyKeys("d", "e", "f");
        assertThat(content(counts).get("f")).containsExactly(1, 2);
        assertThat(content(counts).get("d")).containsExactly(2, 1);
    }

    @Test
    void otherNeverTakesACounter() {
        final PaneCounts counts = new PaneCounts(2);
        counts.add(WindowProcessor.OTHER);
        counts.add(WindowProcessor.OTHER);
        counts.add("a");
        assertThat(counts.other()).isEqualTo(2);
        assertThat(counts.size()).isEqualTo(1);
    }

    /** The default cap (10,000: m = 10,001 counters) under 5 times as many distinct categories. */
    @Test
    void theDefaultCapHoldsUnderFiveTimesAsManyCategories() {
        final PaneCounts counts = new PaneCounts(10_001);
        long estimates = 0;
        for (int i = 0; i < 50_000; i++) {
            counts.add("code-" + i);
        }
        assertThat(counts.size()).isEqualTo(10_001);
        final long[] sum = new long[1];
        counts.forEach((category, count, error) -> sum[0] += count + error);
        estimates += sum[0];
        assertThat(estimates).as("Space-Saving: the estimates sum to the events counted").isEqualTo(50_000);
    }

    /**
     * Against a plain model of Space-Saving (a sorted map, the smallest estimate evicted, ties by
     * name) and of the pending changes, over random categories: small and large summaries, with
     * and without evictions. Content after every event; the delta after every random write.
     */
    @Test
    void theSmallArrayAndTheMapHoldTheSameSummaryAsAPlainModel() {
        final java.util.Random random = new Random(8);
        for (final int capacity : new int[] {3, 8, 12, 1_000}) {
            for (final int distinct : new int[] {2, 8, 24}) {
                final PaneCounts counts = new PaneCounts(capacity);
                final Map<String, long[]> model = new TreeMap<>();
                final Map<String, Long> pending = new TreeMap<>();
                boolean evicted = false;
                for (int event = 0; event < 300; event++) {
                    final String category = "c" + random.nextInt(distinct);
                    counts.add(category);
                    final long[] cell = model.get(category);
                    if (cell != null) {
                        cell[0]++;
                    } else if (model.size() < capacity) {
                        model.put(category, new long[] {1, 0});
                    } else {
                        String smallest = null;
                        for (final Map.Entry<String, long[]> e : model.entrySet()) {
                            final long estimate = e.getValue()[0] + e.getValue()[1];
                            if (smallest == null || estimate < model.get(smallest)[0] + model.get(smallest)[1]) {
                                smallest = e.getKey();
                            }
                        }
                        final long[] gone = model.remove(smallest);
                        model.put(category, new long[] {1, gone[0] + gone[1]});
                        evicted = true;
                    }
                    pending.merge(category, 1L, Long::sum);
                    final String where = "capacity " + capacity + ", " + distinct + " categories, event " + event;
                    assertThat(content(counts)).as(where).containsOnlyKeys(model.keySet());
                    model.forEach((c, v) -> assertThat(content(counts).get(c)).as(where + ": " + c).containsExactly(v));
                    assertThat(counts.deltaExact()).as(where).isEqualTo(!evicted);
                    if (random.nextInt(10) == 0) {
                        if (!evicted) {
                            final Map<String, Long> delta = new TreeMap<>();
                            counts.forEachPending((c, count, error) -> delta.put(c, count));
                            assertThat(delta).as(where).isEqualTo(pending);
                            assertThat(counts.pendingSize()).as(where).isEqualTo(pending.size());
                        }
                        counts.markWritten();
                        pending.clear();
                        evicted = false;
                    }
                }
            }
        }
    }
}
