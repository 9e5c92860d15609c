package io.divergent.topology;

import io.divergent.avro.ContributionDirection;
import io.divergent.avro.Contributor;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.GTestKind;
import io.divergent.avro.ReferenceInfo;
import io.divergent.avro.ReferenceKind;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ReferenceMode;
import io.divergent.math.BaselineKind;
import io.divergent.math.Contribution;
import io.divergent.math.Divergence;
import io.divergent.math.DivergenceCalculator;
import io.divergent.math.Histogram;
import io.divergent.math.Measure;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the divergence event of one series in one closed window from the divergence core. Every
 * {@link Measure} is written to the event field of its name (the alert rules read it back from
 * there: {@link io.divergent.alert.WindowAlerts}). One instance per monitor; immutable.
 */
final class EventFactory {

    /**
     * What a window is compared with.
     *
     * @param histogram   reference weights
     * @param kind        where it came from
     * @param timestamp   the reference record's timestamp (TOPIC), else null
     * @param pastStarts  starts of the past windows merged (PREVIOUS_WINDOW, LAST_N_WINDOWS)
     * @param weights     what the weights are: past windows are always a {@link BaselineKind#SAMPLE};
     *                    a topic reference is what it declares
     */
    record Baseline(Histogram histogram, ReferenceKind kind, Long timestamp, List<Long> pastStarts,
                    BaselineKind weights) {
        static Baseline fromTopic(final Histogram histogram, final long timestamp, final BaselineKind weights) {
            return new Baseline(histogram, ReferenceKind.TOPIC, timestamp, List.of(), weights);
        }

        static Baseline fromPast(final Histogram histogram, final ReferenceMode mode, final List<Long> starts) {
            return new Baseline(histogram, mode == ReferenceMode.PREVIOUS_WINDOW
                    ? ReferenceKind.PREVIOUS_WINDOW : ReferenceKind.LAST_N_WINDOWS, null, List.copyOf(starts),
                    BaselineKind.SAMPLE);
        }

        /** The same baseline with other weights: the reference folded onto the window's kept categories. */
        Baseline withHistogram(final Histogram folded) {
            return new Baseline(folded, kind, timestamp, pastStarts, weights);
        }
    }

    /**
     * What the category cap folded into {@code __other__} (see {@link CategoryFold}).
     *
     * @param categories          window categories folded that the summaries still named (a lower bound)
     * @param keptCountError      the most a kept category's count can fall short of its true count; 0 = exact
     * @param referenceCategories reference categories folded
     * @param referenceWeight     their raw reference weight
     */
    record Folding(int categories, long keptCountError, int referenceCategories, double referenceWeight) {
        static final Folding NONE = new Folding(0, 0, 0, 0.0);
    }

    private static final List<Measure> MEASURES = List.of(Measure.values());
    private static final int[] FIELD = fieldPositions();
    /** The schema's symbol of each math constant, by ordinal, matched by name once (valueOf per event was a hash lookup each). */
    static final ContributionDirection[] DIRECTION = symbols(Contribution.Direction.values(), ContributionDirection.class);
    static final GTestKind[] G_TEST = symbols(io.divergent.math.GTest.Kind.values(), GTestKind.class);

    private final MonitorConfig monitor;
    private final DivergenceCalculator calculator;
    private final io.divergent.avro.Unit unit;
    private final long monitorSeed;

    EventFactory(final MonitorConfig monitor) {
        this.monitor = monitor;
        this.calculator = DivergenceCalculator.withDefaults()
                .withAlpha(monitor.alpha())
                .withUnit(monitor.unit())
                .withTopContributors(monitor.topContributors());
        this.unit = io.divergent.avro.Unit.valueOf(monitor.unit().name());
        this.monitorSeed = NoDriftFields.monitorSeed(monitor.name());
    }

    /**
     * @param otherCount events folded into {@code __other__} by the category cap
     * @param baseline   the reference, or null when the series has none as of the window end
     */
    DivergenceEvent create(final String series, final long start, final long end, final Histogram observed,
                  final long observedTotal, final long otherCount, final Baseline baseline) {
        return create(series, start, end, observed, observedTotal, otherCount, baseline, Folding.NONE);
    }

