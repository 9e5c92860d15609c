package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The heap summary of one (pane, series): Space-Saving by hand, its bound, and its store format. */
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

    @Test
    void encodeThenDecodeGivesTheSameSummaryWhichGoesOnEvictingTheSameWay() {
        final PaneCounts counts = new PaneCounts(3);
        for (final String category : new String[] {"a", "a", "b", "c", "dé", "é", WindowProcessor.OTHER}) {
            counts.add(category);
        }
        final PaneCounts back = PaneCounts.decode(counts.encode(), 3);
        assertThat(content(back)).usingRecursiveComparison().isEqualTo(content(counts));
        assertThat(back.other()).isEqualTo(1);
        // The index of the full summary is rebuilt: both evict alike from here on.
        counts.add("z");
        back.add("z");
        assertThat(content(back)).usingRecursiveComparison().isEqualTo(content(counts));
    }

    @Test
    void anEmptySummaryIsTwoBytesAndSmallOnesStaySmall() {
        assertThat(new PaneCounts(10).encode()).hasSize(2);
        final PaneCounts counts = new PaneCounts(10);
        counts.add("tv");
        // other 0, 1 counter, length 2, "tv", count 1, error 0
        assertThat(counts.encode()).hasSize(7);
    }

    @Test
    void malformedBytesFailWithASerializationException() {
        final byte[] good = new PaneCounts(3).encode();
        assertThatThrownBy(() -> PaneCounts.decode(new byte[] {0, 2, 2, 'a'}, 3)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("truncated");
        final byte[] longer = new byte[good.length + 1];
        System.arraycopy(good, 0, longer, 0, good.length);
        assertThatThrownBy(() -> PaneCounts.decode(longer, 3)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("left over");
    }
}
