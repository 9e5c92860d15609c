package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.divergent.topology.PaneJournalRestoreTest.MONITOR;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A window task behind the observations repartition hears from every input partition, each read
 * at its own pace (a backlog, a slower instance, a restart): its windows close by the least of
 * the partitions' event times ({@link InputWatermark}), so a slower partition's records are not
 * late. Before, they were judged against the largest event time any partition had brought: a
 * backlog over 8 partitions with no grace lost 84% of its records (issue 16, fourteenth pass).
 *
 * <p>The monitor: 60 s tumbling windows, no grace. Each partition's backlog: one record every
 * 10 s from 1 s to 291 s, six per window, so a window both partitions fill holds 12.
 */
class PartitionedBacklogTest {

    private static final String SERIES = MONITOR + "|u=1";
    private static final long START = Long.MAX_VALUE / 2;
    /** The windows [0, 60s) to [180s, 240s), each with the six records of each partition. */
    private static final Map<Long, Long> FIRST_FOUR_OF_BOTH = Map.of(0L, 12L, 60_000L, 12L, 120_000L, 12L, 180_000L, 12L);

    private static PaneJournalRestoreTest.Run run(final int awaited, final long idleTimeoutMs) {
        return new PaneJournalRestoreTest.Run(PaneJournalRestoreTest.monitors("60s", "0s"), 100,
                new WindowProcessor.Liveness(idleTimeoutMs, 2, 3), StreamsConfig.EXACTLY_ONCE_V2,
                awaited == 0 ? Map.of() : Map.of(MONITOR, awaited));
    }

    /** Records of one partition's backlog from index {@code from} (inclusive) to {@code to}: at 1 s + 10 s x i. */
    private static void backlog(final PaneJournalRestoreTest.Run run, final int partition, final int from, final int to) {
        for (int i = from; i < to; i++) {
            run.process(SERIES, "g" + (i % 3), 1_000 + 10_000L * i, partition);
        }
    }

    /** Each emitted window's observed total, by window start. */
    private static Map<Long, Long> totals(final PaneJournalRestoreTest.Run run) {
        final Map<Long, Long> totals = new TreeMap<>();
        for (final Object out : run.output()) {
            if (out instanceof Emitted.Window window) {
                for (final DivergenceEvent event : window.events()) {
                    totals.put(event.getWindowStart().toEpochMilli(), event.getObservedTotal());
                }
            }
        }
        return totals;
    }

    private static List<DeadLetter> late(final PaneJournalRestoreTest.Run run) {
        final List<DeadLetter> late = new ArrayList<>();
        for (final Object out : run.output()) {
            if (out instanceof DeadLetter dead && dead.kind() == DeadLetter.Kind.LATE) {
                late.add(dead);
            }
        }
        return late;
    }

    @Test
    void aPartitionReadWholeBeforeTheOtherMakesNoRecordLate() {
        final PaneJournalRestoreTest.Run run = run(2, 0);
        backlog(run, 0, 0, 30);
        // Partition 1 not heard from yet: nothing closes.
        assertThat(totals(run)).isEmpty();
        // Partition 1's first record, at 1 s: still nothing closes (the watermark is 1 s).
        backlog(run, 1, 0, 1);
        assertThat(totals(run)).isEmpty();
        // Its record at 61 s closes [0, 60s) with both partitions' six records.
        backlog(run, 1, 1, 7);
        assertThat(totals(run)).containsExactly(Map.entry(0L, 12L));
        backlog(run, 1, 7, 30);
        // The watermark is 291 s: [60s, 120s) to [180s, 240s) closed, [240s, 300s) open.
        assertThat(totals(run)).isEqualTo(FIRST_FOUR_OF_BOTH);
        assertThat(late(run)).isEmpty();
    }

    /**
     * The same order without the partitions awaited (replay, tests: the partition count is not
     * known): partition 0 alone closes windows until partition 1 is heard from; its records of
     * those windows are then late, as the largest event time made every slower partition's.
     */
    @Test
    void withoutThePartitionCountOnlyThePartitionsHeardFromHoldTheWindows() {
        final PaneJournalRestoreTest.Run run = run(0, 0);
        backlog(run, 0, 0, 30);
        assertThat(totals(run)).hasSize(4).allSatisfy((start, total) -> assertThat(total).isEqualTo(6L));
        backlog(run, 1, 0, 30);
        assertThat(late(run)).hasSize(24);
        assertThat(late(run).get(0).reason()).contains("is late").contains("least event time of the input partitions");

        // Heard from once, a partition holds the windows however far the other runs ahead.
        final PaneJournalRestoreTest.Run heard = run(0, 0);
        backlog(heard, 1, 0, 1);
        backlog(heard, 0, 0, 30);
        assertThat(totals(heard)).isEmpty();
        backlog(heard, 1, 1, 30);
        assertThat(totals(heard)).hasSize(4).allSatisfy((start, total) -> assertThat(total).isEqualTo(12L));
        assertThat(late(heard)).isEmpty();
    }