    /**
     * @param otherCount events folded into {@code __other__} by the category cap
     * @param baseline   the reference, already folded onto the window's kept categories, or null
     *                   when the series has none as of the window end
     * @param folding    what the fold did on each side
     */
    DivergenceEvent create(final String series, final long start, final long end, final Histogram observed,
                  final long observedTotal, final long otherCount, final Baseline baseline, final Folding folding) {
        final DivergenceEvent event = blank(series, start, end);
        event.setObservedTotal(observedTotal);
        event.setDistinctCategories(observed.size());
        event.setOtherCount(otherCount);
        event.setOtherMass(observedTotal == 0 ? 0.0 : (double) otherCount / observedTotal);
        event.setFoldedCategories(folding.categories());
        event.setKeptCountError(folding.keptCountError());
        if (baseline == null) {
            event.setHasReference(false);
            event.setCategories(observed.size());
            event.setEntropyP(calculator.entropy(observed));
            return event;
        }
        final Divergence d = calculator.compute(observed, baseline.histogram(), baseline.weights());
        final List<Contributor> top = new ArrayList<>(d.topContributors().size());
        for (final Contribution c : d.topContributors()) {
            top.add(new Contributor(c.category(), c.p(), c.q(), c.term(), c.jsTerm(),
                    DIRECTION[c.direction().ordinal()]));
        }
        final List<java.time.Instant> pastStarts = new ArrayList<>(baseline.pastStarts().size());
        for (final Long pastStart : baseline.pastStarts()) {
            pastStarts.add(java.time.Instant.ofEpochMilli(pastStart));
        }
        final ReferenceInfo reference = new ReferenceInfo();
        reference.setKind(baseline.kind());
        reference.setTimestamp(baseline.timestamp() == null ? null : java.time.Instant.ofEpochMilli(baseline.timestamp()));
        reference.setBaselineWindowStarts(pastStarts);
        reference.setTotalWeight(baseline.histogram().total());
        reference.setDistinctCategories(baseline.histogram().size());
        reference.setSampleSize(baseline.weights() == BaselineKind.SAMPLE ? baseline.histogram().total() : null);
        event.setHasReference(true);
        event.setReference(reference);
        event.setCategories(d.categories());
        event.setGDf(d.gDegreesOfFreedom());
        event.setGTest(G_TEST[d.gTest().ordinal()]);
        event.setKlInfinite(d.klInfinite());
        event.setTopContributors(top);
        event.setReferenceFoldedCategories(folding.referenceCategories());
        event.setReferenceFoldedWeight(folding.referenceWeight());
        event.setNoDrift(NoDriftFields.of(series, start, observed, baseline, monitor.alpha(), monitor.unit(),
                monitorSeed));
        final double referenceTotal = baseline.histogram().total();
        event.setReferenceFoldedMass(referenceTotal == 0 ? 0.0 : folding.referenceWeight() / referenceTotal);
        for (final Measure measure : MEASURES) {
            event.put(FIELD[measure.ordinal()], measure.of(d));
        }
        return event;
    }

    /**
     * An event with the fields every event has set; the others hold the Java zero value of
     * their type (null, 0, false), which is each one's schema default
     * ({@code EventFactoryTest.everyFieldLeftUnsetHoldsItsSchemaDefault}). Built without Avro's
     * builder: {@code build()} deep-copies the schema default of every field not set, about
     * thirty per event, and was 3% of the window thread (issue 16).
     */
    private DivergenceEvent blank(final String series, final long start, final long end) {
        final DivergenceEvent event = new DivergenceEvent();
        event.setSeriesId(series);
        event.setMonitor(monitor.name());
        event.setSegments(SeriesId.segmentsOf(series));
        event.setWindowStart(java.time.Instant.ofEpochMilli(start));
        event.setWindowEnd(java.time.Instant.ofEpochMilli(end));
        event.setUnit(unit);
        event.setSmoothing(monitor.alpha() > 0 ? "additive" : "none");
        event.setAlpha(monitor.alpha());
        event.setTopContributors(new ArrayList<>());
        return event;
    }

    /**
     * The event of an expected series that had no event in the window ({@code no_data} true):
     * observed total 0, no reference and no measure (entropy_p and categories 0, the nullable
     * measures null). The no-data alert is raised downstream, on {@code no_data}. The caller
     * sets the volume fields, as on every event.
     */
    DivergenceEvent noData(final String series, final long start, final long end) {
        final DivergenceEvent event = blank(series, start, end);
        event.setObservedTotal(0L);
        event.setDistinctCategories(0);
        event.setHasReference(false);
        event.setCategories(0);
        event.setEntropyP(0.0);
        event.setNoData(true);
        return event;
    }

    /**
     * The schema enum's symbols for a math enum's constants, indexed by ordinal, matched by name.
     * A constant without a symbol of its name fails the class's initialisation (as its first event would have).
     */
    @SuppressWarnings("unchecked")
    static <E extends Enum<E>> E[] symbols(final Enum<?>[] constants, final Class<E> schemaEnum) {
        final E[] symbols = (E[]) java.lang.reflect.Array.newInstance(schemaEnum, constants.length);
        for (final Enum<?> constant : constants) {
            symbols[constant.ordinal()] = Enum.valueOf(schemaEnum, constant.name());
        }
        return symbols;
    }

    /** Each measure's field position in the event, by ordinal: resolved once, read without a lookup. */
    private static int[] fieldPositions() {
        final Schema schema = DivergenceEvent.getClassSchema();
        final int[] positions = new int[MEASURES.size()];
        for (final Measure measure : MEASURES) {
            final Schema.Field field = schema.getField(measure.field());
            if (field == null) {
                throw new IllegalStateException("DivergenceEvent has no field for measure '" + measure.field()
                        + "': add it to schemas/DivergenceEvent.avsc");
            }
            positions[measure.ordinal()] = field.pos();
        }
        return positions;
    }
}
