package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Issue 15 on the production topology, with the driver's wall clock: windows close on the wall
 * clock when a task is idle, silent series get no-data events, and a series silent past the
 * horizon is forgotten. The wall clock starts at 0 and, as in live traffic, is moved to a
 * record's event time before the record is piped. idle.timeout = 10 s (punctuation every
 * 2.5 s); 60 s tumbling windows, no grace. S = 1,000 ms.
 */
class IdleCloseTest {

    private static final long S = 1_000;

    private static TopologyHarness harness(final String... more) {
        final Map<String, String> keys = new java.util.LinkedHashMap<>(jsonMonitor("genres", "genre"));
        keys.put("idle.timeout", "10s");
        for (int i = 0; i + 1 < more.length; i += 2) {
            keys.put(more[i], more[i + 1]);
        }
        return new TopologyHarness(keys, Instant.EPOCH);
    }

    /** Live traffic: the record arrives when it happens. */
    private static void live(final TopologyHarness t, final long time, final String genre, final int count) {
        t.wallClock(time);
        t.genre(time, genre, count);
    }

    private static long streamTime(final TopologyHarness t) {
        final KeyValueStore<String, Long> meta = t.driver.getKeyValueStore(DivergentTopology.META_STORE);
        return meta.get(DivergentTopology.STREAM_TIME_KEY);
    }

    @Test
    void anIdleTaskClosesItsWindowsOnTheWallClock() {
        try (TopologyHarness t = harness()) {
            live(t, 1 * S, "action", 3);      // [0, 60s)
            live(t, 59 * S, "drama", 1);      // [0, 60s); last record: the task is active until 69 s
            t.wallClock(67 * S);              // idle 8 s < 10 s: nothing moves
            assertThat(t.events()).as("not idle yet").isEmpty();
            assertThat(streamTime(t)).isEqualTo(59 * S);
            t.wallClock(70 * S);              // idle 11 s: stream time = 70 - 10 = 60 s, closes [0, 60s)
            final List<DivergenceEvent> events = t.events();
            assertThat(events).extracting(DivergenceEvent::getObservedTotal).containsExactly(4L);
            assertThat(events.get(0).getWindowEnd()).isEqualTo(Instant.ofEpochMilli(60 * S));
            assertThat(streamTime(t)).as("stored like a record's stream time").isEqualTo(60 * S);
        }
    }

