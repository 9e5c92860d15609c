package io.divergent.math;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Microbenchmark of the per-window measures against a fixed reference (issue 16): microseconds
 * per {@link DivergenceCalculator#compute} (defaults) and per {@link NoDriftCalibrator#calibrate}
 * (fixed baseline, alpha 0, one seed as the topology uses per monitor), for a Zipf(1.1)-like
 * reference of K categories (about 1,000 counts per category) and windows of 8 events drawn from
 * it. Not a test (no {@code *Test} suffix: the suite does not run it). Run after
 * {@code mvn -B -q -o test-compile}:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) io.divergent.math.SparseWindowBench}
 * with {@code cp.txt} from {@code mvn -o dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 * An argument {@code threshold} also times the full and the sparse path of {@code compute} for
 * windows of growing size (the threshold of the sparse path).
 */
public final class SparseWindowBench {

    private static final int WINDOWS = 4_096;
    /** Each figure is the best of this many runs over all windows (the machine is shared: the best is the least disturbed). */
    private static final int ROUNDS = 15;
    private static volatile double sink;

    private SparseWindowBench() {
    }

    public static void main(final String[] args) {
        final boolean threshold = args.length > 0 && "threshold".equals(args[0]);
        for (final int k : new int[] {64, 1024}) {
            final Histogram reference = zipf(k);
            final Histogram[] windows = windows(reference, 8, new SplittableRandom(k));
            final DivergenceCalculator calculator = DivergenceCalculator.withDefaults();
            final NoDriftCalibrator calibrator = NoDriftCalibrator.instance();
            final long seed = NoDriftCalibrator.seed("monitor", 0);
            final double compute = best(windows, w -> calculator.compute(w, reference).jsDivergence());
            final double calibrate = best(windows, w -> calibrator.calibrate(w, reference, BaselineKind.FIXED, 0.0,
                    Unit.BITS, seed).jsDivergence().pValue());
            System.out.printf(Locale.ROOT, "K=%5d window=8 events: compute %.2f us, calibrate %.2f us%n",
                    k, compute, calibrate);
            if (threshold) {
                for (final int n : new int[] {2, 8, 16, 32, 64, 128, 256, 512, 1024}) {
                    if (n > k) {
                        continue;
                    }
                    final Histogram[] big = windows(reference, 4 * n, new SplittableRandom(n));
                    double size = 0;
                    for (final Histogram w : big) {
                        size += w.size();
                    }
                    final double full = best(big, w -> calculator.computeFull(w, reference).jsDivergence());
                    final double sparse = best(big, w -> calculator.computeSparse(w, reference).jsDivergence());
                    System.out.printf(Locale.ROOT, "  K=%5d observed size %.0f: full %.2f us, sparse %.2f us%n",
                            k, size / big.length, full, sparse);
                }
            }
        }
    }

    /** Microseconds per window: the best of {@link #ROUNDS} runs of {@code measure} over all windows. */
    private static double best(final Histogram[] windows, final ToDoubleFunction<Histogram> measure) {
        double best = Double.POSITIVE_INFINITY;
        for (int round = 0; round < ROUNDS; round++) {
            final long start = System.nanoTime();
            double s = 0;
            for (final Histogram w : windows) {
                s += measure.applyAsDouble(w);
            }
            sink = s;
            best = Math.min(best, (System.nanoTime() - start) / 1e3 / windows.length);
        }
        return best;
    }

    private static Histogram zipf(final int k) {
        final Histogram.Builder builder = Histogram.builder();
        for (int i = 0; i < k; i++) {
            builder.add(String.format(Locale.ROOT, "category-%05d", i), Math.max(1, Math.rint(1000.0 * k / Math.pow(i + 1, 1.1) / 8)));
        }
        return builder.build();
    }

    /** Windows of {@code events} draws from the reference, with their own String instances (as decoded). */
    private static Histogram[] windows(final Histogram reference, final int events, final SplittableRandom random) {
        final double[] cumulative = new double[reference.size()];
        double total = 0;
        for (int i = 0; i < cumulative.length; i++) {
            total += reference.weight(i);
            cumulative[i] = total;
        }
        final Histogram[] windows = new Histogram[WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            final Histogram.Builder builder = Histogram.builder();
            for (int e = 0; e < events; e++) {
                final int found = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * total);
                final int i = found >= 0 ? found : Math.min(cumulative.length - 1, -found - 1);
                builder.add(new String(reference.category(i)), 1);
            }
            windows[w] = builder.build();
        }
        return windows;
    }
}
