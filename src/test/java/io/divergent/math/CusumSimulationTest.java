package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;

/**
 * The documented CUSUM figures ({@code docs/divergence.md}, "Extended (issue 14)", produced by
 * {@link CusumSimulation#main} at full size) at reduced size, with bounds several binomial standard
 * deviations away from the documented values, so that the test fails on a real regression (a
 * default with a shorter run length, a score that is not N(0, 1), a slower detector) and not
 * by chance. Seeds fixed; about 2 s.
 */
class CusumSimulationTest {

    private static final Cusum DEFAULTS = Cusum.DEFAULTS;
    private static final int RUNS = 200;

    /**
     * 150 blocks of 1,000 quiet windows (150,000 windows). Documented: 94% of blocks free of a
     * false alarm (ARL about 16,000). ARL >= 5,000 gives about exp(-1000 / 5000) = 82%; the bound 85%
     * is 4.6 standard deviations (sqrt(0.94 * 0.06 / 150) = 1.9%) below 94%, and fails at ARL <= 5,000.
     * The same windows check the p-value's calibration that z ~ N(0, 1) rests on: documented 5.06%
     * below 0.05 and 1.02% below 0.01; the bands are about 6 standard deviations (0.056% and 0.026%).
     */
    @Test
    void inControl() {
        final CusumSimulation.InControl quiet = CusumSimulation.inControl(new Cusum[] {DEFAULTS}, CusumSimulation.N,
                150_000, 140);
        final long blocks = quiet.windows() / CusumSimulation.InControl.BLOCK;
        assertThat((double) quiet.survived()[0] / blocks).as("blocks without a false alarm").isGreaterThanOrEqualTo(0.85);
        assertThat((double) quiet.rejected()[0] / quiet.windows()).as("p < 0.05").isBetween(0.0465, 0.0535);
        assertThat((double) quiet.rejected()[1] / quiet.windows()).as("p < 0.01").isBetween(0.0085, 0.0115);
        assertThat(quiet.meanZ()).as("mean score").isBetween(-0.015, 0.02);
        assertThat(quiet.sdZ()).as("sd of the score").isBetween(0.99, 1.01);
    }

    /** Documented (1,000 runs): median 3, p95 5 windows. */
    @Test
    void abruptShiftIsDetectedWithinAFewWindows() {
        final int[][] delays = CusumSimulation.delays(new Cusum[] {DEFAULTS}, t -> CusumSimulation.SHIFT, RUNS, 141);
        assertThat(CusumSimulation.quantile(delays[0], 0.5)).as("median").isLessThanOrEqualTo(4);
        assertThat(CusumSimulation.quantile(delays[0], 0.95)).as("p95").isLessThanOrEqualTo(7);
    }

    /** Documented (1,000 runs): median 10, p95 13 windows; a single-window test at p < 1e-4 (similar ARL): 13, 16. */
    @Test
    void slowDriftIsDetectedBeforeASingleWindowTestOfTheSameFalseAlarmRate() {
        final int[][] delays = CusumSimulation.delays(new Cusum[] {DEFAULTS},
                t -> CusumSimulation.DRIFT_PER_WINDOW * t, RUNS, 142);
        final int[] cusum = delays[0];
        // Rows: the detector, then the single-window tests of SINGLE_WINDOW_LEVELS = {0.01, 0.0001}.
        assertThat(CusumSimulation.SINGLE_WINDOW_LEVELS).containsExactly(0.01, 0.0001);
        final int[] singleWindow = delays[2];
        assertThat(CusumSimulation.quantile(cusum, 0.5)).as("median").isLessThanOrEqualTo(11);
        assertThat(CusumSimulation.quantile(cusum, 0.95)).as("p95").isLessThanOrEqualTo(15);
        assertThat(CusumSimulation.quantile(cusum, 0.5)).as("median, CUSUM vs single window p < 1e-4")
                .isLessThan(CusumSimulation.quantile(singleWindow, 0.5));
    }

    /** Documented (1,000 runs): median 14 windows, where a single-window test at p < 1e-4 misses half the runs within 100. */
    @Test
    void smallPersistentShiftThatNoSingleWindowShows() {
        final int[][] delays = CusumSimulation.delays(new Cusum[] {DEFAULTS}, t -> CusumSimulation.SMALL_SHIFT, RUNS, 143);
        assertThat(CusumSimulation.quantile(delays[0], 0.5)).as("median").isLessThanOrEqualTo(18);
        assertThat(CusumSimulation.quantile(delays[2], 0.5)).as("single window p < 1e-4 (row 2), median").isGreaterThan(50);
    }

    /** Documented (1,000 runs): after a 6% shift ends, S stays >= h for median 1, p95 3 windows; flicker 0.4%. */
    @Test
    void fallsBelowTheThresholdSoonAfterTheDriftEnds() {
        final IntToDoubleFunction shift = t -> CusumSimulation.SHIFT;
        final int[][] fall = CusumSimulation.fallBelow(DEFAULTS, shift, CusumSimulation.FALL_EXTRA, RUNS, 144);
        assertThat(fall[0]).as("every run alarmed").doesNotContain(-1);
        assertThat(CusumSimulation.quantile(fall[0], 0.5)).as("median").isLessThanOrEqualTo(2);
        assertThat(CusumSimulation.quantile(fall[0], 0.95)).as("p95").isLessThanOrEqualTo(5);
        assertThat((double) fall[1][0] / fall[1][1]).as("flicker").isLessThan(0.02);
    }
}
