package io.divergent.math;

import java.util.Arrays;

/**
 * What the sparse paths of {@link DivergenceCalculator} and {@link NoDriftCalibrator} need of a
 * reference histogram Q, computed once per {@link Histogram} instance ({@link Histogram#referenceIndex()})
 * in O(K log K) and reused by every window compared with it. Immutable (final fields only, so a
 * racy first publication is safe).
 *
 * <p>With it, a window of n categories against Q costs O(n log K): the categories of Q absent from
 * the window ("vanished") enter every measure through sums over Q alone, computed as the total of Q
 * minus the window's part in compensated arithmetic (see {@link #vanishedMass()}), and the largest
 * of them are found by walking {@link #byWeight()} past the window's categories.
 */
final class ReferenceIndex {

    private final Histogram histogram;
    private final int[] byWeight;
    private final int[] runEnd;
    private final double totalSum;
    private final double totalCompensation;
    private final double entropyNats;
    private final NoDriftCalibrator.NullModel fixedNull;
    private final int hash;

    ReferenceIndex(final Histogram histogram) {
        this.histogram = histogram;
        final double[] weights = histogram.weightsArray();
        final int k = weights.length;
        final Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        // Descending weight, ties by ascending index (= ascending category name).
        Arrays.sort(order, (a, b) -> {
            final int c = Double.compare(weights[b], weights[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        byWeight = new int[k];
        for (int r = 0; r < k; r++) {
            byWeight[r] = order[r];
        }
        runEnd = new int[k];
        for (int r = k - 1; r >= 0; r--) {
            runEnd[r] = r + 1 < k && weights[byWeight[r + 1]] == weights[byWeight[r]] ? runEnd[r + 1] : r + 1;
        }
        final CompensatedSum total = new CompensatedSum();
        for (final double w : weights) {
            total.add(w);
        }
        totalSum = total.sum();
        totalCompensation = total.compensation();
        entropyNats = DivergenceCalculator.entropyNats(histogram, 0.0);
        fixedNull = NoDriftCalibrator.NullModel.of(weights, histogram.total());
        hash = histogram.hashCode();
    }

    Histogram histogram() {
        return histogram;
    }

    /** The indices of Q's categories by descending weight, equal weights by ascending name. Not a copy. */
    int[] byWeight() {
        return byWeight;
    }

    /**
     * The position in {@link #byWeight()} just past the run of equal weights that position {@code r}
     * belongs to.
     */
    int runEnd(final int r) {
        return runEnd[r];
    }

    /**
     * A compensated sum holding Q's total weight as the unevaluated pair (sum, compensation) of its
     * compensated summation in category order (relative error about K 2^-106): subtracting the
     * window's part of Q from it leaves the vanished mass with an absolute error of about
     * {@code 2^-53 vanished + (K + n) 2^-106 total}, i.e. a few ulps unless the vanished share of
     * Q is below ~1e-13.
     */
    CompensatedSum vanishedMass() {
        return CompensatedSum.of(totalSum, totalCompensation);
    }

    /** H(Q) in nats without smoothing, as {@link DivergenceCalculator#entropy} sums it. */
    double entropyNats() {
        return entropyNats;
    }

    /** The null model of Q as a fixed baseline: {@code pi_i = Q_i / N_Q} in category order. */
    NoDriftCalibrator.NullModel fixedNull() {
        return fixedNull;
    }

    /**
     * Where a window's categories fall in Q, in O(n log K) for its n categories: their positions,
     * the mass and the largest weight of Q's categories absent from the window ("vanished").
     *
     * @param categories the window's categories, ascending (a {@link Histogram}'s)
     */
    Overlap overlap(final String[] categories) {
        final String[] cq = histogram.categoriesArray();
        final double[] wq = histogram.weightsArray();
        final int[] positions = new int[categories.length];
        final int[] seen = new int[categories.length];
        int nSeen = 0;
        final CompensatedSum vanished = vanishedMass();
        for (int i = 0; i < categories.length; i++) {
            final int j = Arrays.binarySearch(cq, categories[i]);
            positions[i] = j;
            if (j >= 0) {
                // Ascending: both arrays are sorted, so seen is too.
                seen[nSeen++] = j;
                vanished.add(-wq[j]);
            }
        }
        double largest = 0;
        for (final int j : byWeight) {
            if (Arrays.binarySearch(seen, 0, nSeen, j) < 0) {
                largest = wq[j];
                break;
            }
        }
        return new Overlap(positions, seen, nSeen, Math.max(0.0, vanished.value()), largest);
    }

    /** A window's categories against Q ({@link #overlap}). */
    static final class Overlap {
        private final int[] positions;
        private final int[] seen;
        private final int nSeen;
        private final double vanishedMass;
        private final double largestVanished;

        private Overlap(final int[] positions, final int[] seen, final int nSeen, final double vanishedMass,
                        final double largestVanished) {
            this.positions = positions;
            this.seen = seen;
            this.nSeen = nSeen;
            this.vanishedMass = vanishedMass;
            this.largestVanished = largestVanished;
        }

        /** The window's i-th category's index in Q, or {@code -(insertion point) - 1} when Q lacks it (as {@link Arrays#binarySearch}). */
        int position(final int i) {
            return positions[i];
        }

        /** Whether Q's category {@code j} is in the window. */
        boolean seen(final int j) {
            return Arrays.binarySearch(seen, 0, nSeen, j) >= 0;
        }

        /** Q's total weight on the categories absent from the window, {@code >= 0} (see {@link ReferenceIndex#vanishedMass()}). */
        double vanishedMass() {
            return vanishedMass;
        }

        /** The largest weight of Q's categories absent from the window; 0 if there is none. */
        double largestVanished() {
            return largestVanished;
        }
    }

    /** {@link Histogram#hashCode()} of Q. */
    int hash() {
        return hash;
    }
}
