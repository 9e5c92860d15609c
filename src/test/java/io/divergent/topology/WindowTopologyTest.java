package io.divergent.topology;

import io.divergent.avro.ContributionDirection;
import io.divergent.avro.Contributor;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.GTestKind;
import io.divergent.avro.ReferenceKind;
import io.divergent.math.BaselineKind;
import io.divergent.math.Divergence;
import io.divergent.math.DivergenceCalculator;
import io.divergent.math.Histogram;
import io.divergent.math.Unit;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Windows, stream time, references and baselines on the production topology. Timestamps are
 * fixed; each input says what it does to its window. S = 1,000 ms.
 */
class WindowTopologyTest {

    private static final long S = 1_000;

    private static Histogram h(final Map<String, ? extends Number> weights) {
        return Histogram.of(weights);
    }

    private static void assertMeasures(final DivergenceEvent event, final Divergence expected) {
        assertThat(event.getKlPq()).isEqualTo(expected.klPq());
        assertThat(event.getKlQp()).isEqualTo(expected.klQp());
        assertThat(event.getJsDivergence()).isEqualTo(expected.jsDivergence());
        assertThat(event.getJsDistance()).isEqualTo(expected.jsDistance());
        assertThat(event.getEntropyP()).isEqualTo(expected.entropyP());
        assertThat(event.getEntropyQ()).isEqualTo(expected.entropyQ());
        assertThat(event.getPsi()).isEqualTo(expected.psi());
        assertThat(event.getHellinger()).isEqualTo(expected.hellinger());
        assertThat(event.getTotalVariation()).isEqualTo(expected.totalVariation());
        assertThat(event.getLInfinity()).isEqualTo(expected.lInfinity());
        assertThat(event.getGStatistic()).isEqualTo(expected.gStatistic());
        assertThat(event.getGDf()).isEqualTo(expected.gDegreesOfFreedom());
        assertThat(event.getGPValue()).isEqualTo(expected.gPValue());
    }