    /**
     * A partition that sends nothing for {@code idle.timeout} (here 1 s) stops holding the windows
     * back; one never heard from, that long after the start. Its records of windows closed
     * meanwhile are late when it sends again.
     */
    @Test
    void anIdlePartitionStopsHoldingTheWindowsUntilItSendsAgain() {
        final PaneJournalRestoreTest.Run run = run(2, 1_000);
        backlog(run, 0, 0, 30);
        run.punctuate(START + 999);
        assertThat(totals(run)).isEmpty();
        // Partition 0 still sends (the task is not idle); partition 1 has been silent 1 s since the start.
        run.process(SERIES, "g0", 292_000, 0);
        run.punctuate(START + 1_000);
        assertThat(totals(run)).hasSize(4).allSatisfy((start, total) -> assertThat(total).isEqualTo(6L));
        // Back, far behind: its records of the closed windows are late, those of the open one counted.
        backlog(run, 1, 0, 30);
        assertThat(late(run)).hasSize(24);
        // It holds the windows again: partition 0 runs on, [240s, 300s) stays open until partition 1 passes 300 s.
        run.process(SERIES, "g0", 400_000, 0);
        assertThat(totals(run)).hasSize(4);
        run.process(SERIES, "g0", 301_000, 1);
        assertThat(totals(run)).containsEntry(240_000L, 6L + 1 + 6);
    }

    /**
     * Restarted from its stores (as after a crash, under exactly-once), the task starts from the
     * closed-until time and awaits both partitions again: the slower one's records of the open
     * windows are counted, as without the restart.
     */
    @Test
    void aRestartedTaskAwaitsThePartitionsAgainAndCountsWhatItWouldHave() {
        final PaneJournalRestoreTest.Run run = run(2, 0);
        backlog(run, 0, 0, 13);
        backlog(run, 1, 0, 7);
        // [0, 60s) closed by partition 1 at 61 s; partition 0 is at 121 s.
        assertThat(totals(run)).containsExactly(Map.entry(0L, 12L));
        run.commit();
        run.start(false);
        // Partition 0 first, far ahead: partition 1 (awaited again) holds the windows.
        backlog(run, 0, 13, 30);
        backlog(run, 1, 7, 30);
        assertThat(totals(run)).isEqualTo(FIRST_FOUR_OF_BOTH);
        assertThat(late(run)).isEmpty();
    }

    /**
     * A partition that sent everything before a commit has nothing to send again after a restart
     * (or a failover): its event time, stored at the commit, still holds the watermark where it
     * was, so the windows close once the other partitions catch up (the failover test's
     * restored window tasks waited for ever on such partitions before their times were stored).
     */
    @Test
    void aRestartedTaskRestoresThePartitionsEventTimesFromTheLastCommit() {
        final PaneJournalRestoreTest.Run run = run(2, 0);
        backlog(run, 0, 0, 30);
        backlog(run, 1, 0, 30);
        run.process(SERIES, "g0", 400_000, 1);  // partition 1's last record, committed below
        assertThat(totals(run)).hasSize(4);
        run.commit();
        run.start(false);
        // Partition 1 is not read again; partition 0's last record closes [240s, 300s), and
        // [300s, 360s), silent (a no-data event: the series is expected).
        run.process(SERIES, "g0", 400_000, 0);
        assertThat(totals(run)).containsEntry(240_000L, 12L).containsEntry(300_000L, 0L).hasSize(6);
        assertThat(late(run)).isEmpty();
    }

    /**
     * At each commit the task reports each monitor's watermark and how far the partitions still
     * sending hold it back behind the largest event time heard (gauges {@code watermark-ms},
     * {@code watermark-skew-ms}, tagged monitor and task): what tells an operator which windows
     * wait and why.
     */
    @Test
    void eachCommitReportsTheWatermarkAndHowFarItIsHeldBack() {
        final PaneJournalRestoreTest.Run run = run(2, 0);
        backlog(run, 0, 0, 30);
        backlog(run, 1, 0, 1);
        run.commit();
        assertThat(gauge(run, "watermark-ms")).isEqualTo(1_000.0);
        assertThat(gauge(run, "watermark-skew-ms")).isEqualTo(290_000.0);
        backlog(run, 1, 1, 30);
        run.commit();
        assertThat(gauge(run, "watermark-ms")).isEqualTo(291_000.0);
        assertThat(gauge(run, "watermark-skew-ms")).isZero();
        run.processor.close();
        assertThat(run.context.metrics().metrics().keySet()).noneMatch(name -> name.name().startsWith("watermark"));
    }

    private static double gauge(final PaneJournalRestoreTest.Run run, final String name) {
        return run.context.metrics().metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals(DivergentMetrics.GROUP)
                        && MONITOR.equals(e.getKey().tags().get("monitor")))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .findFirst().orElseThrow(() -> new AssertionError("no gauge " + name));
    }
}
