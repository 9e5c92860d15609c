package io.divergent.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ThreadCost.Snapshot}'s deltas: the sum over threads, and the busiest threads as shares of the wall time. */
class ThreadCostTest {

    private static final ThreadCost.Snapshot BEFORE = new ThreadCost.Snapshot(
            Map.of(1L, new long[] {100, 1_000}, 2L, new long[] {0, 0}),
            Map.of(1L, "reader", 2L, "window"));
    // Thread 3 was born after BEFORE: it counts from zero.
    private static final ThreadCost.Snapshot AFTER = new ThreadCost.Snapshot(
            Map.of(1L, new long[] {600, 3_000}, 2L, new long[] {800, 500}, 3L, new long[] {200, 50}),
            Map.of(1L, "reader", 2L, "window", 3L, "producer"));

    @Test
    void sinceSumsTheCpuAndAllocationOfEveryThreadOfTheLaterSnapshot() {
        assertThat(AFTER.since(BEFORE)).containsExactly(500 + 800 + 200, 2_000 + 500 + 50);
    }

    @Test
    void busiestListsTheThreadsByCpuOverWallTimeBusiestFirstUpToTheLimit() {
        assertThat(AFTER.busiest(BEFORE, 1_000, 2)).containsExactly(Map.entry("window", 0.8), Map.entry("reader", 0.5));
    }

    @Test
    void onlyKeepsTheThreadsWhoseNameMatches() {
        assertThat(AFTER.only(name -> !name.equals("producer")).since(BEFORE)).containsExactly(500 + 800, 2_000 + 500);
    }
}
