package io.divergent.topology;

import io.divergent.avro.AlertKind;
import io.divergent.avro.AlertState;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.math.Cusum;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The alert lifecycle (issue 14) told as TopologyTestDriver stories: one window per minute, each
 * input commented with its effect on its window. Reference {a: 1, b: 1}, fixed. A "quiet" window is
 * {a: 50, b: 50} (G = 0, p = 1); a "drifted" one {a: 90, b: 10} (JS distance 0.53 bits, p ~ 1e-17).
 */
class AlertLifecycleTest {

    private static final long S = 1_000;
    private static final long M = 60 * S;

    private static TopologyHarness harness(final String... keys) {
        final TopologyHarness t = new TopologyHarness(TopologyHarness.jsonMonitor("genres", "genre", keys));
        t.reference("genres", 0, Map.of("a", 1.0, "b", 1.0));
        return t;
    }

    /** The window starting at minute {@code minute} gets {@code a} a's and {@code b} b's (closing the one before). */
    private static void window(final TopologyHarness t, final int minute, final int a, final int b) {
        t.genre(minute * M + S, "a", a);
        t.genre(minute * M + 2 * S, "b", b);
    }

    private static String describe(final DriftAlert alert) {
        return alert.getWindowStart().toEpochMilli() / M + " " + alert.getKind() + " " + alert.getState()
                + (alert.getReminder() ? " reminder" : "") + " " + alert.getSeverity()
                + " started " + alert.getStartedAt().toEpochMilli() / M
                + " trigger " + alert.getTriggerWindowStart().toEpochMilli() / M + " windows " + alert.getWindows();
    }

    /** Issue 16: a status written back unchanged (a quiet series: none) costs no changelog record. */
    @Test
    void quietWindowsWriteNothingToTheAlertStateChangelog() {
        try (TopologyHarness t = harness()) {
            window(t, 0, 50, 50);   // [0, 1m): quiet
            window(t, 1, 50, 50);   // closes [0, 1m): quiet, every rule inactive
            window(t, 2, 50, 50);   // closes [1m, 2m): quiet
            assertThat(t.events()).hasSize(2);
            assertThat(t.alerts()).isEmpty();
            assertThat(t.changelogRecords(DivergentTopology.alertStore("genres"))).isZero();
            window(t, 3, 90, 10);   // closes [2m, 3m): quiet; [3m, 4m) drifted
            window(t, 4, 50, 50);   // closes [3m, 4m): FIRING (threshold and change): their statuses are written
            assertThat(t.alerts()).isNotEmpty();
            assertThat(t.changelogRecords(DivergentTopology.alertStore("genres"))).isPositive();
        }
    }

    @Test
    void firesAfterForWindowsDoesNotRepeatResolvesAndFiresAgain() {
        try (TopologyHarness t = harness("monitor.genres.alert.for", "2", "monitor.genres.alert.resolve.after", "2",
                "monitor.genres.alert.change", "false")) {
            window(t, 0, 50, 50);   // [0, 1m): quiet
            window(t, 1, 90, 10);   // closes [0, 1m): nothing; [1m, 2m) drifted
            window(t, 2, 90, 10);   // closes [1m, 2m): pending (1 of 2); [2m, 3m) drifted
            window(t, 3, 90, 10);   // closes [2m, 3m): FIRING, started at 1m; [3m, 4m) drifted
            window(t, 4, 50, 50);   // closes [3m, 4m): still firing, not repeated; [4m, 5m) quiet
            window(t, 5, 50, 50);   // closes [4m, 5m): 1 quiet window of 2; [5m, 6m) quiet
            window(t, 6, 90, 10);   // closes [5m, 6m): RESOLVED; [6m, 7m) drifted
            window(t, 7, 90, 10);   // closes [6m, 7m): pending; [7m, 8m) drifted
            window(t, 8, 50, 50);   // closes [7m, 8m): FIRING again, started at 6m

            assertThat(t.alerts()).extracting(AlertLifecycleTest::describe).containsExactly(
                    "2 THRESHOLD FIRING WARNING started 1 trigger 2 windows 2",
                    "5 THRESHOLD RESOLVED WARNING started 1 trigger 2 windows 2",
                    "7 THRESHOLD FIRING WARNING started 6 trigger 7 windows 2");
            assertThat(t.storeSize(DivergentTopology.alertStore("genres"))).as("the firing alert's status").isEqualTo(1);
        }
    }

