package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;

/** max.categories bounds the distinct categories kept per series and window; the excess counts as __other__. */
class CategoryCapTest {

    private static final long S = 1_000;

    @Test
    void newCategoriesBeyondTheCapFoldIntoOther() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "max.categories", "3"))) {
            t.genre(1 * S, "a", 30);  // [0, 60s): counter 1 of m = cap + 1 = 4
            t.genre(2 * S, "b", 25);  // counter 2
            t.genre(3 * S, "c", 20);  // counter 3
            // 20 singletons churn through counter 4 (each evicts the last, estimate 1, 2, ..., 20):
            // a, b and c keep their counters, so their counts stay exact
            for (int i = 0; i < 20; i++) {
                t.json(4 * S, "{\"genre\":\"new-" + i + "\"}");
            }
            t.genre(5 * S, "a", 1);   // known category: still counted as itself
            assertThat(t.counters("genres")).as("m counters, however many new categories").isEqualTo(4);
            t.genre(60 * S, "a", 1);  // closes [0, 60s)

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getObservedTotal()).isEqualTo(30 + 25 + 20 + 20 + 1);
            assertThat(e.getDistinctCategories()).as("a, b, c and __other__").isEqualTo(4);
            assertThat(e.getOtherCount()).as("the 20 singletons").isEqualTo(20);
            assertThat(e.getFoldedCategories()).as("new-19 still holds counter 4").isEqualTo(1);
            assertThat(e.getKeptCountError()).as("a, b and c never lost their counters").isZero();
        }
    }

    @Test
    void hoppingWindowsKeepTheLargestCategoriesWhenMergingPanes() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre",
                "monitor.genres.window.advance", "30s", "max.categories", "2"))) {
            t.genre(1 * S, "a", 5);    // pane [0, 30s): a 5
            t.genre(2 * S, "b", 1);    // pane [0, 30s): b 1 (cap full)
            t.genre(31 * S, "c", 4);   // pane [30s, 60s): c 4
            t.genre(32 * S, "d", 2);   // pane [30s, 60s): d 2 (cap full)
            t.genre(60 * S, "a", 1);   // closes [0, 60s) = {a 5, b 1, c 4, d 2}: keep a, c; b + d -> __other__ 3
            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getDistinctCategories()).isEqualTo(3);
            assertThat(e.getOtherCount()).isEqualTo(3);
            assertThat(e.getObservedTotal()).isEqualTo(12);
        }
    }

    /**
     * Issue "bounded resources": 5 times the cap of distinct categories in one window of one
     * series. The cap here is 500, not the default 10,000: the test driver commits after every
     * record and keeps every changelog record it is sent, and each commit writes a saturated
     * (pane, series) whole (issue 16), so 50,000 records at the default cap would hold ~7 GB.
     * The bound at the default cap with 5 times as many categories is {@link PaneCountsTest}'s.
     */
    @Test
    void fiveTimesTheCapOfDistinctCategoriesStayWithinIt() {
        final int cap = 500;
        final int distinct = 5 * cap;
        final Map<String, String> keys = jsonMonitor("codes", "code", "max.categories", Integer.toString(cap));
        keys.put("monitor.codes.value.format", "string");
        try (TopologyHarness t = new TopologyHarness(keys)) {
            for (int i = 0; i < distinct; i++) {
                t.raw("plays", 1 * S + i, ("code-" + i).getBytes(StandardCharsets.UTF_8)); // [0, 60s)
            }
            assertThat(t.counters("codes")).isEqualTo(cap + 1);
            t.raw("plays", 60 * S, "code-0".getBytes(StandardCharsets.UTF_8));            // closes [0, 60s)

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getObservedTotal()).isEqualTo(distinct);
            assertThat(e.getDistinctCategories()).isEqualTo(cap + 1);
            assertThat(e.getOtherCount()).isEqualTo(distinct - cap);
            assertThat(t.counters("codes")).as("the closed window is gone, the new one has 1").isEqualTo(1);
            assertThat(t.storeSize(DivergentTopology.panesStore("codes"))).as("one pane, one commit").isEqualTo(1);
        }
    }
}
