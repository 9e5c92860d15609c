package io.divergent.topology;

import io.divergent.math.Histogram;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, eighteenth pass: a window of one pane (every tumbling window) is folded from the
 * pane's counters in place; a window of several panes through the merged map. Both must give
 * the same window for the same counts.
 */
class CategoryMergerTest {

    private static PaneCounts pane(final long capacity, final List<String> events) {
        final PaneCounts pane = new PaneCounts(capacity);
        events.forEach(pane::add);
        return pane;
    }

    @Property(tries = 300)
    void onePaneFoldsAsTheSamePaneMergedWithAnEmptyOne(
            @ForAll("events") final List<String> events,
            @ForAll @IntRange(min = 1, max = 12) final int maxCategories,
            @ForAll final boolean capped) {
        final long capacity = capped ? maxCategories + 1L : Long.MAX_VALUE;
        final CategoryFold.Merger alone = new CategoryFold.Merger();
        alone.pane(pane(capacity, events));
        final CategoryFold.Merger merged = new CategoryFold.Merger();
        merged.pane(pane(capacity, events));
        merged.pane(new PaneCounts(capacity));

        final CategoryFold.Window a = alone.fold(maxCategories);
        final CategoryFold.Window b = merged.fold(maxCategories);
        assertThat(a).isEqualTo(b);
        assertThat(a.total()).isEqualTo(events.size());
        assertThat(a.observed().total()).isEqualTo((double) events.size());
    }

    @Provide
    Arbitrary<List<String>> events() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(8, Arbitraries.strings().withChars("abcdefghijklmnop").ofLength(1)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(WindowProcessor.OTHER)))
                .list().ofMaxSize(60);
    }

    @Test
    void onePaneWithTheInputsOwnOtherKeepsItAsTheLastFoldedMass() {
        final CategoryFold.Merger merger = new CategoryFold.Merger();
        merger.pane(pane(Long.MAX_VALUE, List.of("b", WindowProcessor.OTHER, "a", "b", WindowProcessor.OTHER)));
        final CategoryFold.Window window = merger.fold(10);
        assertThat(window.observed()).isEqualTo(Histogram.of(Map.of("a", 1, "b", 2, WindowProcessor.OTHER, 2)));
        assertThat(window.total()).isEqualTo(5);
        assertThat(window.other()).isEqualTo(2);
        assertThat(window.kept()).isNull();
    }

    @Test
    void aWindowWithoutPanesIsEmpty() {
        final CategoryFold.Window window = new CategoryFold.Merger().fold(10);
        assertThat(window.total()).isZero();
        assertThat(window.observed().size()).isZero();
    }
}
