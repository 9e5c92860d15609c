package io.divergent.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.divergent.math.BaselineKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * Expected-under-no-drift values of {@link NoDriftCalibrator} against a brute-force simulation:
 * the mean of 10,000 seeded multinomial windows, each scored by {@link DivergenceCalculator}
 * (an independent implementation of the distances), L-infinity from its definition; calibration
 * of the p-values by a no-drift simulation; determinism; the regimes and edge cases.
 *
 * <p>Tolerance of the expected values: 7% relative for the JS divergence, 5% for the distances.
 * Largest deviations seen: 6.2% (JS divergence, chi-square, N = 30, K = 2: the chi-square mean
 * (K - 1) / (8 N) misses the O(1/N^2) term), 4.1% (Hellinger, chi-square fallback at N = 1,000,
 * K = 50 with expected counts down to 0.8), at most 2% wherever the multinomial simulation is used
 * (its own Monte Carlo error with 100-1,000 replicates).
 */
class NoDriftCalibratorTest {

    private static final NoDriftCalibrator CALIBRATOR = NoDriftCalibrator.instance();
    private static final int SIMULATED = 10_000;

    static List<Arguments> sizes() {
        final List<Arguments> cases = new ArrayList<>();
        for (final int n : new int[] {30, 100, 1_000}) {
            for (final int k : new int[] {2, 5, 50}) {
                cases.add(Arguments.of(n, k, BaselineKind.FIXED));
                if (k == 5) {
                    // A sample baseline doubles the draws: one K is enough to check N_eff and the pooled null.
                    cases.add(Arguments.of(n, k, BaselineKind.SAMPLE));
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "N={0} K={1} {2}")
    @MethodSource("sizes")
    void expectedValuesMatchSimulation(final int n, final int k, final BaselineKind kind) {
        final double[] q = linear(k);
        final Histogram truth = histogram(q, 1.0);
        final SplittableRandom random = new SplittableRandom(1_000L * n + k);
        final double[] sums = new double[5];
        final DivergenceCalculator calculator = DivergenceCalculator.withDefaults().withUnit(Unit.BITS);
        for (int s = 0; s < SIMULATED; s++) {
            final Histogram window = sample(q, n, random);
            final Histogram baseline = kind == BaselineKind.FIXED ? truth : sample(q, n, random);
            final Divergence d = calculator.compute(window, baseline);
            sums[0] += d.jsDivergence();
            sums[1] += d.jsDistance();
            sums[2] += d.hellinger();
            sums[3] += d.totalVariation();
            sums[4] += lInfinity(window, baseline, k);
        }
        final Histogram typical = histogram(q, n);
        final NoDrift calibration = CALIBRATOR.calibrate(typical, kind == BaselineKind.FIXED ? truth : typical,
                kind, 0, Unit.BITS, 42);
        final NoDrift.Value[] values = {calibration.jsDivergence(), calibration.jsDistance(),
            calibration.hellinger(), calibration.totalVariation(), calibration.lInfinity()};
        final String[] names = {"js_divergence", "js_distance", "hellinger", "total_variation", "l_infinity"};
        for (int m = 0; m < 5; m++) {
            final double mean = sums[m] / SIMULATED;
            // Chi-square means lag the small-N simulation by up to ~6% for JS divergence (N = 30, K = 2).
            final double tolerance = m == 0 ? 0.07 : 0.05;
            assertThat(values[m].expected()).as("%s at N=%d K=%d %s (%s)", names[m], n, k, kind, values[m].method())
                    .isCloseTo(mean, withinPercentage(100 * tolerance));
        }
    }

    /** The four baselines of issue 13: the truth, a sample reference, the previous window, the last 3 windows. */
    static List<Arguments> baselines() {
        return List.of(Arguments.of("fixed"), Arguments.of("sample-reference"), Arguments.of("previous"),
                Arguments.of("last-3"));
    }

    /**
     * 400 windows of N = 400 from one 5-category distribution, each against its baseline as the
     * topology builds it: the truth (FIXED), a fresh sample of 1,000 declared SAMPLE, the window
     * before it, or the last 3 windows merged (SAMPLE): every distance's p-value falls below 0.05
     * in 5% +- 2.5% of the windows. Power (6% of the mass moved between two categories) is printed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("baselines")
    void pValuesAreCalibratedWithoutDrift(final String baseline) {
        final double[] q = {0.10, 0.15, 0.20, 0.25, 0.30};
        final double[] shifted = {0.10, 0.15, 0.20, 0.19, 0.36};
        final Histogram truth = histogram(q, 1.0);
        final BaselineKind kind = baseline.equals("fixed") ? BaselineKind.FIXED : BaselineKind.SAMPLE;
        final SplittableRandom random = new SplittableRandom(baseline.hashCode());
        final int windows = 400;
        final int[] below = new int[4];
        final int[] detected = new int[4];
        final java.util.ArrayDeque<Histogram> past = new java.util.ArrayDeque<>();
        for (int i = 0; i < 3; i++) {
            past.addLast(sample(q, 400, random));
        }
        for (int t = 0; t < windows; t++) {
            final Histogram reference = switch (baseline) {
                case "fixed" -> truth;
                case "sample-reference" -> sample(q, 1_000, random);
                case "previous" -> past.peekLast();
                default -> past.stream().reduce(Histogram::plus).orElseThrow();
            };
            final Histogram window = sample(q, 400, random);
            final NoDrift c = CALIBRATOR.calibrate(window, reference, kind, 0, Unit.BITS,
                    NoDriftCalibrator.seed("calibration", t));
            final NoDrift d = CALIBRATOR.calibrate(sample(shifted, 400, random), reference, kind, 0, Unit.BITS,
                    NoDriftCalibrator.seed("power", t));
            final NoDrift.Value[] values = {c.jsDistance(), c.hellinger(), c.totalVariation(), c.lInfinity()};
            final NoDrift.Value[] drifted = {d.jsDistance(), d.hellinger(), d.totalVariation(), d.lInfinity()};
            for (int m = 0; m < values.length; m++) {
                below[m] += values[m].pValue() < 0.05 ? 1 : 0;
                detected[m] += drifted[m].pValue() < 0.05 ? 1 : 0;
            }
            past.removeFirst();
            past.addLast(window);
        }
        final String[] names = {"js_distance", "hellinger", "total_variation", "l_infinity"};
        for (int m = 0; m < names.length; m++) {
            System.out.printf(java.util.Locale.ROOT, "calibration %s %s: p<0.05 in %.2f%% of %d quiet windows, power %.1f%%%n",
                    baseline, names[m], 100.0 * below[m] / windows, windows, 100.0 * detected[m] / windows);
            assertThat(below[m] / (double) windows).as("%s p < 0.05 rate, %s baseline", names[m], baseline)
                    .isBetween(0.025, 0.075);
        }
    }

    @Test
    void sameInputsGiveTheSameNumbers() {
        for (final int n : new int[] {20, 400, 5_000}) {
            final double[] q = linear(8);
            final Histogram window = sample(q, n, new SplittableRandom(n));
            final Histogram baseline = sample(q, n, new SplittableRandom(n + 1));
            for (final BaselineKind kind : BaselineKind.values()) {
                final long seed = NoDriftCalibrator.seed("m|region=eu", 1_700_000_000_000L);
                final NoDrift a = CALIBRATOR.calibrate(window, baseline, kind, 0.5, Unit.NATS, seed);
                final NoDrift b = CALIBRATOR.calibrate(Histogram.of(window.toMap()), Histogram.of(baseline.toMap()),
                        kind, 0.5, Unit.NATS, seed);
                assertThat(b).as("N=%d %s", n, kind).isEqualTo(a);
            }
        }
        assertThat(NoDriftCalibrator.seed("m", 0)).isEqualTo(NoDriftCalibrator.seed("m", 0))
                .isNotEqualTo(NoDriftCalibrator.seed("m", 60_000)).isNotEqualTo(NoDriftCalibrator.seed("n", 0));
        // A different window gets different simulation noise: the seed matters.
        final Histogram small = Histogram.of(Map.of("a", 3, "b", 1));
        final Histogram ref = Histogram.of(Map.of("a", 1, "b", 1, "c", 1));
        assertThat(CALIBRATOR.calibrate(small, ref, BaselineKind.FIXED, 0, Unit.BITS, 1).totalVariation().expected())
                .isNotEqualTo(CALIBRATOR.calibrate(small, ref, BaselineKind.FIXED, 0, Unit.BITS, 2).totalVariation().expected());
    }

    @Test
    void methodsFollowTheRegime() {
        final double[] q = linear(5);
        // Expected counts 40..200: chi-square for JS / Hellinger, Gaussian limit for TV / L-infinity.
        final NoDrift large = CALIBRATOR.calibrate(histogram(q, 600), histogram(q, 1), BaselineKind.FIXED, 0, Unit.BITS, 1);
        assertThat(large.jsDistance().method()).isEqualTo(NoDrift.Method.CHI_SQUARE);
        assertThat(large.totalVariation().method()).isEqualTo(NoDrift.Method.GAUSSIAN_SIMULATION);
        assertThat(large.replicates()).isEqualTo(NoDriftCalibrator.MAX_REPLICATES);
        assertThat(large.baselineTotal()).isEqualTo(Double.POSITIVE_INFINITY);
        // The window equals the truth: nothing beyond noise, p-values near 1.
        assertThat(large.jsDistance().pValue()).isGreaterThan(0.99);
        assertThat(large.jsDistance().observed()).isLessThan(large.jsDistance().expected());
        // Expected count 2 in the smallest category: multinomial simulation of everything.
        final NoDrift small = CALIBRATOR.calibrate(histogram(q, 30), histogram(q, 30), BaselineKind.SAMPLE, 0, Unit.BITS, 1);
        assertThat(small.jsDivergence().method()).isEqualTo(NoDrift.Method.MULTINOMIAL_SIMULATION);
        assertThat(small.baselineTotal()).isEqualTo(30);
        // K = 2000 at large counts: the normal approximations, still O(K).
        final NoDrift wide = CALIBRATOR.calibrate(histogram(uniform(2_000), 1e7), histogram(uniform(2_000), 1),
                BaselineKind.FIXED, 0, Unit.BITS, 1);
        assertThat(wide.lInfinity().method()).isEqualTo(NoDrift.Method.NORMAL_APPROXIMATION);
        assertThat(wide.totalVariation().pValue()).isGreaterThan(0.99);
        // sqrt(q(1-q)/N) * E[max of 2000 |N(0,1)|] ~ 7.07e-6 * 3.7
        assertThat(wide.lInfinity().expected()).isCloseTo(7.07e-6 * 3.7, withinPercentage(10));
    }

    @Test
    void edgeCases() {
        final Histogram one = Histogram.of(Map.of("a", 10));
        // K = 1: every null window is the reference: all distances 0, exactly, p = 1.
        final NoDrift single = CALIBRATOR.calibrate(one, Histogram.of(Map.of("a", 0.3)), BaselineKind.FIXED, 0, Unit.BITS, 1);
        assertThat(single.categories()).isEqualTo(1);
        assertThat(single.jsDistance().expected()).isZero();
        assertThat(single.lInfinity().pValue()).isEqualTo(1.0);
        assertThat(single.jsDistance().method()).isEqualTo(NoDrift.Method.EXACT);
        // K = 1 in the null, but the window has a category the fixed reference lacks: impossible under the null.
        final NoDrift impossible = CALIBRATOR.calibrate(Histogram.of(Map.of("a", 9, "b", 1)), Histogram.of(Map.of("a", 1)),
                BaselineKind.FIXED, 0, Unit.BITS, 1);
        assertThat(impossible.totalVariation().observed()).isCloseTo(0.1, within(1e-15));
        assertThat(impossible.totalVariation().pValue()).isZero();
        // Zero-mass categories of the reference never appear in null samples, but keep their smoothing.
        final NoDrift zeros = CALIBRATOR.calibrate(Histogram.of(Map.of("a", 2, "b", 1)),
                Histogram.of(Map.of("a", 1, "b", 1, "z", 0)), BaselineKind.FIXED, 0, Unit.BITS, 1);
        assertThat(zeros.categories()).isEqualTo(2);
        // N = 0 on either side: no null sample to compare with.
        assertThatThrownBy(() -> CALIBRATOR.calibrate(Histogram.of(Map.of("a", 0)), one, BaselineKind.FIXED, 1, Unit.BITS, 1))
                .isInstanceOf(EmptyHistogramException.class);
        assertThatThrownBy(() -> CALIBRATOR.calibrate(one, Histogram.of(Map.of("a", 0)), BaselineKind.SAMPLE, 1, Unit.BITS, 1))
                .isInstanceOf(EmptyHistogramException.class);
        assertThatThrownBy(() -> CALIBRATOR.calibrate(one, one, BaselineKind.FIXED, -1, Unit.BITS, 1))
                .isInstanceOf(IllegalArgumentException.class);
        // Bits and nats: JS divergence scales by ln 2, JS distance by sqrt(ln 2); p-values unchanged.
        final NoDrift bits = CALIBRATOR.calibrate(histogram(linear(5), 100), histogram(linear(5), 1), BaselineKind.FIXED, 0, Unit.BITS, 7);
        final NoDrift nats = CALIBRATOR.calibrate(histogram(linear(5), 100), histogram(linear(5), 1), BaselineKind.FIXED, 0, Unit.NATS, 7);
        assertThat(bits.jsDivergence().expected() * Math.log(2)).isCloseTo(nats.jsDivergence().expected(), within(1e-15));
        assertThat(bits.jsDistance().expected() * Math.sqrt(Math.log(2))).isCloseTo(nats.jsDistance().expected(), within(1e-15));
        assertThat(bits.jsDistance().pValue()).isEqualTo(nats.jsDistance().pValue());
    }

    static double[] uniform(final int k) {
        final double[] q = new double[k];
        java.util.Arrays.fill(q, 1.0 / k);
        return q;
    }

    /** q_i proportional to i, i = 1..K: unequal cells, the smallest K(K+1)/2 times rarer than the total. */
    static double[] linear(final int k) {
        final double[] q = new double[k];
        for (int i = 0; i < k; i++) {
            q[i] = (i + 1) / (k * (k + 1) / 2.0);
        }
        return q;
    }

    static Histogram histogram(final double[] q, final double scale) {
        final double[] weights = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            weights[i] = q[i] * scale;
        }
        return Histogram.ofSorted(names(q.length), weights);
    }

    private static final String[] NAMES = new String[2_000];

    static {
        for (int i = 0; i < NAMES.length; i++) {
            NAMES[i] = String.format("c%04d", i);
        }
    }

    static String[] names(final int k) {
        return java.util.Arrays.copyOf(NAMES, k);
    }

    /** N events drawn one by one by inverse CDF (binary search): slow and obviously right. */
    static Histogram sample(final double[] q, final int n, final SplittableRandom random) {
        final double[] cumulative = new double[q.length];
        double total = 0;
        for (int i = 0; i < q.length; i++) {
            total += q[i];
            cumulative[i] = total;
        }
        final double[] counts = new double[q.length];
        for (int e = 0; e < n; e++) {
            final int found = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * total);
            counts[Math.min(q.length - 1, found >= 0 ? found + 1 : -found - 1)]++;
        }
        int nonZero = 0;
        for (final double c : counts) {
            nonZero += c > 0 ? 1 : 0;
        }
        final String[] all = NAMES;
        final String[] cats = new String[nonZero];
        final double[] weights = new double[nonZero];
        int j = 0;
        for (int i = 0; i < q.length; i++) {
            if (counts[i] > 0) {
                cats[j] = all[i];
                weights[j++] = counts[i];
            }
        }
        return Histogram.ofSorted(cats, weights);
    }

    /** max_i |p_i - q_i| over the categories c0000..c(K-1), from its definition. */
    static double lInfinity(final Histogram p, final Histogram q, final int k) {
        double max = 0;
        for (int i = 0; i < k; i++) {
            final String c = NAMES[i];
            max = Math.max(max, Math.abs(p.weightOf(c) / p.total() - q.weightOf(c) / q.total()));
        }
        return max;
    }
}
