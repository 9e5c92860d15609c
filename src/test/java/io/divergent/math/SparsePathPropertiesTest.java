package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The sparse paths (a window small next to a reused reference, alpha = 0, issue 16) against the
 * full O(K) paths: {@link DivergenceCalculator#computeSparse} vs {@link DivergenceCalculator#computeFull}
 * and {@link NoDriftCalibrator#calibrateSparse} vs {@link NoDriftCalibrator#calibrateFull}, field
 * by field. Exact for counts, df, flags, methods, replicates and the top contributors; doubles
 * within {@link #RELATIVE} relative or {@link #ABSOLUTE} absolute (the tolerance the Javadoc states),
 * p-values of asymptotic tails within {@link #P_RELATIVE} relative. Measured over 3,000 random cases:
 * the measures differ by at most 1 ulp, the p-values by at most 6.5e-14 relative.
 *
 * <p>References of 1 to 2,000 categories with tied, tiny (down to 1e-300), zero and large
 * weights; windows inside Q, disjoint from it, overlapping, or holding all of Q, of sizes around
 * K / {@value DivergenceCalculator#SPARSE_RATIO}; 0 to 20 top contributors.
 */
class SparsePathPropertiesTest {

    private static final double RELATIVE = 1e-13;
    private static final double ABSOLUTE = 1e-16;
    /**
     * p-values from asymptotic tails multiply the statistic's 1-ulp difference by the tail's
     * slope, {@code |d ln S / d ln x|}: up to a few hundred for p just above 1e-16 and df = 2,000.
     */
    private static final double P_RELATIVE = 1e-11;

    enum Layout { INSIDE, DISJOINT, OVERLAP, ALL_OF_Q }

    enum Weights { SMALL_COUNTS, TIES, TINY, MIXED }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Property(tries = 300)
    void sparseDivergenceEqualsFull(@ForAll @IntRange(min = 1, max = 2000) final int k,
                                    @ForAll("seeds") final long seed, @ForAll final Layout layout,
                                    @ForAll final Weights weights,
                                    @ForAll @IntRange(min = 0, max = 20) final int top) {
        final SplittableRandom random = new SplittableRandom(seed);
        final Histogram reference = reference(k, weights, random);
        final Histogram window = window(reference, layout, random, false);
        for (final Unit unit : Unit.values()) {
            final DivergenceCalculator calculator = DivergenceCalculator.withDefaults().withUnit(unit).withTopContributors(top);
            final Divergence full = calculator.computeFull(window, reference);
            assertSame(calculator.computeSparse(window, reference), full);
            assertSame(calculator.compute(window, reference), full);
            Statistics.label("kl").collect(full.klPq() == Double.POSITIVE_INFINITY, full.klQp() == Double.POSITIVE_INFINITY);
        }
    }

    @Property(tries = 200)
    void sparseCalibrationEqualsFull(@ForAll @IntRange(min = 1, max = 2000) final int k,
                                     @ForAll("seeds") final long seed, @ForAll final Layout layout,
                                     @ForAll final Weights weights, @ForAll final boolean largeCounts) {
        final SplittableRandom random = new SplittableRandom(seed);
        final Histogram reference = reference(k, weights, random);
        final Histogram window = window(reference, layout, random, largeCounts);
        final NoDriftCalibrator calibrator = NoDriftCalibrator.instance();
        final Unit unit = random.nextBoolean() ? Unit.BITS : Unit.NATS;
        final NoDrift full = calibrator.calibrateFull(window, reference, BaselineKind.FIXED, 0.0, unit, seed);
        Statistics.label("method").collect(full.jsDivergence().method(), full.lInfinity().method());
        assertSame(calibrator.calibrateSparse(window, reference, unit, seed), full);
        assertSame(calibrator.calibrate(window, reference, BaselineKind.FIXED, 0.0, unit, seed), full);
    }

    /**
     * Two vanished categories whose weights differ but whose JS terms round to the same subnormal
     * value (2 units of 4.9e-324): the earlier name must win the last place, as in the full pass,
     * though it comes second by weight.
     */
    @Example
    void vanishedCategoriesTiedInTheirJsTermRankByName() {
        final double unit = Double.MIN_VALUE;
        final Histogram reference = Histogram.ofSorted(new String[] {"a", "z0", "z1"}, new double[] {1, 5 * unit, 6 * unit});
        final Histogram window = Histogram.ofSorted(new String[] {"a"}, new double[] {1});
        final DivergenceCalculator calculator = DivergenceCalculator.withDefaults().withTopContributors(1);
        final Divergence full = calculator.computeFull(window, reference);
        assertThat(full.topContributors()).extracting(Contribution::category).containsExactly("z0");
        assertSame(calculator.computeSparse(window, reference), full);
    }

    /**
     * Ties at a JS term of 0 (categories of weight 0 on one side) rank by the position in the
     * union: the vanished 'c' comes after the window's own 'a' and 'b', not at its position in Q.
     */
    @Example
    void vanishedCategoriesRankByTheirPlaceInTheUnion() {
        final Histogram reference = Histogram.ofSorted(new String[] {"c", "x"}, new double[] {0, 1});
        final Histogram window = Histogram.ofSorted(new String[] {"a", "b", "x"}, new double[] {0, 0, 1});
        final DivergenceCalculator calculator = DivergenceCalculator.withDefaults().withTopContributors(3);
        final Divergence full = calculator.computeFull(window, reference);
        assertThat(full.topContributors()).extracting(Contribution::category).containsExactly("a", "b", "c");
        assertSame(calculator.computeSparse(window, reference), full);
    }

    /** Q's categories {@code c00000..} spaced by 2 (so that a window can fall between them). */
    private static Histogram reference(final int k, final Weights kind, final SplittableRandom random) {
        final String[] names = new String[k];
        final double[] values = new double[k];
        for (int i = 0; i < k; i++) {
            names[i] = name(2 * i + 1);
            values[i] = switch (kind) {
                case SMALL_COUNTS -> 1 + random.nextInt(1000);
                case TIES -> 1 + random.nextInt(3);
                case TINY -> random.nextInt(4) == 0 ? 1e-300 * (1 + random.nextInt(5)) : 1 + random.nextInt(10);
                case MIXED -> switch (random.nextInt(5)) {
                    case 0 -> 0.0;
                    case 1 -> Math.pow(10, -random.nextInt(20));
                    case 2 -> 1e6 * random.nextDouble();
                    default -> random.nextInt(50);
                };
            };
        }
        if (k > 0 && kind == Weights.MIXED) {
            values[random.nextInt(k)] = 1 + random.nextInt(10);
        }
        return Histogram.ofSorted(names, values);
    }

    /** About K / 8 categories (from a fifth to twice that), small counts or, if asked, large ones. */
    private static Histogram window(final Histogram reference, final Layout layout, final SplittableRandom random,
                                    final boolean largeCounts) {
        final int k = reference.size();
        final int target = Math.max(1, (int) Math.round(k / (double) DivergenceCalculator.SPARSE_RATIO
                * (0.2 + 1.8 * random.nextDouble())));
        final Histogram.Builder window = Histogram.builder();
        final int n = layout == Layout.ALL_OF_Q ? k : target;
        for (int e = 0; e < n; e++) {
            final int slot;
            switch (layout) {
                case INSIDE -> slot = 2 * random.nextInt(k) + 1;
                case DISJOINT -> slot = 2 * random.nextInt(k + 1);
                case OVERLAP -> slot = random.nextInt(2 * k + 2);
                default -> slot = 2 * e + 1;
            }
            final double count = largeCounts ? 500 + random.nextInt(5000)
                    : random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3);
            window.add(name(slot), count);
        }
        final Histogram built = window.build();
        return built.total() > 0 ? built : Histogram.builder().add(name(2 * random.nextInt(k + 1)), 1).build();
    }

    private static String name(final int slot) {
        return String.format(Locale.ROOT, "c%05d", slot);
    }

    private static void assertSame(final Divergence actual, final Divergence expected) {
        assertThat(actual.categories()).isEqualTo(expected.categories());
        assertThat(actual.gDegreesOfFreedom()).isEqualTo(expected.gDegreesOfFreedom());
        assertThat(actual.gTest()).isEqualTo(expected.gTest());
        assertThat(actual.klInfinite()).isEqualTo(expected.klInfinite());
        assertThat(actual.unit()).isEqualTo(expected.unit());
        assertThat(actual.topContributors()).isEqualTo(expected.topContributors());
        final List<String> fields = new ArrayList<>();
        final List<ToDoubleFunction<Divergence>> getters = List.of(Divergence::alpha, Divergence::observedTotal,
                Divergence::referenceTotal, Divergence::klPq, Divergence::klQp, Divergence::psi,
                Divergence::jsDivergence, Divergence::jsDistance, Divergence::entropyP, Divergence::entropyQ,
                Divergence::crossEntropyPq, Divergence::hellinger, Divergence::totalVariation,
                Divergence::lInfinity, Divergence::gStatistic, Divergence::gPValue, Divergence::unseenMass,
                Divergence::missingMass);
        final String[] names = {"alpha", "observedTotal", "referenceTotal", "klPq", "klQp", "psi", "jsDivergence",
            "jsDistance", "entropyP", "entropyQ", "crossEntropyPq", "hellinger", "totalVariation", "lInfinity",
            "gStatistic", "gPValue", "unseenMass", "missingMass"};
        for (int f = 0; f < getters.size(); f++) {
            final double a = getters.get(f).applyAsDouble(actual);
            final double e = getters.get(f).applyAsDouble(expected);
            if (!close(a, e, "gPValue".equals(names[f]) ? P_RELATIVE : RELATIVE)) {
                fields.add(names[f] + ": " + a + " != " + e);
            }
        }
        assertThat(fields).as("fields beyond the tolerance").isEmpty();
    }

    private static void assertSame(final NoDrift actual, final NoDrift expected) {
        assertThat(actual.observedTotal()).isEqualTo(expected.observedTotal());
        assertThat(actual.baselineTotal()).isEqualTo(expected.baselineTotal());
        assertThat(actual.categories()).isEqualTo(expected.categories());
        assertThat(actual.replicates()).isEqualTo(expected.replicates());
        assertThat(actual.unit()).isEqualTo(expected.unit());
        final NoDrift.Value[] a = {actual.jsDivergence(), actual.jsDistance(), actual.hellinger(),
            actual.totalVariation(), actual.lInfinity()};
        final NoDrift.Value[] e = {expected.jsDivergence(), expected.jsDistance(), expected.hellinger(),
            expected.totalVariation(), expected.lInfinity()};
        for (int v = 0; v < a.length; v++) {
            assertThat(a[v].method()).isEqualTo(e[v].method());
            assertThat(close(a[v].observed(), e[v].observed(), RELATIVE)).as("observed %d: %s vs %s", v, a[v], e[v]).isTrue();
            assertThat(close(a[v].expected(), e[v].expected(), RELATIVE)).as("expected %d: %s vs %s", v, a[v], e[v]).isTrue();
            assertThat(close(a[v].pValue(), e[v].pValue(), P_RELATIVE)).as("p-value %d: %s vs %s", v, a[v], e[v]).isTrue();
        }
    }

    static boolean close(final double a, final double e, final double relative) {
        if (a == e) {
            return true;
        }
        final double d = Math.abs(a - e);
        return d <= ABSOLUTE || d <= relative * Math.max(Math.abs(a), Math.abs(e));
    }
}
