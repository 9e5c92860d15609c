package io.divergent.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.testing.DivergentProcess;
import io.divergent.testing.HaltAfterAcks;
import io.divergent.testing.KafkaProbes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16: the window processor keeps its open panes on the heap and writes them to the panes
 * store from a commit hook, just before the task commits. Here {@code divergent run} (own JVM,
 * {@code exactly_once_v2}) is halted exactly between those writes and the commit that should
 * cover them, twice: by {@link HaltAfterAcks}, the moment the broker acknowledges a record of the
 * panes changelog (the commit waits for that acknowledgement, so it never happens). Once while
 * counting, once while windows close (the hook's deletes of expired panes). Started again each
 * time, the application must emit exactly what an uninterrupted run emits.
 */
class CommitHookCrashIT {

    private static final String PANES_CHANGELOG = "-divergent-genres-panes-changelog";

    @Test
    void haltedBetweenTheCommitHooksWritesAndTheCommitItEmitsWhatAnUninterruptedRunEmits() throws Exception {
        // One stream thread: the halt does not depend on it, and a second thread's join is a
        // rebalance more at each start (CrashRecoveryIT and FailoverIT run the default).
        try (CrashWorkload workload = CrashWorkload.create("hook-crash", "exactly_once_v2",
                Map.of("kafka.producer.interceptor.classes", HaltAfterAcks.class.getName(),
                        "kafka.num.stream.threads", "1"))) {
            workload.produceEvents();

            // 1. While counting: the 60th panes value acknowledged (a commit writes up to 16 per task).
            DivergentProcess run = workload.start(0, List.of(HaltAfterAcks.SUFFIX + "=" + PANES_CHANGELOG,
                    HaltAfterAcks.AFTER + "=60"));
            awaitHalt(workload, run, "counting");
            // The window tasks read the observations repartition topic (one observation per play).
            final long committedAtFirstHalt = KafkaProbes.committed(workload.admin(), workload.config().applicationId(),
                    List.of(workload.config().applicationId() + "-divergent-observation-batches-repartition"));
            assertThat(committedAtFirstHalt).as("halted while counting").isLessThan(CrashWorkload.EVENTS);

            // 2. While windows close: after the 100th expired pane's delete is sent.
            run = workload.start(0, List.of(HaltAfterAcks.SUFFIX + "=" + PANES_CHANGELOG,
                    HaltAfterAcks.AFTER + "=100", HaltAfterAcks.TOMBSTONES + "=true"));
            workload.awaitCaughtUp();
            workload.produceClosers(0, CrashWorkload.SERIES);
            awaitHalt(workload, run, "closing windows");

            workload.start(0, List.of());   // the interceptor is configured: test classes on the class path
            workload.awaitCaughtUp();
            final Map<String, List<ObjectNode>> live = workload.readCommitted();
            final Map<String, ObjectNode> expected = workload.expected();
            assertThat(live.keySet()).isEqualTo(expected.keySet());
            expected.forEach((key, event) -> assertThat(live.get(key)).as("event %s exactly once, field by field", key)
                    .containsExactly(event));
            workload.assertAlertsExactlyOnce("halted twice between the commit hook and the commit");
            System.out.printf(java.util.Locale.ROOT, "HOOK-CRASH-FIGURES observations committed at the first halt %d of %d; "
                    + "events %d%n", committedAtFirstHalt, CrashWorkload.EVENTS, live.size());
        }
    }

    private static void awaitHalt(final CrashWorkload workload, final DivergentProcess run, final String when) {
        workload.await(() -> !run.isAlive(), () -> "the child to halt while " + when);
        assertThat(run.exitStatus()).as("halted by HaltAfterAcks while %s%n%s", when, workload.logs())
                .hasValue(HaltAfterAcks.STATUS);
    }
}
