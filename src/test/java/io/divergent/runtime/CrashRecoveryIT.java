package io.divergent.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.testing.DivergentProcess;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code divergent run} in its own JVM, killed with SIGKILL four times mid-stream and started
 * again each time (same application id, same state directory), over {@link CrashWorkload}'s
 * traffic: twice while it counts, twice while closing windows emit events. Each kill point is
 * chosen by watching the application's progress on the broker (committed input offsets, records
 * written to the events topic), never by time.
 */
class CrashRecoveryIT {

    /** How far the application had got at each kill, for the figures line and failure messages. */
    private record Kill(String when, long inputCommitted, long outputWritten, long outputUncommitted) {
    }

    /**
     * With {@code exactly_once_v2} (the default of {@code run}), the events read with
     * {@code read_committed} are exactly those of an uninterrupted run: the same (series, window)
     * keys, each exactly once, every field equal.
     */
    @Test
    void exactlyOnceEmitsWhatAnUninterruptedRunEmitsDespiteFourKills() throws Exception {
        final long began = System.nanoTime();
        try (CrashWorkload workload = CrashWorkload.create("crash-eos", "exactly_once_v2", Map.of())) {
            final List<Kill> kills = crashFourTimes(workload);
            final Map<String, List<ObjectNode>> live = workload.readCommitted();
            final Map<String, ObjectNode> expected = workload.expected();

            assertThat(expected).hasSize(CrashWorkload.EXPECTED_EVENTS);
            assertThat(live.keySet()).as("(series, window) keys; kills %s", kills).isEqualTo(expected.keySet());
            // Every difference at once (a first-failure stop would hide whether one window or many went wrong).
            final List<String> wrong = new ArrayList<>();
            expected.forEach((key, event) -> {
                if (!List.of(event).equals(live.get(key))) {
                    wrong.add(key + ": observed_total " + event.get("observed_total") + " expected, got "
                            + live.get(key).stream().map(e -> e.get("observed_total").asText()).toList());
                }
            });
            assertThat(wrong).as("events not exactly once and equal field by field; kills %s", kills).isEmpty();
            workload.assertAlertsExactlyOnce("kills " + kills);
            figures("exactly_once_v2", kills, live, began);
        }
    }

    /**
     * With {@code at_least_once}, what must still hold: every (series, window) of an
     * uninterrupted run is emitted at least once, and no play is lost, so every emitted event
     * counts at least the plays of its window ({@code observed_total} at least the expected one).
     *
     * <p>What may differ, and is therefore not asserted: records processed after the last commit
     * before a kill are processed again after the restart, so observations can reach the
     * repartition topic twice and be counted twice (an event's totals and measures can be
     * inflated), and a window whose events were written but whose closing was not committed is
     * emitted again (duplicate events, possibly with different counts). Whether either happens
     * in a given run depends on where the kills land.
     *
     * <p>Not guaranteed in principle either, though asserted here because it holds on one
     * broker: the events of a window and the changelog records that mark it closed are
     * separate, unordered writes. A kill after the latter were acknowledged but before the
     * former were (likelier when they go to different brokers) would leave a window closed
     * whose events were never written. Exactly-once has no such gap.
     */
    @Test
    void atLeastOnceLosesNothingDespiteFourKills() throws Exception {
        final long began = System.nanoTime();
        try (CrashWorkload workload = CrashWorkload.create("crash-alos", "at_least_once", Map.of())) {
            final List<Kill> kills = crashFourTimes(workload);
            final Map<String, List<ObjectNode>> live = workload.readCommitted();
            final Map<String, ObjectNode> expected = workload.expected();

            assertThat(live.keySet()).as("every (series, window) emitted; kills %s", kills).containsAll(expected.keySet());
            for (final Map.Entry<String, ObjectNode> entry : expected.entrySet()) {
                final long total = entry.getValue().get("observed_total").asLong();
                assertThat(live.get(entry.getKey())).as("event %s: no play lost", entry.getKey())
                        .allSatisfy(e -> assertThat(e.get("observed_total").asLong()).isGreaterThanOrEqualTo(total));
            }
            figures("at_least_once", kills, live, began);
        }
    }

