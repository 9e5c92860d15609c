package io.divergent.math;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The volume test: exact values on small cases, its level under a constant rate, its power on a drop. */
class VolumeTestTest {

    @Test
    void smallCasesAreTheConditionalBinomial() {
        // X = 0, Y = 4 over n = 1: X | m = 4 ~ Bin(4, 1/2); P(X = 0) = 1/16, mid-p = 2 * (1/32).
        assertThat(VolumeTest.pValue(0, 4, 1)).isCloseTo(1.0 / 16, within(1e-15));
        // Symmetric: X = 4, Y = 0 is as extreme.
        assertThat(VolumeTest.pValue(4, 0, 1)).isCloseTo(1.0 / 16, within(1e-15));
        // X = 2 of m = 4 at 1/2 is the mode: below + at / 2 = 1/2, p = 1.
        assertThat(VolumeTest.pValue(2, 2, 1)).isCloseTo(1.0, within(1e-15));
        // X = 1, Y = 2 over n = 2: Bin(3, 1/3); P(0) = 8/27, P(1) = 12/27; lower tail 8/27 + 6/27 = 14/27 > 1/2,
        // upper tail (6 + 1) / 27 = 7/27 + 6/27 = 13/27: p = 26/27.
        assertThat(VolumeTest.pValue(1, 2, 2)).isCloseTo(26.0 / 27, within(1e-14));
        assertThat(VolumeTest.pValue(0, 0, 5)).as("nothing on either side").isEqualTo(1.0);
        assertThat(VolumeTest.expected(30, 4)).isEqualTo(7.5);
    }

    @Test
    void aDropAndASurgeAreSignificant() {
        assertThat(VolumeTest.pValue(0, 12 * 50, 12)).as("silence after 50 a window").isLessThan(1e-20);
        assertThat(VolumeTest.pValue(100, 12 * 50, 12)).as("twice the rate").isLessThan(1e-6);
        assertThat(VolumeTest.pValue(52, 12 * 50, 12)).as("within noise").isGreaterThan(0.5);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> VolumeTest.pValue(-1, 3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VolumeTest.pValue(1, -3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VolumeTest.pValue(1, 3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VolumeTest.pValue(Long.MAX_VALUE, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void beyondIntCountsUseTheNormalApproximation() {
        final long big = 3_000_000_000L;
        assertThat(VolumeTest.pValue(big, 4 * big, 4)).as("exactly the expected share").isCloseTo(1.0, within(1e-3));
        assertThat(VolumeTest.pValue(big / 2, 4 * big, 4)).isLessThan(1e-12);
    }

    /**
     * Level under no change: windows of a constant Poisson rate, each tested against the n before
     * it; the 5% test should fire in about 5% of windows. 20,000 windows per case: the standard
     * error of the rate is 0.15%, so [4%, 6%] is more than 6 standard errors wide; the mid-p test
     * is not exactly 5% at small rates (discreteness), hence the width.
     */
    @Test
    void underAConstantRateThe5PercentTestFiresInAbout5PercentOfWindows() {
        for (final double rate : new double[] {5, 20, 200}) {
            final int n = 12;
            final int windows = 20_000;
            final SplittableRandom random = new SplittableRandom(15 + (long) rate);
            final long[] counts = new long[windows + n];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = poisson(random, rate);
            }
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += counts[i];
            }
            int fired = 0;
            for (int i = n; i < counts.length; i++) {
                if (VolumeTest.pValue(counts[i], sum, n) < 0.05) {
                    fired++;
                }
                sum += counts[i] - counts[i - n];
            }
            assertThat(fired / (double) windows).as("rejection rate at 5%%, rate %s per window", rate)
                    .isBetween(0.04, 0.06);
        }
    }

    /** Poisson by summing exponential gaps (Knuth, in log form): exact, fine for these rates. */
    private static long poisson(final SplittableRandom random, final double rate) {
        long k = 0;
        double t = -Math.log(1 - random.nextDouble());
        while (t < rate) {
            k++;
            t -= Math.log(1 - random.nextDouble());
        }
        return k;
    }
}
