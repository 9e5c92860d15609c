package io.divergent.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.testing.DivergentProcess;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out and failover: several {@code divergent run} processes with one application id
 * (distinct state directories) share {@link CrashWorkload}'s 4-partition traffic; one is killed
 * with SIGKILL mid-stream, the others take its tasks over and rebuild its state from the
 * changelog topics, and the events read with {@code read_committed} are exactly those of an
 * uninterrupted single run ({@code replay}). Exactly-once, as {@code run} defaults to.
 */
class FailoverIT {

    /** Two instances split the work; one is killed while counting; the other finishes alone. */
    @Test
    void twoInstancesShareTheWorkAndOneTakesOverWhenTheOtherIsKilled() throws Exception {
        final long began = System.nanoTime();
        try (CrashWorkload workload = CrashWorkload.create("failover-2", "exactly_once_v2", Map.of())) {
            final List<DivergentProcess> instances = List.of(workload.start(0), workload.start(1));
            final Map<String, Set<TopicPartition>> spread = workload.awaitOwners(2);

            workload.produceEvents();
            killWhenCounted(workload, instances.get(1), 30);
            workload.awaitOwners(1);
            workload.awaitCaughtUp();
            workload.produceClosers(0, CrashWorkload.SERIES);
            workload.awaitCaughtUp();

            assertExactlyTheUninterruptedOutput(workload, 2, 1, spread, began);
        }
    }

    /**
     * Three instances split the work; one is killed while counting, a second while closing
     * windows emit events; the last one finishes alone.
     */
    @Test
    void threeInstancesShareTheWorkAndSurviveTwoKills() throws Exception {
        final long began = System.nanoTime();
        try (CrashWorkload workload = CrashWorkload.create("failover-3", "exactly_once_v2", Map.of())) {
            final List<DivergentProcess> instances = List.of(workload.start(0), workload.start(1), workload.start(2));
            final Map<String, Set<TopicPartition>> spread = workload.awaitOwners(3);

            workload.produceEvents();
            killWhenCounted(workload, instances.get(2), 30);
            workload.awaitOwners(2);
            workload.awaitCaughtUp();
            workload.produceClosers(0, CrashWorkload.SERIES);
            workload.await(() -> !instances.get(1).isAlive() || workload.outputWritten() > 0,
                    () -> "events being written, end offsets " + workload.outputWritten());
            assertThat(instances.get(1).isAlive()).as("instance 1 runs until killed%n%s", workload.logs()).isTrue();
            instances.get(1).kill();
            workload.awaitOwners(1);
            workload.awaitCaughtUp();

            assertExactlyTheUninterruptedOutput(workload, 3, 2, spread, began);
        }
    }

    private static void killWhenCounted(final CrashWorkload workload, final DivergentProcess victim, final int percent) {
        final long threshold = CrashWorkload.EVENTS * (long) percent / 100;
        workload.await(() -> !victim.isAlive() || workload.inputCommitted() >= threshold,
                () -> percent + "% of the plays committed: " + workload.inputCommitted() + " < " + threshold);
        assertThat(victim.isAlive()).as("the instance runs until killed%n%s", workload.logs()).isTrue();
        victim.kill();
    }

    private static void assertExactlyTheUninterruptedOutput(final CrashWorkload workload, final int instances,
                                                            final int kills, final Map<String, Set<TopicPartition>> spread,
                                                            final long began) {
        final Map<String, List<ObjectNode>> live = workload.readCommitted();
        final Map<String, ObjectNode> expected = workload.expected();
        assertThat(expected).hasSize(CrashWorkload.EXPECTED_EVENTS);
        assertThat(live.keySet()).as("(series, window) keys").isEqualTo(expected.keySet());
        for (final Map.Entry<String, ObjectNode> entry : expected.entrySet()) {
            assertThat(live.get(entry.getKey())).as("event %s: exactly once, field by field", entry.getKey())
                    .containsExactly(entry.getValue());
        }
        workload.assertAlertsExactlyOnce(instances + " instances, " + kills + " kills");
        final List<Integer> owned = new ArrayList<>();
        spread.values().forEach(p -> owned.add(p.size()));
        System.out.printf(Locale.ROOT, "FAILOVER-FIGURES instances=%d kills=%d partitions-per-instance=%s records=%d events=%d seconds=%.1f%n",
                instances, kills, owned, CrashWorkload.EVENTS + CrashWorkload.SERIES,
                live.values().stream().mapToLong(List::size).sum(), (System.nanoTime() - began) / 1e9);
    }
}