    @Test
    void tumblingWindowMatchesTheGoldenMovieGenresCase() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("action", 3.0, "comedy", 4.0, "drama", 2.0, "horror", 1.0)); // reference as of 0
            t.genre(1 * S, "action", 40);   // [0, 60s): action 40
            t.genre(2 * S, "comedy", 30);   // [0, 60s): comedy 30
            t.genre(3 * S, "drama", 20);    // [0, 60s): drama 20
            t.genre(59 * S, "horror", 10);  // [0, 60s): horror 10
            assertThat(t.events()).as("nothing closes before stream time reaches 60s").isEmpty();
            t.genre(60 * S, "action", 1);   // opens [60s, 120s), closes [0, 60s)

            final List<DivergenceEvent> events = t.events();
            assertThat(events).hasSize(1);
            final DivergenceEvent e = events.get(0);
            assertThat(e.getSeriesId()).isEqualTo("genres");
            assertThat(e.getWindowStart()).isEqualTo(Instant.ofEpochMilli(0));
            assertThat(e.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(60 * S));
            assertThat(e.getObservedTotal()).isEqualTo(100);
            assertThat(e.getDistinctCategories()).isEqualTo(4);
            assertThat(e.getHasReference()).isTrue();
            assertThat(e.getReference().getKind()).isEqualTo(ReferenceKind.TOPIC);
            assertThat(e.getReference().getTimestamp()).isEqualTo(Instant.ofEpochMilli(0));
            assertThat(e.getUnit()).isEqualTo(io.divergent.avro.Unit.BITS);
            assertThat(e.getSmoothing()).isEqualTo("none");
            // shared/golden/divergence-cases.jsonl, case "movie-genres-as-counts", bits; relative 1e-9.
            assertThat(e.getKlPq()).isCloseTo(0.04150374992788438, within(1e-12));
            assertThat(e.getKlQp()).isCloseTo(0.04150374992788438, within(1e-12));
            assertThat(e.getJsDivergence()).isCloseTo(0.01034030477602398, within(1e-12));
            assertThat(e.getJsDistance()).isCloseTo(0.1016872891566295, within(1e-12));
            assertThat(e.getEntropyP()).isCloseTo(1.8464393446710154, within(1e-12));
            assertThat(e.getCrossEntropyPq()).isCloseTo(1.8879430945989, within(1e-12));
            // psi in nats whatever the unit (issue 13): the golden nats value (= bits 0.0830 * ln 2).
            assertThat(e.getPsi()).isCloseTo(0.05753641449035619, within(1e-12));
            assertThat(e.getHellinger()).isCloseTo(0.08473297452850975, within(1e-12));
            assertThat(e.getTotalVariation()).isCloseTo(0.1, within(1e-12));
            // golden/l-infinity-cases.jsonl: action 0.4 vs 0.3 and comedy 0.3 vs 0.4 both move by 0.1.
            assertThat(e.getLInfinity()).isCloseTo(0.1, within(1e-12));
            assertThat(e.getGStatistic()).isCloseTo(5.7536414490356185, within(1e-9));
            assertThat(e.getGDf()).isEqualTo(3);
            assertThat(e.getGPValue()).isCloseTo(0.12423101879824555, within(1e-12));
            assertThat(e.getKlInfinite()).isFalse();
            assertThat(e.getTopContributors()).isNotEmpty();
            assertThat(e.getTopContributors().get(0).getCategory()).isIn("action", "comedy");
        }
    }

    @Test
    void hoppingWindowsCombinePanesAndStartNoEarlierThanZero() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre",
                "monitor.genres.window.advance", "20s"))) {
            t.genre(5 * S, "a", 1);    // pane [0, 20s): in [0, 60s) only (no window starts before 0)
            t.genre(25 * S, "b", 1);   // pane [20s, 40s): in [0, 60s), [20s, 80s)
            t.genre(45 * S, "a", 1);   // pane [40s, 60s): in [0, 60s), [20s, 80s), [40s, 100s)
            t.genre(65 * S, "c", 1);   // pane [60s, 80s); closes [0, 60s) = {a: 2, b: 1}
            t.genre(85 * S, "c", 1);   // pane [80s, 100s); closes [20s, 80s) = {a: 1, b: 1, c: 1}
            t.genre(105 * S, "d", 1);  // closes [40s, 100s) = {a: 1, c: 2}

            final List<DivergenceEvent> events = t.events();
            assertThat(events).extracting(e -> e.getWindowStart().toEpochMilli() / S, e -> e.getWindowEnd().toEpochMilli() / S)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 60L),
                            org.assertj.core.groups.Tuple.tuple(20L, 80L),
                            org.assertj.core.groups.Tuple.tuple(40L, 100L));
            assertThat(events).extracting(DivergenceEvent::getObservedTotal).containsExactly(3L, 3L, 3L);
            assertThat(events).extracting(DivergenceEvent::getDistinctCategories).containsExactly(2, 3, 2);
            // No reference: entropy of the window only. [40s, 100s) = {a: 1, c: 2}.
            final DivergenceEvent last = events.get(2);
            assertThat(last.getHasReference()).isFalse();
            assertThat(last.getKlPq()).isNull();
            assertThat(last.getEntropyP()).isEqualTo(DivergenceCalculator.withDefaults().entropy(h(Map.of("a", 1, "c", 2))));
            // Panes whose every window closed are gone: left are [60s, 80s), [80s, 100s), [100s, 120s).
            assertThat(t.panes("genres")).containsExactly(60 * S, 80 * S, 100 * S);
        }
    }

    @Test
    void withoutADeadLetterTopicLateAndMalformedRecordsAreCountedInTheMetricsAndWrittenNowhere() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "dead.letter.topic", ""))) {
            t.genre(10 * S, "a", 1);         // [0, 60s)
            t.genre(60 * S, "b", 1);         // closes [0, 60s) = {a: 1}
            t.genre(20 * S, "a", 1);         // late: its only window closed at 60s
            t.json(61 * S, "{\"genre\": ");  // malformed
            t.genre(70 * S, "b", 1);         // [60s, 120s)

            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).containsExactly(1L);
            assertThat(t.metric("late-records-total", "genres")).isEqualTo(1.0);
            assertThat(t.metric("malformed-records-total", "all")).isEqualTo(1.0);  // before any monitor reads it
            assertThat(t.producedTopics()).noneMatch(topic -> topic.contains("dead"));
            t.genre(130 * S, "c", 1);         // closes [60s, 120s) = {b: 2}: the late record counted nowhere
            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).containsExactly(2L);
        }
    }

    @Test
    void graceKeepsWindowsOpenAndLateRecordsAreDeadLettered() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre",
                "monitor.genres.window.grace", "10s"))) {
            t.genre(10 * S, "a", 1);  // [0, 60s)
            t.genre(65 * S, "b", 1);  // [60s, 120s); [0, 60s) stays open until stream time 70s
            t.genre(50 * S, "a", 1);  // out of order but within grace: [0, 60s) now {a: 2}
            assertThat(t.events()).isEmpty();
            t.genre(70 * S, "b", 1);  // stream time 70s = 60s + grace: closes [0, 60s)
            t.genre(55 * S, "a", 1);  // late: its only window closed at 70s

            final List<DivergenceEvent> events = t.events();
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getObservedTotal()).isEqualTo(2);
            final var dead = t.deadLetters();
            assertThat(dead).hasSize(1);
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.KIND)).isEqualTo("late");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.MONITOR)).isEqualTo("genres");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.TOPIC)).isEqualTo("plays");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.OFFSET)).isEqualTo("4");
            assertThat(TopologyHarness.header(dead.get(0), DeadLetter.REASON)).contains("late");
            assertThat(t.metric("late-records-total", "genres")).isEqualTo(1.0);

            t.genre(130 * S, "c", 1);  // closes [60s, 120s) = {b: 2}: the late record counted nowhere
            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).containsExactly(2L);
        }
    }

    @Test
    void referenceArrivingAfterTheEventsButStampedBeforeTheWindowEndIsUsed() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.genre(10 * S, "a", 3);  // [0, 60s): a 3
            t.genre(20 * S, "b", 1);  // [0, 60s): b 1
            t.reference("genres", 30 * S, Map.of("a", 1.0, "b", 1.0)); // arrives late, stamped 30s < 60s
            t.genre(60 * S, "a", 1);  // closes [0, 60s)

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getHasReference()).isTrue();
            assertThat(e.getReference().getTimestamp()).isEqualTo(Instant.ofEpochMilli(30 * S));
            assertMeasures(e, DivergenceCalculator.withDefaults().compute(h(Map.of("a", 3, "b", 1)), h(Map.of("a", 1, "b", 1))));
        }
    }

    @Test
    void referenceReplacedMidStreamIsUsedAsOfEachWindowEnd() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("a", 1.0));                 // v1 from 0
            t.reference("genres", 70 * S, Map.of("a", 1.0, "b", 1.0));  // v2 from 70s
            t.reference("genres", 130 * S, Map.of("b", 1.0));           // v3 from 130s, already known
            t.genre(10 * S, "a", 2);   // [0, 60s)
            t.genre(80 * S, "b", 2);   // [60s, 120s); closes [0, 60s) with v1 (latest < 60s)
            t.genre(150 * S, "b", 1);  // [120s, 180s); closes [60s, 120s) with v2 (latest < 120s)
            t.genre(200 * S, "b", 1);  // closes [120s, 180s) with v3

            final List<DivergenceEvent> events = t.events();
            assertThat(events).extracting(e -> e.getReference().getTimestamp().toEpochMilli())
                    .containsExactly(0L, 70 * S, 130 * S);
            assertThat(events.get(0).getKlPq()).isEqualTo(0.0);
            assertThat(events.get(1).getTotalVariation()).isEqualTo(0.5);
            assertThat(events.get(2).getKlPq()).isEqualTo(0.0);
        }
    }

    /** Issue 16: each task remembers a series' version in force; one published afterwards is seen by the next window. */
    @Test
    void aVersionPublishedAfterAWindowUsedThePreviousOneIsUsedByTheNextWindow() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("a", 1.0));          // v1 from 0
            t.genre(10 * S, "a", 1);   // [0, 60s)
            t.genre(70 * S, "a", 1);   // closes [0, 60s): v1, remembered for the windows after it
            t.reference("genres", 65 * S, Map.of("b", 1.0));     // v2 from 65s, published now
            t.genre(130 * S, "a", 1);  // closes [60s, 120s): v2
            assertThat(t.events()).extracting(e -> e.getReference().getTimestamp().toEpochMilli())
                    .containsExactly(0L, 65 * S);
        }
    }

    @Test
    void tombstoneRemovesTheReferenceFromItsTimestampOn() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("a", 1.0));
            t.tombstone("genres", 60 * S);  // no reference from 60s on
            t.genre(10 * S, "a", 1);   // [0, 60s)
            t.genre(70 * S, "a", 1);   // closes [0, 60s): reference v1
            t.genre(130 * S, "a", 1);  // closes [60s, 120s): after the tombstone, none

            final List<DivergenceEvent> events = t.events();
            assertThat(events).extracting(DivergenceEvent::getHasReference).containsExactly(true, false);
            assertThat(events.get(1).getReference()).isNull();
            assertThat(events.get(1).getJsDistance()).isNull();
        }
    }

    @Test
    void unseenAndMissingCategoriesMakeKlInfiniteAndAreMeasured() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("a", 1.0, "b", 1.0));
            t.genre(10 * S, "a", 3);  // [0, 60s): a 3
            t.genre(20 * S, "c", 1);  // [0, 60s): c 1, unseen by the reference
            t.genre(60 * S, "a", 1);  // closes [0, 60s); b is missing from the window

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getKlInfinite()).isTrue();
            assertThat(e.getKlPq()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(e.getGPValue()).isEqualTo(0.0);
            assertThat(e.getUnseenMass()).isEqualTo(0.25);
            assertThat(e.getMissingMass()).isEqualTo(0.5);
            assertThat(e.getJsDivergence()).isBetween(0.0, 1.0);
            assertThat(e.getCategories()).isEqualTo(3);
            // Ranked by JS term in bits (issue 13): p = (a 3/4, b 0, c 1/4), q = (a 1/2, b 1/2, c 0).
            // b vanished with 1/2 of Q: (0 + 1/2 log2 2) / 2 = 1/4; c is new with 1/4 of P: 1/8;
            // a grew: (3/4 log2(6/5) + 1/2 log2(4/5)) / 2 = 0.0182. By the KL term b scored 0 and ranked last.
            final List<Contributor> top = e.getTopContributors();
            assertThat(top).extracting(Contributor::getCategory).containsExactly("b", "c", "a");
            assertThat(top).extracting(Contributor::getDirection).containsExactly(
                    ContributionDirection.VANISHED, ContributionDirection.NEW, ContributionDirection.GREW);
            assertThat(top.get(0).getJsTerm()).isEqualTo(0.25);
            assertThat(top.get(0).getTerm()).isEqualTo(0.0);
            assertThat(top.get(0).getP()).isEqualTo(0.0);
            assertThat(top.get(0).getQ()).isEqualTo(0.5);
            assertThat(top.get(1).getJsTerm()).isEqualTo(0.125);
            assertThat(top.get(1).getTerm()).isEqualTo(Double.POSITIVE_INFINITY);
            final double log2 = Math.log(2);
            assertThat(top.get(2).getJsTerm()).isCloseTo((0.75 * Math.log(1.2) + 0.5 * Math.log(0.8)) / 2 / log2,
                    within(1e-15));
            assertThat(top.get(0).getJsTerm() + top.get(1).getJsTerm() + top.get(2).getJsTerm())
                    .isCloseTo(e.getJsDivergence(), within(1e-15));
        }
    }

    @Test
    void previousWindowAndLastNBaselines() {
        final Map<String, String> keys = new java.util.LinkedHashMap<>(jsonMonitor("prev", "genre",
                "monitor.prev.reference.mode", "previous"));
        keys.putAll(jsonMonitor("last2", "genre", "monitor.last2.reference.mode", "last-n",
                "monitor.last2.reference.windows", "2"));
        try (TopologyHarness t = new TopologyHarness(keys)) {
            t.genre(10 * S, "a", 2);    // [0, 60s): a 2
            t.genre(70 * S, "b", 2);    // [60s, 120s): b 2; closes [0, 60s) (no past: no reference)
            t.genre(130 * S, "a", 1);   // [120s, 180s): a 1; closes [60s, 120s)
            t.genre(135 * S, "b", 1);   // [120s, 180s): b 1
            t.genre(190 * S, "a", 1);   // closes [120s, 180s)

            final List<DivergenceEvent> events = t.events();
            final List<DivergenceEvent> prev = events.stream().filter(e -> e.getMonitor().equals("prev")).toList();
            final List<DivergenceEvent> last2 = events.stream().filter(e -> e.getMonitor().equals("last2")).toList();
            assertThat(prev).extracting(DivergenceEvent::getHasReference).containsExactly(false, true, true);
            assertThat(prev.get(1).getReference().getKind()).isEqualTo(ReferenceKind.PREVIOUS_WINDOW);
            assertThat(prev.get(1).getReference().getBaselineWindowStarts()).containsExactly(Instant.ofEpochMilli(0));
            assertThat(prev.get(1).getTotalVariation()).isEqualTo(1.0);  // {b} against {a}
            // A past window is a sample: the G-test is of homogeneity (issue 13), every other measure as before.
            assertMeasures(prev.get(2), DivergenceCalculator.withDefaults().compute(h(Map.of("a", 1, "b", 1)), h(Map.of("b", 2)),
                    BaselineKind.SAMPLE));
            assertThat(prev.get(2).getGTest()).isEqualTo(GTestKind.HOMOGENEITY);
            assertThat(prev.get(2).getReference().getSampleSize()).isEqualTo(2.0);
            // last-2 merges [0, 60s) and [60s, 120s) = {a: 2, b: 2} for [120s, 180s) = {a: 1, b: 1}: no drift.
            assertThat(last2.get(2).getReference().getKind()).isEqualTo(ReferenceKind.LAST_N_WINDOWS);
            assertThat(last2.get(2).getReference().getBaselineWindowStarts())
                    .containsExactly(Instant.ofEpochMilli(0), Instant.ofEpochMilli(60 * S));
            assertThat(last2.get(2).getKlPq()).isEqualTo(0.0);
            assertThat(last2.get(2).getReference().getTotalWeight()).isEqualTo(4.0);
        }
    }

    @Test
    void twoMonitorsOnOneTopicAndSegments() {
        final Map<String, String> keys = new java.util.LinkedHashMap<>(jsonMonitor("genres", "genre",
                "monitor.genres.segment.fields", "country"));
        keys.putAll(jsonMonitor("devices", "device", "monitor.devices.unit", "nats"));
        try (TopologyHarness t = new TopologyHarness(keys)) {
            t.json(1 * S, "{\"genre\":\"action\",\"device\":\"tv\",\"country\":\"DE\"}");    // [0, 60s) both monitors
            t.json(2 * S, "{\"genre\":\"drama\",\"device\":\"phone\",\"country\":\"US\"}");  // [0, 60s) both monitors
            t.json(3 * S, "{\"genre\":\"drama\",\"device\":\"tv\",\"country\":\"DE\"}");     // [0, 60s) both monitors
            t.json(60 * S, "{\"genre\":\"drama\",\"device\":\"tv\",\"country\":\"DE\"}");    // closes [0, 60s)

            final List<DivergenceEvent> events = t.events();
            assertThat(events).extracting(DivergenceEvent::getSeriesId)
                    .containsExactlyInAnyOrder("devices", "genres|country=DE", "genres|country=US");
            final DivergenceEvent de = events.stream().filter(e -> e.getSeriesId().equals("genres|country=DE")).findFirst().orElseThrow();
            assertThat(de.getSegments()).containsExactly(Map.entry("country", "DE"));
            assertThat(de.getObservedTotal()).isEqualTo(2);
            final DivergenceEvent devices = events.stream().filter(e -> e.getMonitor().equals("devices")).findFirst().orElseThrow();
            assertThat(devices.getObservedTotal()).isEqualTo(3);
            assertThat(devices.getUnit()).isEqualTo(io.divergent.avro.Unit.NATS);
            assertThat(devices.getEntropyP()).isEqualTo(DivergenceCalculator.withDefaults().withUnit(Unit.NATS)
                    .entropy(h(Map.of("tv", 2, "phone", 1))));
        }
    }

    /**
     * The events of one closing window come out in series-id order, whatever order the series
     * arrived in, and a silent expected series takes its place in that order: the emission order is
     * part of the deterministic output that replay promises.
     */
    @Test
    void aWindowsEventsComeOutInSeriesIdOrder() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "monitor.genres.segment.fields", "country"))) {
            final List<String> countries = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                countries.add(String.format("C%02d", i));
            }
            java.util.Collections.shuffle(countries, new java.util.Random(16));
            for (final String country : countries) {
                t.json(1 * S, "{\"genre\":\"action\",\"country\":\"" + country + "\"}");  // [0, 60s)
            }
            // [60s, 120s): every country but C07, one at a time in another shuffled order
            java.util.Collections.shuffle(countries, new java.util.Random(61));
            for (final String country : countries) {
                if (!country.equals("C07")) {
                    t.json(61 * S, "{\"genre\":\"drama\",\"country\":\"" + country + "\"}"); // the first closes [0, 60s)
                }
            }
            t.json(120 * S, "{\"genre\":\"drama\",\"country\":\"C00\"}");   // closes [60s, 120s): C07 silent
            final List<DivergenceEvent> events = t.events();
            final List<String> first = events.stream().filter(e -> e.getWindowStart().toEpochMilli() == 0)
                    .map(DivergenceEvent::getSeriesId).toList();
            final List<String> second = events.stream().filter(e -> e.getWindowStart().toEpochMilli() == 60 * S)
                    .map(DivergenceEvent::getSeriesId).toList();
            assertThat(first).hasSize(40).isSorted();
            assertThat(second).hasSize(40).isSorted().contains("genres|country=C07");
            assertThat(events.stream().filter(e -> e.getSeriesId().equals("genres|country=C07")
                    && e.getWindowStart().toEpochMilli() == 60 * S).findFirst().orElseThrow().getNoData()).isTrue();
            // Counted per window, each event once; the no-data event on its own metric.
            assertThat(t.metric("windows-emitted-total", "genres")).isEqualTo(79.0);
            assertThat(t.metric("no-data-windows-total", "genres")).isEqualTo(1.0);
        }
    }

    /** Issue 16: the recent-events store is for the HTTP server; without one it is not kept. */
    @Test
    void theRecentEventsStoreExistsOnlyWithAnHttpPort() {
        final Map<String, String> keys = jsonMonitor("genres", "genre");
        keys.put("application.id", "divergent-test-stores");
        keys.put("schema.registry.url", "mock://window-topology-stores");
        final String without = DivergentTopology.build(io.divergent.config.DivergentConfig.fromMap(keys), Map.of(
                "schema.registry.url", "mock://window-topology-stores")).describe().toString();
        keys.put("http.port", "0");
        final String with = DivergentTopology.build(io.divergent.config.DivergentConfig.fromMap(keys), Map.of(
                "schema.registry.url", "mock://window-topology-stores")).describe().toString();
        assertThat(without).doesNotContain(DivergentTopology.RECENT_EVENTS_STORE).contains(DivergentTopology.COMMIT_HOOK,
                DivergentTopology.panesStore("genres"));
        assertThat(with).contains(DivergentTopology.RECENT_EVENTS_STORE);
    }

    @Test
    void closedWindowsLeaveNothingInTheStores() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("a", 1.0));
            t.reference("genres", 10 * S, Map.of("a", 2.0));
            t.genre(10 * S, "a", 1);   // [0, 60s)
            t.genre(20 * S, "b", 1);   // [0, 60s)
            // a and b: the pane's journal, a value per commit (the driver commits after each record), 2 counters
            assertThat(t.storeSize(DivergentTopology.panesStore("genres"))).isEqualTo(2);
            assertThat(t.counters("genres")).isEqualTo(2);
            t.genre(60 * S, "c", 1);   // closes [0, 60s); [60s, 120s) holds c
            assertThat(t.events()).hasSize(1);
            assertThat(t.panes("genres")).containsExactly(60 * S);
            assertThat(t.storeSize(DivergentTopology.panesStore("genres"))).isEqualTo(1);
            assertThat(t.counters("genres")).isEqualTo(1);
            // Both reference versions stay: the global store keeps each series' most recent ones.
            assertThat(t.storeSize(DivergentTopology.REFERENCE_STORE)).isEqualTo(2);
        }
    }

    @Test
    void theReferenceStoreKeepsEachSeriesMostRecentVersionsAndWindowsUseTheLatestBeforeTheirEnd() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            final int published = ReferenceProcessor.VERSIONS_KEPT + 3;
            for (int i = published - 1; i >= 0; i--) {
                t.reference("genres", i * S, Map.of("a", 1.0 + i));   // versions at 0s..18s, newest first
            }
            t.reference("other", 0, Map.of("a", 1.0));               // another series' version is kept apart
            assertThat(t.storeSize(DivergentTopology.REFERENCE_STORE)).isEqualTo(ReferenceProcessor.VERSIONS_KEPT + 1);
            t.genre(30 * S, "a", 1);    // [0, 60s)
            t.genre(60 * S, "a", 1);    // closes [0, 60s): the version of 18s, the latest before 60s
            assertThat(t.events()).extracting(e -> e.getReference().getTimestamp().toEpochMilli())
                    .containsExactly((published - 1) * S);
        }
    }

    @Test
    void aFarFutureRecordIsDeadLetteredAndClosesNothing() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "max.future", "1h"))) {
            t.genre(10 * S, "a", 1);              // [0, 60s)
            t.genre(10 * S + 7_200 * S, "a", 1);  // 2 h ahead: rejected, stream time stays 10s
            assertThat(t.events()).isEmpty();
            assertThat(t.deadLetters()).extracting(r -> TopologyHarness.header(r, DeadLetter.KIND)).containsExactly("future");
            t.genre(60 * S, "a", 1);              // closes [0, 60s) = {a: 1}
            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).containsExactly(1L);
        }
    }

    /** With max.future off, an event time whose window would end beyond Long.MAX_VALUE is refused, not overflowed. */
    @Test
    void anEventTimeWhoseWindowCannotCloseIsRefusedInsteadOfOverflowing() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "max.future", "0"))) {
            t.json(0, "{\"genre\":\"a\",\"ts\":1}");
            t.genre(10 * S, "a", 1);                               // [0, 60s)
            t.genre(Long.MAX_VALUE - 1, "b", 1);                   // its window would end past Long.MAX_VALUE: future
            t.genre(60 * S, "c", 1);                               // closes [0, 60s) = {a: 2}
            assertThat(t.deadLetters()).extracting(r -> TopologyHarness.header(r, DeadLetter.REASON))
                    .singleElement().asString().contains("beyond the last window that can close");
            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).containsExactly(2L);
        }
    }

    /** Before any stream time, the bound is the wall clock (the driver's: now at its creation). */
    @Test
    void aFarFutureFirstRecordIsDeadLetteredInsteadOfMakingEverythingLate() {
        final long future = System.currentTimeMillis() + 7_200 * S;
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "max.future", "1h"))) {
            t.genre(future, "a", 1);              // first record, 2 h ahead of the wall clock: rejected, no stream time
            assertThat(t.deadLetters()).extracting(r -> TopologyHarness.header(r, DeadLetter.REASON))
                    .singleElement().asString().contains("ahead of the wall clock");
            t.genre(10 * S, "a", 1);              // [0, 60s): counted, not late
            t.genre(60 * S, "b", 1);              // closes [0, 60s) = {a: 1}
            assertThat(t.events()).extracting(DivergenceEvent::getObservedTotal).containsExactly(1L);
            assertThat(t.deadLetters()).as("nothing late after it").isEmpty();
        }
    }

    /** Records each less than max.future ahead of stream time cannot walk it past the wall clock's bound. */
    @Test
    void recordsCannotWalkStreamTimeBeyondTheWallClockBound() {
        final long now = System.currentTimeMillis() / (60 * S) * (60 * S);
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "max.future", "1h"))) {
            t.genre(now, "a", 1);                 // [now, now + 60s)
            t.genre(now + 3_000 * S, "a", 1);     // 50 min ahead of stream time and of the clock: counted
            t.genre(now + 6_000 * S, "a", 1);     // 50 min ahead of stream time, 100 min of the clock: rejected
            assertThat(t.deadLetters()).extracting(r -> TopologyHarness.header(r, DeadLetter.REASON))
                    .singleElement().asString().contains("ahead of the wall clock");
        }
    }
}