    @Test
    void aLaggingTaskDoesNotCloseWindowsItHasNotReached() {
        // Catching up on history: the wall clock is an hour ahead of the event times, but a record
        // arrives every 5 s of wall clock (less than the idle timeout): stream time follows the records.
        try (TopologyHarness t = harness()) {
            t.wallClock(3_600 * S);
            for (int i = 0; i < 20; i++) {
                t.genre(i * 5 * S, "action", 1);         // event times 0 .. 95 s: [0, 60s) and [60s, 120s)
                t.wallClock(3_600 * S + (i + 1) * 5 * S);
            }
            assertThat(t.events()).as("only the window the records closed").extracting(DivergenceEvent::getObservedTotal)
                    .containsExactly(12L);
            assertThat(streamTime(t)).as("the records' largest event time").isEqualTo(95 * S);
            t.wallClock(3_600 * S + 115 * S);            // idle 15 s after the last record: stream time jumps to the clock - 10 s
            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).startsWith(8L);
        }
    }

    @Test
    void aSilentSeriesGetsNoDataEventsThenRecovers() {
        try (TopologyHarness t = harness()) {
            live(t, 10 * S, "action", 20);    // [0, 60s): 20
            live(t, 70 * S, "action", 20);    // [60s, 120s): 20; closes [0, 60s)
            t.wallClock(200 * S);             // idle: stream time 190 s closes [60s, 120s) and [120s, 180s), silent
            final List<DivergenceEvent> silent = t.events();
            assertThat(silent).extracting(DivergenceEvent::getObservedTotal).containsExactly(20L, 20L, 0L);
            final DivergenceEvent first = silent.get(0);
            assertThat(first.getNoData()).isFalse();
            assertThat(first.getExpectedTotal()).as("its first window: no volume history").isNull();
            final DivergenceEvent second = silent.get(1);
            assertThat(second.getExpectedTotal()).isEqualTo(20.0);
            assertThat(second.getVolumeBaselineWindows()).isEqualTo(1);
            assertThat(second.getVolumePValue()).as("20 against 20: mid-p of Bin(40, 1/2) at its mode").isCloseTo(1.0, within(1e-12));
            final DivergenceEvent noData = silent.get(2);
            assertThat(noData.getNoData()).isTrue();
            assertThat(noData.getWindowStart()).isEqualTo(Instant.ofEpochMilli(120 * S));
            assertThat(noData.getHasReference()).isFalse();
            assertThat(noData.getJsDistance()).isNull();
            assertThat(noData.getGPValue()).isNull();
            assertThat(noData.getExpectedTotal()).isEqualTo(20.0);   // (20 + 20) / 2
            assertThat(noData.getVolumeBaselineWindows()).isEqualTo(2);
            // 0 against 40 in 2 windows: P(X = 0) = (2/3)^40, the mid-p doubles half of it.
            assertThat(noData.getVolumePValue()).isCloseTo(Math.pow(2.0 / 3, 40), within(1e-15));
            assertThat(t.metric("no-data-windows-total", "genres")).isEqualTo(1.0);

            live(t, 200 * S, "action", 20);   // [180s, 240s): traffic again
            live(t, 250 * S, "action", 1);    // closes [180s, 240s)
            final List<DivergenceEvent> recovered = t.events();
            assertThat(recovered).extracting(DivergenceEvent::getObservedTotal).containsExactly(20L);
            assertThat(recovered.get(0).getNoData()).isFalse();
            assertThat(recovered.get(0).getExpectedTotal()).as("(20 + 20 + 0) / 3").isCloseTo(40.0 / 3, within(1e-12));
        }
    }

    @Test
    void aSeriesSilentPastTheHorizonIsForgotten() {
        // last-3 baseline: the history store keeps the series' last window until it is forgotten.
        try (TopologyHarness t = harness("series.horizon.windows", "2", "monitor.genres.reference.mode", "last-n")) {
            live(t, 10 * S, "action", 5);     // [0, 60s)
            t.wallClock(400 * S);             // idle: stream time 390 s closes [0, 60s) .. [300s, 360s)
            assertThat(t.events()).extracting(DivergenceEvent::getNoData)
                    .as("its window, then no-data for the 2 windows of the horizon, then nothing")
                    .containsExactly(false, true, true);
            assertThat(t.storeSize(DivergentTopology.volumeStore("genres"))).as("volume forgotten").isZero();
            assertThat(t.storeSize(DivergentTopology.historyStore("genres"))).as("history forgotten").isZero();
            live(t, 410 * S, "action", 5);    // [360s, 420s): seen again, afresh
            t.wallClock(500 * S);             // closes [360s, 420s) and the silent [420s, 480s)
            final List<DivergenceEvent> again = t.events();
            assertThat(again).extracting(DivergenceEvent::getObservedTotal).containsExactly(5L, 0L);
            assertThat(again.get(0).getHasReference()).as("no past window left to compare with").isFalse();
            assertThat(again.get(0).getExpectedTotal()).as("a new series: no volume history").isNull();
        }
    }

    @Test
    void aRecordLateAfterAnIdleCloseIsDeadLettered() {
        try (TopologyHarness t = harness()) {
            live(t, 30 * S, "action", 1);     // [0, 60s)
            t.wallClock(75 * S);              // idle: stream time 65 s closes [0, 60s)
            assertThat(t.events()).hasSize(1);
            t.genre(50 * S, "drama", 1);      // [0, 60s) has closed: late
            assertThat(t.deadLetters()).extracting(r -> TopologyHarness.header(r, DeadLetter.KIND))
                    .containsExactly(DeadLetter.Kind.LATE.label());
            assertThat(t.events()).isEmpty();
        }
    }

    @Test
    void idleTimeoutOffKeepsStreamTimeOnTheRecords() {
        try (TopologyHarness t = harness("idle.timeout", "off")) {
            live(t, 30 * S, "action", 1);
            t.wallClock(3_600 * S);
            assertThat(t.events()).isEmpty();
            assertThat(streamTime(t)).isEqualTo(30 * S);
        }
    }
}
