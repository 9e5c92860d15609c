package io.divergent.math;

import io.divergent.testing.Multinomial;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calibration of the G-test by simulation (issue 13): with no drift, {@code g_p_value < 0.05} in
 * 5% +- 2.5% of windows for every baseline kind, with the baselines built as the topology builds
 * them. Windows of N = 400 events from K = 5 categories (probabilities {@link #TRUTH}), 1,000
 * windows per kind (the issue asks for at least 300; 1,000 makes the band +- 3.6 binomial standard
 * deviations), seed {@link #SEED} fixed before the first run. Power is measured with 6% of the mass
 * moved from category 0 to category 3 in the window only. The figures are printed (test output)
 * and quoted in the README's calibration table.
 */
class GTestCalibrationTest {

    static final double[] TRUTH = {0.35, 0.25, 0.20, 0.12, 0.08};
    static final double[] SHIFTED = {0.29, 0.25, 0.20, 0.18, 0.08};
    private static final String[] NAMES = {"a", "b", "c", "d", "e"};
    private static final int N = 400;
    private static final int WINDOWS = 1_000;
    private static final int LAST_N = 3;
    private static final int SAMPLE_REFERENCE_SIZE = 1_000;
    private static final long SEED = 13;
    private static final double ALPHA = 0.05;

    /** The baselines of the table. */
    enum Kind { FIXED_DISTRIBUTION, SAMPLE_REFERENCE, PREVIOUS, LAST_3 }

    private static final DivergenceCalculator CALCULATOR = DivergenceCalculator.withDefaults();
    private static final Map<Kind, double[]> RATES = new EnumMap<>(Kind.class);
    private static final Map<Kind, double[]> SMALL = new EnumMap<>(Kind.class);
    /** Expected counts below 5 (Cochran's bound): the chi-square approximation's weak regime. */
    private static final int SMALL_N = 30;

    static Histogram histogram(final long[] counts) {
        final Map<String, Long> weights = new java.util.HashMap<>();
        for (int i = 0; i < counts.length; i++) {
            weights.put(NAMES[i], counts[i]);
        }
        return Histogram.of(weights);
    }

    /**
     * The rejection rates of one baseline kind: [0] no drift with the test the kind calls for,
     * [1] no drift with the goodness-of-fit test (the behaviour before issue 13), [2] power with
     * the kind's test.
     */
    static double[] rates(final Kind kind, final int n, final long seed) {
        final Multinomial quiet = new Multinomial(TRUTH, seed);
        final Multinomial drifted = new Multinomial(SHIFTED, seed + 1);
        final Multinomial reference = new Multinomial(TRUTH, seed + 2);
        final Histogram truth = Histogram.ofSorted(NAMES, TRUTH);
        final Deque<Histogram> past = new ArrayDeque<>();
        final int history = kind == Kind.LAST_3 ? LAST_N : 1;
        for (int w = 0; w < history; w++) {
            past.addLast(histogram(quiet.sample(n)));
        }
        int rejected = 0;
        int rejectedBefore = 0;
        int detected = 0;
        for (int w = 0; w < WINDOWS; w++) {
            final Histogram baseline;
            final BaselineKind declared;
            switch (kind) {
                case FIXED_DISTRIBUTION -> {
                    baseline = truth;
                    declared = BaselineKind.FIXED;
                }
                // A fresh reference sample per window: the test's 5% is over both samples' noise.
                case SAMPLE_REFERENCE -> {
                    baseline = histogram(reference.sample(SAMPLE_REFERENCE_SIZE));
                    declared = BaselineKind.SAMPLE;
                }
                default -> {
                    // As WindowProcessor.pastWindows: the merge of the last windows, oldest first.
                    Histogram merged = Histogram.of(Map.of());
                    for (final Histogram h : past) {
                        merged = merged.plus(h);
                    }
                    baseline = merged;
                    declared = BaselineKind.SAMPLE;
                }
            }
            final Histogram window = histogram(quiet.sample(n));
            if (CALCULATOR.compute(window, baseline, declared).gPValue() < ALPHA) {
                rejected++;
            }
            if (CALCULATOR.compute(window, baseline).gPValue() < ALPHA) {
                rejectedBefore++;
            }
            if (CALCULATOR.compute(histogram(drifted.sample(n)), baseline, declared).gPValue() < ALPHA) {
                detected++;
            }
            past.addLast(window);
            if (past.size() > history) {
                past.removeFirst();
            }
        }
        return new double[] {(double) rejected / WINDOWS, (double) rejectedBefore / WINDOWS, (double) detected / WINDOWS};
    }

    @BeforeAll
    static void simulate() {
        System.out.printf(Locale.ROOT, "G-test calibration, N = %d, K = 5, %d windows per baseline, seed %d%n", N, WINDOWS, SEED);
        System.out.printf(Locale.ROOT, "%-20s %22s %22s %22s%n", "baseline", "p<0.05 before (GOF)", "p<0.05 after",
                "power, 6% shift");
        for (final Kind kind : Kind.values()) {
            final double[] r = rates(kind, N, SEED + 10L * kind.ordinal());
            RATES.put(kind, r);
            System.out.printf(Locale.ROOT, "%-20s %21.1f%% %21.1f%% %21.1f%%%n", kind, 100 * r[1], 100 * r[0], 100 * r[2]);
        }
        for (final Kind kind : Kind.values()) {
            final double[] r = rates(kind, SMALL_N, SEED + 100L + kind.ordinal());
            SMALL.put(kind, r);
            System.out.printf(Locale.ROOT, "small windows, N = %d (smallest expected count %.1f): %-20s p<0.05 in %.1f%%%n",
                    SMALL_N, SMALL_N * TRUTH[4], kind, 100 * r[0]);
        }
    }

    @Test
    void withoutDriftEveryBaselineKindRejectsAtTheNominalRate() {
        for (final Kind kind : Kind.values()) {
            assertThat(RATES.get(kind)[0]).as("%s: share of quiet windows with p < 0.05", kind).isBetween(0.025, 0.075);
        }
    }

    @Test
    void smallWindowsStayWithinTheDocumentedBound() {
        // docs/divergence.md: below Cochran's bound (expected counts < 5) the uncorrected G-test
        // rejects a little too often; at N = 30, K = 5 it stays under 10%.
        for (final Kind kind : Kind.values()) {
            assertThat(SMALL.get(kind)[0]).as("%s at N = %d", kind, SMALL_N).isBetween(0.025, 0.10);
        }
    }

    @Test
    void theGoodnessOfFitTestOnASampleBaselineWasMiscalibrated() {
        // The defect of issue 13, reproduced: the old test on a rolling baseline flags far more than 5%.
        assertThat(RATES.get(Kind.PREVIOUS)[1]).as("previous, goodness of fit").isGreaterThan(0.25);
        assertThat(RATES.get(Kind.LAST_3)[1]).as("last-3, goodness of fit").isGreaterThan(0.10);
        assertThat(RATES.get(Kind.FIXED_DISTRIBUTION)[1]).isEqualTo(RATES.get(Kind.FIXED_DISTRIBUTION)[0]);
    }

    @Test
    void aSixPercentShiftIsDetectedMoreOftenWithMoreBaselineData() {
        // Two samples carry more noise than one: power drops from the fixed-distribution test, most
        // for the previous window (N_Q = 400), and recovers as N_Q grows.
        // 0.35 -> 0.29 and 0.12 -> 0.18 at N = 400: about 88% against the true distribution.
        assertThat(RATES.get(Kind.FIXED_DISTRIBUTION)[2]).isGreaterThan(0.8);
        assertThat(RATES.get(Kind.SAMPLE_REFERENCE)[2]).isGreaterThan(RATES.get(Kind.LAST_3)[2] - 0.05);
        assertThat(RATES.get(Kind.LAST_3)[2]).isGreaterThan(RATES.get(Kind.PREVIOUS)[2]);
        assertThat(RATES.get(Kind.PREVIOUS)[2]).isGreaterThan(0.5);
    }
}