    /**
     * The shared schedule: all plays are on the topic before the first start; kill when 15% and
     * then 55% of them are committed; let it catch up; send the first series' closer (it closes
     * every window of one task) and kill while its events are written but, with exactly-once,
     * not yet committed; restart, let it catch up, send the other closers and kill the same way
     * while more events are being written; restart and let it finish.
     */
    private static List<Kill> crashFourTimes(final CrashWorkload workload) throws Exception {
        final List<Kill> kills = new ArrayList<>();
        final boolean transactional = "exactly_once_v2".equals(workload.config().kafkaProperties().get("processing.guarantee"));
        workload.produceEvents();

        DivergentProcess run = workload.start(0);
        killWhen(workload, run, kills, "counting, 15% of the plays committed", workload::inputCommitted,
                CrashWorkload.EVENTS * 15L / 100);
        run = workload.start(0);
        killWhen(workload, run, kills, "counting, 55% of the plays committed", workload::inputCommitted,
                CrashWorkload.EVENTS * 55L / 100);

        run = workload.start(0);
        workload.awaitCaughtUp();
        workload.produceClosers(0, 1);
        killWhen(workload, run, kills, "closing one task's windows", closing(workload, transactional, 1), 1);

        run = workload.start(0);
        workload.awaitCaughtUp();
        final long written = workload.outputWritten();
        workload.produceClosers(1, CrashWorkload.SERIES);
        killWhen(workload, run, kills, "closing the other tasks' windows", closing(workload, transactional, written + 1), 1);

        workload.start(0);
        workload.awaitCaughtUp();
        if (!transactional) {
            // Under at-least-once a restored task has each input partition's event time as of the
            // commit before its last (docs/streaming.md, "Windows"): a partition whose closers were
            // committed in the last commit before the kill, with nothing to send again, holds the
            // windows at its older time until it sends (idle.timeout is off here). The closers
            // again (their windows stay open): every partition has sent past the windows.
            workload.produceClosers(0, CrashWorkload.SERIES);
            workload.awaitCaughtUp();
        }
        return kills;
    }

    /**
     * 1 once at least {@code written} records are on the events topic and, with transactions,
     * some of them are in a transaction not yet committed: killing then aborts it. Should the
     * probe miss every open transaction (the commit interval is 100 ms), 1 also once the
     * application has caught up, so that the schedule goes on; the figures tell.
     */
    private static LongSupplier closing(final CrashWorkload workload, final boolean transactional, final long written) {
        return () -> workload.outputWritten() >= written
                && (!transactional || workload.outputUncommitted() > 0 || workload.caughtUp()) ? 1 : 0;
    }

    /** Waits until {@code progress} reaches {@code threshold} while the process runs, then SIGKILLs it. */
    private static void killWhen(final CrashWorkload workload, final DivergentProcess run, final List<Kill> kills,
                                 final String when, final LongSupplier progress, final long threshold) {
        workload.await(() -> !run.isAlive() || progress.getAsLong() >= threshold,
                () -> when + ": progress " + progress.getAsLong() + " < " + threshold);
        assertThat(run.isAlive()).as("the application runs until it is killed (%s)%n%s", when, workload.logs()).isTrue();
        run.kill();
        // An open transaction of the killed process stays open until its restart aborts it.
        kills.add(new Kill(when, workload.inputCommitted(), workload.outputWritten(), workload.outputUncommitted()));
    }

    private static void figures(final String guarantee, final List<Kill> kills, final Map<String, List<ObjectNode>> live,
                                final long began) {
        final long copies = live.values().stream().mapToLong(List::size).sum();
        System.out.printf(Locale.ROOT, "CRASH-FIGURES guarantee=%s kills=%d records=%d events=%d copies=%d seconds=%.1f%n",
                guarantee, kills.size(), CrashWorkload.EVENTS + CrashWorkload.SERIES, live.size(), copies,
                (System.nanoTime() - began) / 1e9);
        kills.forEach(k -> System.out.printf(Locale.ROOT,
                "CRASH-FIGURES   kill while %s: input committed %d, events topic end %d, in open transactions %d%n",
                k.when(), k.inputCommitted(), k.outputWritten(), k.outputUncommitted()));
    }
}