    @Test
    void aFiringAlertHoldsWhileTheEvidenceRemains() {
        // Hysteresis: 60 a / 40 b (JS distance 0.03 beyond noise, p = 0.045) would not fire, but
        // it keeps a firing alert firing; quiet windows (p = 1) end it.
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false")) {
            window(t, 0, 80, 20);   // [0, 1m): 0.23 beyond noise, p ~ 1e-9
            window(t, 1, 60, 40);   // closes [0, 1m): FIRING
            window(t, 2, 60, 40);   // closes [1m, 2m): effect below 0.1, evidence still there: holds
            window(t, 3, 60, 40);   // closes [2m, 3m): holds
            window(t, 4, 50, 50);   // closes [3m, 4m): holds
            window(t, 5, 50, 50);   // closes [4m, 5m): no evidence, 1 of 3
            window(t, 6, 50, 50);   // closes [5m, 6m): 2 of 3
            window(t, 7, 50, 50);   // closes [6m, 7m): RESOLVED
            assertThat(t.alerts()).extracting(AlertLifecycleTest::describe).containsExactly(
                    "0 THRESHOLD FIRING WARNING started 0 trigger 0 windows 1",
                    "6 THRESHOLD RESOLVED WARNING started 0 trigger 0 windows 3");
        }
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false")) {
            window(t, 0, 60, 40);   // [0, 1m): evidence without the effect
            window(t, 1, 60, 40);   // closes [0, 1m): nothing fires
            window(t, 2, 50, 50);   // closes [1m, 2m)
            assertThat(t.alerts()).isEmpty();
        }
    }

    @Test
    void remindsEveryRepeatWindowsAndEscalatesOnce() {
        try (TopologyHarness t = harness("monitor.genres.alert.repeat", "2", "monitor.genres.alert.change", "false",
                "monitor.genres.alert.js_distance.warning", "0.1", "monitor.genres.alert.js_distance.critical", "0.4")) {
            window(t, 0, 80, 20);   // [0, 1m): JS distance 0.27 bits, ~0.23 beyond noise: warning
            window(t, 1, 80, 20);   // closes [0, 1m): FIRING WARNING
            window(t, 2, 80, 20);   // closes [1m, 2m): 1 window since the notification
            window(t, 3, 100, 0);   // closes [2m, 3m): a reminder (2 windows); [3m, 4m) JS distance 0.56: critical
            window(t, 4, 100, 0);   // closes [3m, 4m)
            window(t, 5, 0, 0);     // closes [4m, 5m)

            final List<DriftAlert> alerts = t.alerts();
            assertThat(alerts).extracting(AlertLifecycleTest::describe).startsWith(
                    "0 THRESHOLD FIRING WARNING started 0 trigger 0 windows 1",
                    "2 THRESHOLD FIRING reminder WARNING started 0 trigger 0 windows 3");
            assertThat(alerts).filteredOn(a -> a.getSeverity().name().equals("CRITICAL")).extracting(AlertLifecycleTest::describe)
                    .as("the rise to critical is told once, not as a reminder")
                    .containsExactly("3 THRESHOLD FIRING CRITICAL started 0 trigger 0 windows 4");
        }
    }

    @Test
    void aLargeEffectWithoutEvidenceDoesNotFire() {
        // Two events, both a: JS distance 0.56 bits, but G = 4 ln 2 = 2.77, p = 0.096 > 0.05.
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false")) {
            window(t, 0, 2, 0);
            window(t, 1, 50, 50);   // closes [0, 1m)
            assertThat(t.events().get(0).getGPValue()).isCloseTo(0.0959, within(1e-4));
            assertThat(t.alerts()).isEmpty();
        }
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false", "monitor.genres.alert.significance", "1")) {
            window(t, 0, 2, 0);
            window(t, 1, 50, 50);   // closes [0, 1m): fires, no evidence asked for
            assertThat(t.alerts()).extracting(AlertLifecycleTest::describe)
                    .containsExactly("0 THRESHOLD FIRING WARNING started 0 trigger 0 windows 1");
        }
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false", "monitor.genres.alert.significance", "1",
                "monitor.genres.alert.min.events", "10")) {
            window(t, 0, 2, 0);
            window(t, 1, 50, 50);   // closes [0, 1m): 2 events < alert.min.events
            assertThat(t.alerts()).isEmpty();
        }
    }

    @Test
    void theEffectIsTheExcessOverTheNoDriftExpectation() {
        // 60 a, 40 b: JS distance ~0.072 bits, about 0.02 of it noise: a threshold of 0.06 fires on
        // the raw distance but not on its excess over the no-drift expectation.
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false",
                "monitor.genres.alert.js_distance.warning", "0.06", "monitor.genres.alert.effect", "raw")) {
            window(t, 0, 60, 40);
            window(t, 1, 50, 50);
            final DivergenceEvent event = t.events().get(0);
            assertThat(event.getJsDistance()).isGreaterThan(0.06);
            assertThat(event.getJsDistance() - event.getNoDrift().getJsDistance().getExpected()).isLessThan(0.06);
            assertThat(event.getGPValue()).isLessThan(0.05);
            final List<DriftAlert> alerts = t.alerts();
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).getEffect()).isEqualTo(event.getJsDistance());
            assertThat(alerts.get(0).getExpected()).isNull();
        }
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false",
                "monitor.genres.alert.js_distance.warning", "0.06")) {
            window(t, 0, 60, 40);
            window(t, 1, 50, 50);
            assertThat(t.alerts()).isEmpty();
        }
    }

    @Test
    void pValuesOfTheSeriesClosedTogetherAreCorrectedTogether() {
        // 20 series (by country) in one window: 19 quiet (p = 1) and one with a 63 / b 37, whose
        // G = 2 (63 ln 1.26 + 37 ln 0.74) = 6.84, p = 0.0089: below 0.05 alone, not among 20.
        for (final String correction : List.of("none", "bh", "bonferroni")) {
            try (TopologyHarness t = new TopologyHarness(TopologyHarness.jsonMonitor("genres", "genre",
                    "monitor.genres.segment.fields", "country", "monitor.genres.alert.change", "false",
                    "monitor.genres.alert.js_distance.warning", "0.01", "monitor.genres.alert.correction", correction))) {
                final List<String> countries = new ArrayList<>();
                for (int c = 0; c < 20; c++) {
                    countries.add(String.format("c%02d", c));
                }
                for (final String country : countries) {
                    t.reference("genres|country=" + country, 0, Map.of("a", 1.0, "b", 1.0));
                    final int a = country.equals("c07") ? 63 : 50;
                    for (int i = 0; i < 100; i++) {
                        t.json(S, "{\"genre\":\"" + (i < a ? "a" : "b") + "\",\"country\":\"" + country + "\"}");
                    }
                }
                t.json(M, "{\"genre\":\"a\",\"country\":\"c00\"}");   // closes [0, 1m) for all 20
                final List<DivergenceEvent> events = t.events();
                assertThat(events).hasSize(20).allSatisfy(e -> assertThat(e.getGPValueFamilySize()).isEqualTo(20));
                final DivergenceEvent drifted = events.stream().filter(e -> e.getSeriesId().endsWith("c07")).findFirst().orElseThrow();
                assertThat(drifted.getGPValue()).isCloseTo(0.0089, within(1e-4));
                final double p = drifted.getGPValue();
                // Hand-computed: with one p-value below 19 ones, BH's adjusted value is min(1, 20 p / 1)
                // (rank 1 of 20), and so is Bonferroni's; the quiet ones stay 1.
                final double expected = correction.equals("none") ? p : Math.min(1, 20 * p);
                assertThat(drifted.getGPValueAdjusted()).isCloseTo(expected, within(1e-15));
                assertThat(events).filteredOn(e -> e != drifted).allSatisfy(e -> assertThat(e.getGPValueAdjusted()).isEqualTo(1.0));
                assertThat(t.alerts()).as(correction).hasSize(correction.equals("none") ? 1 : 0);
            }
        }
    }

    @Test
    void withSeveralPartitionsAFamilyIsTheSeriesOfOnePartition() {
        // partitions=4: each task closes the series of one partition of the observations
        // repartition topic; the test driver's one task corrects the same families.
        try (TopologyHarness t = new TopologyHarness(TopologyHarness.jsonMonitor("genres", "genre",
                "monitor.genres.segment.fields", "country", "partitions", "4"))) {
            final Map<Integer, Integer> sizes = new java.util.TreeMap<>();
            for (int c = 0; c < 12; c++) {
                final String country = "c" + c;
                final String series = "genres|country=" + country;
                // Kafka's default partitioner of a String key, computed here independently.
                final int partition = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils
                        .murmur2(series.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 4;
                sizes.merge(partition, 1, Integer::sum);
                t.reference(series, 0, Map.of("a", 1.0, "b", 1.0));
                t.json(S, "{\"genre\":\"a\",\"country\":\"" + country + "\"}");
            }
            assertThat(sizes).as("the 12 series fall in more than one partition").hasSizeGreaterThan(1);
            t.json(M, "{\"genre\":\"a\",\"country\":\"c0\"}");   // closes [0, 1m)
            final List<DivergenceEvent> events = t.events();
            assertThat(events).hasSize(12);
            for (final DivergenceEvent event : events) {
                final int partition = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils
                        .murmur2(event.getSeriesId().getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 4;
                assertThat(event.getGPValueFamilySize()).as(event.getSeriesId()).isEqualTo(sizes.get(partition));
            }
        }
    }

    @Test
    void aSeriesThatFallsSilentRaisesNoDataUntilItIsBack() {
        try (TopologyHarness t = new TopologyHarness(TopologyHarness.jsonMonitor("genres", "genre",
                "monitor.genres.segment.fields", "country", "monitor.genres.alert.change", "false",
                "idle.timeout", "off"))) {
            for (int minute = 0; minute < 8; minute++) {
                for (final String country : List.of("fr", "us")) {
                    // us is silent in [1m, 3m); fr closes every window.
                    if (country.equals("fr") || minute < 1 || minute >= 3) {
                        t.json(minute * M + S, "{\"genre\":\"a\",\"country\":\"" + country + "\"}");
                    }
                }
            }
            t.json(8 * M, "{\"genre\":\"a\",\"country\":\"fr\"}");   // closes [7m, 8m)
            final List<DivergenceEvent> us = t.events().stream().filter(e -> e.getSeriesId().endsWith("us")).toList();
            assertThat(us).extracting(e -> e.getNoData()).containsExactly(false, true, true, false, false, false, false, false);
            // Silent at 1m: FIRING at once (alert.for = 1); back at 3m; three windows with data: RESOLVED at 5m.
            assertThat(t.alerts()).filteredOn(a -> a.getKind() == AlertKind.NO_DATA).extracting(AlertLifecycleTest::describe)
                    .containsExactly("1 NO_DATA FIRING WARNING started 1 trigger 1 windows 1",
                            "5 NO_DATA RESOLVED WARNING started 1 trigger 1 windows 3");
        }
    }

    /**
     * Issue 16, nineteenth pass: a firing alert that can neither remind (alert.repeat 0) nor
     * escalate (no-data fires at WARNING only) writes nothing while it holds: on the Zipf bench
     * the no-data alerts of silent series were a quarter of the changelog, a record per window.
     */
    @Test
    void aFiringAlertThatCanNeitherRemindNorEscalateWritesNothingWhileItHolds() {
        try (TopologyHarness t = new TopologyHarness(TopologyHarness.jsonMonitor("genres", "genre",
                "monitor.genres.segment.fields", "country", "monitor.genres.alert.change", "false",
                "idle.timeout", "off"))) {
            final String store = DivergentTopology.alertStore("genres");
            for (int minute = 0; minute < 10; minute++) {
                for (final String country : List.of("fr", "us")) {
                    // us is silent in [1m, 6m); fr closes every window.
                    if (country.equals("fr") || minute < 1 || minute >= 6) {
                        t.json(minute * M + S, "{\"genre\":\"a\",\"country\":\"" + country + "\"}");
                    }
                }
                if (minute == 5) {
                    // [1m, 5m) closed silent: the FIRING status, written once.
                    assertThat(t.changelogRecords(store)).as("after four silent windows").isEqualTo(1);
                }
            }
            t.json(10 * M, "{\"genre\":\"a\",\"country\":\"fr\"}");   // closes [9m, 10m)
            // Silent at 1m: FIRING; silent to 5m: held, unwritten; back at 6m: 1, 2 of 3 (written), RESOLVED at 8m.
            assertThat(t.alerts()).filteredOn(a -> a.getKind() == AlertKind.NO_DATA).extracting(AlertLifecycleTest::describe)
                    .containsExactly("1 NO_DATA FIRING WARNING started 1 trigger 1 windows 1",
                            "8 NO_DATA RESOLVED WARNING started 1 trigger 1 windows 3");
            assertThat(t.changelogRecords(store)).as("FIRING, the two false windows, the delete").isEqualTo(4);
        }
    }

    /** Without reminders an alert below its rule's highest severity still counts its streak: the escalation tells it. */
    @Test
    void withoutRemindersTheEscalationTellsTheWholeStreak() {
        try (TopologyHarness t = harness("monitor.genres.alert.change", "false",
                "monitor.genres.alert.js_distance.warning", "0.1", "monitor.genres.alert.js_distance.critical", "0.4")) {
            window(t, 0, 80, 20);   // [0, 1m): JS distance 0.27 bits, ~0.23 beyond noise: warning
            window(t, 1, 80, 20);   // closes [0, 1m): FIRING WARNING
            window(t, 2, 80, 20);   // closes [1m, 2m): held (2 windows)
            window(t, 3, 100, 0);   // closes [2m, 3m): held (3 windows); [3m, 4m) JS distance 0.56: critical
            window(t, 4, 100, 0);   // closes [3m, 4m): escalated (4 windows)
            window(t, 5, 100, 0);   // closes [4m, 5m): held at the highest severity
            assertThat(t.alerts()).extracting(AlertLifecycleTest::describe).containsExactly(
                    "0 THRESHOLD FIRING WARNING started 0 trigger 0 windows 1",
                    "3 THRESHOLD FIRING CRITICAL started 0 trigger 0 windows 4");
        }
    }

    @Test
    void theBenjaminiHochbergStepUpAcrossSeries() {
        // Three series in one window with p-values p1 < p2 < p3: adjusted p3 = p3,
        // p2 = min(p3, 3 p2 / 2), p1 = min(that, 3 p1): the step-up, recomputed from the events.
        try (TopologyHarness t = new TopologyHarness(TopologyHarness.jsonMonitor("genres", "genre",
                "monitor.genres.segment.fields", "country", "monitor.genres.alert.change", "false"))) {
            final Map<String, Integer> aOf = Map.of("de", 60, "fr", 62, "us", 58);
            for (final Map.Entry<String, Integer> e : aOf.entrySet()) {
                t.reference("genres|country=" + e.getKey(), 0, Map.of("a", 1.0, "b", 1.0));
                for (int i = 0; i < 100; i++) {
                    t.json(S, "{\"genre\":\"" + (i < e.getValue() ? "a" : "b") + "\",\"country\":\"" + e.getKey() + "\"}");
                }
            }
            t.json(M, "{\"genre\":\"a\",\"country\":\"de\"}");   // closes [0, 1m)
            final List<DivergenceEvent> events = new ArrayList<>(t.events());
            events.sort(Comparator.comparingDouble(DivergenceEvent::getGPValue));
            final double p1 = events.get(0).getGPValue();
            final double p2 = events.get(1).getGPValue();
            final double p3 = events.get(2).getGPValue();
            assertThat(p1).isLessThan(p2);
            assertThat(p2).isLessThan(p3);
            final double a3 = p3;
            final double a2 = Math.min(a3, 3 * p2 / 2);
            final double a1 = Math.min(a2, 3 * p1);
            assertThat(events).extracting(DivergenceEvent::getGPValueAdjusted).containsExactly(a1, a2, a3);
        }
    }

    @Test
    void theChangeDetectorSeesASmallPersistentDriftNoWindowShowsAndResolves() {
        // 60 a / 40 b every window: G = 4.03, p = 0.0448, JS distance 0.072 bits (0.03 beyond noise):
        // no threshold fires (default: 0.1 beyond noise); the CUSUM of z = 1.70 per window does.
        final Cusum cusum = Cusum.DEFAULTS;
        try (TopologyHarness t = harness()) {
            int minute = 0;
            double s = 0;
            int alarmAt = -1;
            while (alarmAt < 0 && minute < 60) {
                window(t, minute, 60, 40);   // closes the window before; this one slightly drifted
                minute++;
                final double z = NormalDistribution.of(0, 1).inverseSurvivalProbability(0.04477);
                s = Math.min(cusum.cap(), Math.max(0, s + z - cusum.k()));
                if (s >= cusum.h()) {
                    alarmAt = minute - 1;
                }
            }
            assertThat(alarmAt).as("the hand-stepped CUSUM alarms").isPositive();
            window(t, minute, 50, 50);       // closes the alarm window
            window(t, minute + 1, 50, 50);   // closes a quiet one (p = 1, score -8): S falls to 0
            window(t, minute + 2, 50, 50);   // closes the second quiet one
            window(t, minute + 3, 50, 50);   // closes the third: RESOLVED (alert.resolve.after = 3)
            window(t, minute + 4, 50, 50);
            final List<DivergenceEvent> events = t.events();
            assertThat(events.get(0).getGPValue()).isCloseTo(0.04477, within(1e-5));
            assertThat(t.alerts()).extracting(AlertLifecycleTest::describe).containsExactly(
                    alarmAt + " CHANGE FIRING WARNING started " + alarmAt + " trigger " + alarmAt + " windows 1",
                    (alarmAt + 3) + " CHANGE RESOLVED WARNING started " + alarmAt + " trigger " + alarmAt + " windows 3");
            assertThat(events.get(alarmAt).getChangeStatistic()).isGreaterThanOrEqualTo(cusum.h());
            assertThat(events.get(alarmAt - 1).getChangeStatistic()).isLessThan(cusum.h());
            assertThat(events.get(alarmAt + 1).getChangeStatistic()).isZero();
            assertThat(t.storeSize(DivergentTopology.alertStore("genres"))).as("nothing left to remember").isZero();
        }
    }
}
