package io.divergent.testing;

import java.util.SplittableRandom;

/**
 * Seeded multinomial samples for the calibration tests: {@code n} independent draws from fixed
 * category probabilities, by inversion of the cumulative distribution. Deterministic for a seed.
 */
public final class Multinomial {

    private final double[] cumulative;
    private final SplittableRandom random;

    /**
     * @param probabilities category probabilities, summing to 1 (the last category takes any rounding)
     * @param seed          the random seed
     */
    public Multinomial(final double[] probabilities, final long seed) {
        cumulative = new double[probabilities.length];
        double sum = 0;
        for (int i = 0; i < probabilities.length; i++) {
            sum += probabilities[i];
            cumulative[i] = sum;
        }
        cumulative[cumulative.length - 1] = Double.POSITIVE_INFINITY;
        random = new SplittableRandom(seed);
    }

    /** The index of one draw. */
    public int draw() {
        final double u = random.nextDouble();
        int i = 0;
        while (u >= cumulative[i]) {
            i++;
        }
        return i;
    }

    /** The counts of {@code n} draws, per category. */
    public long[] sample(final int n) {
        final long[] counts = new long[cumulative.length];
        for (int k = 0; k < n; k++) {
            counts[draw()]++;
        }
        return counts;
    }
}
