package io.divergent.math;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * The simulation behind the CUSUM figures of {@code docs/divergence.md} ("Extended (issue 14)"),
 * on the pipeline's own math: per window, a multinomial sample of {@link #N} events from the
 * current distribution, the G-test p-value against a {@link BaselineKind#FIXED} reference by
 * {@link DivergenceCalculator}, the score {@link Cusum#score}, the step {@link Cusum#step}.
 * Reference: {@link #CATEGORIES} uniform categories. Seeded {@link SplittableRandom}: the same
 * arguments print the same figures.
 *
 * <p>Run (from the repository root, about a minute on one core):
 * <pre>
 * mvn -B -q -o test-compile
 * java -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" io.divergent.math.CusumSimulation
 * </pre>
 * with {@code target/test-classpath.txt} from
 * {@code mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt}.
 * Optional arguments: in-control windows (default 4,000,000), runs per delay scenario (1,000), seed (14),
 * events per window (400; another value prints the in-control figures only).
 */
public final class CusumSimulation {

    /** Events per window of the documented figures; the optional fourth argument of {@link #main} changes it. */
    static final int N = 400;
    static final int CATEGORIES = 5;
    /** The abrupt shift: this mass moves from category 0 to category 1 at the change. */
    static final double SHIFT = 0.06;
    /** The slow drift: after t windows, {@code t * DRIFT_PER_WINDOW} has moved from category 0 to 1. */
    static final double DRIFT_PER_WINDOW = 0.005;
    /** A small persistent shift that no single window shows reliably: this mass moved from category 0 to 1. */
    static final double SMALL_SHIFT = 0.03;
    /** The drift of the fall-below scenarios lasts this many windows past the alarm. */
    static final int FALL_EXTRA = 10;
    /** A delay scenario gives up after this many windows (the run counts as not detected). */
    static final int MAX_DELAY = 100;
    /** The single-window tests the delays are compared with: {@code g_p_value} below these levels. */
    static final double[] SINGLE_WINDOW_LEVELS = {0.01, 0.0001};

    private static final String[] NAMES = {"a", "b", "c", "d", "e"};
    private static final double[] UNIFORM = {0.2, 0.2, 0.2, 0.2, 0.2};
    private static final Histogram REFERENCE = Histogram.ofSorted(NAMES.clone(), UNIFORM.clone());
    private static final DivergenceCalculator CALCULATOR = DivergenceCalculator.withDefaults().withTopContributors(0);

    private CusumSimulation() {
    }

    /** The window distribution with {@code moved} of mass (at most all of category 0) moved from category 0 to 1. */
    static double[] moved(final double moved) {
        final double m = Math.min(moved, UNIFORM[0]);
        final double[] p = UNIFORM.clone();
        p[0] -= m;
        p[1] += m;
        return p;
    }

    /** One window's G-test p-value: {@code n} draws from {@code probabilities} against the fixed uniform reference. */
    static double windowPValue(final double[] probabilities, final int n, final SplittableRandom random) {
        final double[] counts = new double[CATEGORIES];
        for (int e = 0; e < n; e++) {
            final double u = random.nextDouble();
            double cumulative = 0;
            int i = 0;
            while (i < CATEGORIES - 1 && u >= (cumulative += probabilities[i])) {
                i++;
            }
            counts[i]++;
        }
        return CALCULATOR.compute(Histogram.ofSorted(NAMES.clone(), counts), REFERENCE, BaselineKind.FIXED).gPValue();
    }

    /**
     * In-control figures over one stream of quiet windows.
     *
     * @param windows   windows simulated
     * @param alarms    per detector, the false alarms, S restarted at 0 after each
     * @param rejected  windows with {@code g_p_value} below 0.05, 0.01, 0.001, 0.0001
     * @param meanZ     mean score
     * @param sdZ       standard deviation of the score
     * @param survived  per detector, the consecutive blocks of {@link #BLOCK} windows (S = 0 at the start
     *                  of each) without an alarm; there are {@code windows / BLOCK} blocks
     */
    record InControl(long windows, long[] alarms, long[] rejected, double meanZ, double sdZ, long[] survived) {
        static final int BLOCK = 1_000;
        static final double[] LEVELS = {0.05, 0.01, 0.001, 0.0001};

        /** Windows per false alarm: the renewal estimate {@code windows / alarms} (+Infinity with none). */
        double arl(final int detector) {
            return (double) windows / alarms[detector];
        }

        /**
         * A 95% interval of the ARL: the run lengths restart at S = 0 after each alarm, so
         * the alarms are a renewal process; with the nearly geometric run lengths of a CUSUM
         * their count is close to Poisson, and the exact Poisson (Garwood) interval applies.
         */
        double[] arlInterval(final int detector) {
            final long a = alarms[detector];
            final double lower = a == 0 ? 0 : ChiSquaredDistribution.of(2.0 * a).inverseCumulativeProbability(0.025) / 2;
            final double upper = ChiSquaredDistribution.of(2.0 * a + 2).inverseCumulativeProbability(0.975) / 2;
            return new double[] {windows / upper, lower == 0 ? Double.POSITIVE_INFINITY : windows / lower};
        }
    }

    /** Runs every detector over the same stream of {@code windows} quiet windows. */
    static InControl inControl(final Cusum[] detectors, final int n, final long windows, final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final double[] s = new double[detectors.length];
        final long[] alarms = new long[detectors.length];
        final double[] blockS = new double[detectors.length];
        final boolean[] blockAlarmed = new boolean[detectors.length];
        final long[] survived = new long[detectors.length];
        final long[] rejected = new long[InControl.LEVELS.length];
        double sum = 0;
        double sumOfSquares = 0;
        for (long w = 0; w < windows; w++) {
            final double p = windowPValue(UNIFORM, n, random);
            for (int l = 0; l < InControl.LEVELS.length; l++) {
                if (p < InControl.LEVELS[l]) {
                    rejected[l]++;
                }
            }
            final double z = Cusum.score(p);
            sum += z;
            sumOfSquares += z * z;
            for (int d = 0; d < detectors.length; d++) {
                s[d] = detectors[d].step(s[d], z);
                if (detectors[d].alarm(s[d])) {
                    alarms[d]++;
                    s[d] = 0;
                }
                blockS[d] = detectors[d].step(blockS[d], z);
                blockAlarmed[d] |= detectors[d].alarm(blockS[d]);
                if ((w + 1) % InControl.BLOCK == 0) {
                    survived[d] += blockAlarmed[d] ? 0 : 1;
                    blockS[d] = 0;
                    blockAlarmed[d] = false;
                }
            }
        }
        final double mean = sum / windows;
        return new InControl(windows, alarms, rejected, mean, Math.sqrt(sumOfSquares / windows - mean * mean),
                survived);
    }

    /**
     * Detection delays from a change at the start (S = 0: the slowest start, since S is never
     * below 0): the 1-based window of the first alarm, {@code MAX_DELAY + 1} if none.
     *
     * @param movedAt mass moved in window t (1-based)
     * @return per detector, then per single-window test of {@link #SINGLE_WINDOW_LEVELS} (last
     *         rows), the delays of the runs
     */
    static int[][] delays(final Cusum[] detectors, final IntToDoubleFunction movedAt, final int runs,
                          final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[][] delays = new int[detectors.length + SINGLE_WINDOW_LEVELS.length][runs];
        for (final int[] row : delays) {
            Arrays.fill(row, MAX_DELAY + 1);
        }
        for (int r = 0; r < runs; r++) {
            final SplittableRandom run = random.split();
            final double[] s = new double[detectors.length];
            for (int t = 1; t <= MAX_DELAY; t++) {
                final double p = windowPValue(moved(movedAt.applyAsDouble(t)), N, run);
                final double z = Cusum.score(p);
                for (int d = 0; d < detectors.length; d++) {
                    s[d] = detectors[d].step(s[d], z);
                    if (delays[d][r] > MAX_DELAY && detectors[d].alarm(s[d])) {
                        delays[d][r] = t;
                    }
                }
                for (int l = 0; l < SINGLE_WINDOW_LEVELS.length; l++) {
                    if (delays[detectors.length + l][r] > MAX_DELAY && p < SINGLE_WINDOW_LEVELS[l]) {
                        delays[detectors.length + l][r] = t;
                    }
                }
            }
        }
        return delays;
    }

    /**
     * Windows S stays {@code >= h} after a drift ends: the drift ({@code movedAt}) runs until
     * {@code extra} windows after the detector's alarm, then the windows are quiet again; the
     * count is of quiet windows with {@code S >= h} before the first with {@code S < h} (0: S
     * fell below h at the first quiet window). Also counts, over the drift windows after the
     * alarm, those with S below h (a persisting drift that looks resolved: "flicker").
     *
     * @return [0] per run the windows above h after the end ({@code -1} when the run never
     *         alarmed), [1] the flicker windows summed over runs in element 0 and the drift
     *         windows after the alarm summed in element 1
     */
    static int[][] fallBelow(final Cusum detector, final IntToDoubleFunction movedAt, final int extra,
                             final int runs, final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] after = new int[runs];
        final int[] flicker = new int[2];
        for (int r = 0; r < runs; r++) {
            final SplittableRandom run = random.split();
            double s = 0;
            int alarmedAt = -1;
            int t = 1;
            while (t <= MAX_DELAY && (alarmedAt < 0 || t <= alarmedAt + extra)) {
                s = detector.step(s, Cusum.score(windowPValue(moved(movedAt.applyAsDouble(t)), N, run)));
                if (alarmedAt < 0 && detector.alarm(s)) {
                    alarmedAt = t;
                } else if (alarmedAt >= 0) {
                    flicker[1]++;
                    if (!detector.alarm(s)) {
                        flicker[0]++;
                    }
                }
                t++;
            }
            if (alarmedAt < 0) {
                after[r] = -1;
                continue;
            }
            int above = 0;
            while (detector.alarm(s)) {
                s = detector.step(s, Cusum.score(windowPValue(UNIFORM, N, run)));
                if (detector.alarm(s)) {
                    above++;
                }
            }
            after[r] = above;
        }
        return new int[][] {after, flicker};
    }

    /** The q-quantile (nearest rank) of the values. */
    static int quantile(final int[] values, final double q) {
        final int[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    static String describe(final int[] delays) {
        final long missed = Arrays.stream(delays).filter(d -> d > MAX_DELAY).count();
        return String.format(Locale.ROOT, "median %2d  p95 %2d  max %s%s", quantile(delays, 0.5),
                quantile(delays, 0.95), missed > 0 ? ">" + MAX_DELAY : String.valueOf(quantile(delays, 1.0)),
                missed > 0 ? " (" + missed + " missed)" : "");
    }

    /**
     * Siegmund's approximation of the in-control ARL of a CUSUM on exactly N(0, 1) scores,
     * {@code (exp(2 k b) - 2 k b - 1) / (2 k^2)} with {@code b = h + 1.166} ({@code b^2} for k = 0):
     * the figure the simulation should give if the G-test p-value were exactly uniform.
     */
    static double siegmund(final double k, final double h) {
        final double b = h + 1.166;
        if (k == 0) {
            return b * b;
        }
        final double x = 2 * k * b;
        return (Math.exp(x) - x - 1) / (2 * k * k);
    }

    public static void main(final String[] args) {
        final long windows = args.length > 0 ? Long.parseLong(args[0]) : 4_000_000L;
        final int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        final long seed = args.length > 2 ? Long.parseLong(args[2]) : 14L;
        final int n = args.length > 3 ? Integer.parseInt(args[3]) : N;
        final Cusum[] detectors = {
            Cusum.DEFAULTS,
            new Cusum(0.25, 12.0, 13.0),
            new Cusum(0.5, 7.0, 8.0),
            new Cusum(0.5, 7.5, 8.5),
            new Cusum(0.75, 5.0, 6.0),
            new Cusum(1.0, 4.0, 5.0),
        };
        System.out.printf(Locale.ROOT, "N = %d events per window, %d uniform categories, FIXED reference, seed %d%n",
                n, CATEGORIES, seed);
        final long start = System.nanoTime();
        final InControl quiet = inControl(detectors, n, windows, seed);
        System.out.printf(Locale.ROOT, "%nNo drift, %,d windows: score mean %.4f sd %.4f (N(0,1) if p is uniform)%n",
                windows, quiet.meanZ(), quiet.sdZ());
        for (int l = 0; l < InControl.LEVELS.length; l++) {
            System.out.printf(Locale.ROOT, "  g_p_value < %-7s in %.6f of windows%n", InControl.LEVELS[l],
                    (double) quiet.rejected()[l] / windows);
        }
        for (int d = 0; d < detectors.length; d++) {
            final Cusum c = detectors[d];
            System.out.printf(Locale.ROOT, "  (%.2f, %.1f): ARL %,.0f, blocks of %,d windows without a false alarm %.4f%n",
                    c.k(), c.h(), quiet.arl(d), InControl.BLOCK, (double) quiet.survived()[d] / (windows / InControl.BLOCK));
        }
        if (n != N) {
            return;
        }
        final IntToDoubleFunction abrupt = t -> SHIFT;
        final IntToDoubleFunction slow = t -> DRIFT_PER_WINDOW * t;
        final IntToDoubleFunction small = t -> SMALL_SHIFT;
        for (final double m : new double[] {SMALL_SHIFT, SHIFT}) {
            final SplittableRandom random = new SplittableRandom(seed + 9);
            double sum = 0;
            for (int w = 0; w < 100_000; w++) {
                sum += Cusum.score(windowPValue(moved(m), N, random));
            }
            System.out.printf(Locale.ROOT, "Mean score with %.0f%% of mass moved: %.2f%n", 100 * m, sum / 100_000);
        }
        final int[][] abruptDelays = delays(detectors, abrupt, runs, seed + 1);
        final int[][] slowDelays = delays(detectors, slow, runs, seed + 2);
        final int[][] smallDelays = delays(detectors, small, runs, seed + 3);
        System.out.printf(Locale.ROOT, "%n%-21s %-37s %-9s | delay in windows (%d runs, S = 0 at the change): median p95 max%n",
                "detector (k, h, cap)", "in-control ARL [95%] (alarms)", "Siegmund", runs);
        System.out.printf(Locale.ROOT, "%-70s| %-27s %-27s %-27s%n", "", "6% shift", "0.5%/window drift",
                "3% shift");
        for (int d = 0; d < detectors.length + SINGLE_WINDOW_LEVELS.length; d++) {
            final String name;
            final String arl;
            final String theory;
            if (d < detectors.length) {
                final Cusum c = detectors[d];
                name = String.format(Locale.ROOT, "%s(%.2f, %.1f, %.1f)", d == 0 ? "*" : " ", c.k(), c.h(), c.cap());
                final double[] interval = quiet.arlInterval(d);
                arl = String.format(Locale.ROOT, "%,.0f [%,.0f, %,.0f] (%d)", quiet.arl(d), interval[0],
                        interval[1], quiet.alarms()[d]);
                theory = String.format(Locale.ROOT, "%,.0f", siegmund(c.k(), c.h()));
            } else {
                final double level = SINGLE_WINDOW_LEVELS[d - detectors.length];
                name = " single window p<" + level;
                arl = String.format(Locale.ROOT, "%,.0f", 1 / level);
                theory = "";
            }
            System.out.printf(Locale.ROOT, "%-21s %-37s %-9s | %-27s %-27s %-27s%n", name, arl, theory,
                    describe(abruptDelays[d]), describe(slowDelays[d]), describe(smallDelays[d]));
        }
        System.out.printf(Locale.ROOT, "%nWindows with S >= h after the drift ends (the drift lasts %d windows past the alarm;"
                + " %d runs: median p95 max); flicker: share of the drift windows after the alarm with S < h%n",
                FALL_EXTRA, runs);
        for (final Cusum base : detectors) {
            for (final double margin : new double[] {0.0, 1.0, 2.0}) {
                final Cusum c = new Cusum(base.k(), base.h(), base.h() + margin);
                final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  (%.2f, %.1f, %.1f)",
                        c.k(), c.h(), c.cap()));
                final IntToDoubleFunction[] drifts = {abrupt, slow, small};
                final String[] labels = {"6% shift", "0.5%/w drift", "3% shift"};
                for (int i = 0; i < drifts.length; i++) {
                    final int[][] fall = fallBelow(c, drifts[i], FALL_EXTRA, runs, seed + 4 + i);
                    final int[] detected = Arrays.stream(fall[0]).filter(a -> a >= 0).toArray();
                    line.append(String.format(Locale.ROOT, "  %s: %d %d %d flicker %.3f", labels[i],
                            quantile(detected, 0.5), quantile(detected, 0.95), quantile(detected, 1.0),
                            (double) fall[1][0] / fall[1][1]));
                }
                System.out.println(line);
            }
        }
        System.out.printf(Locale.ROOT, "%nTook %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
}
