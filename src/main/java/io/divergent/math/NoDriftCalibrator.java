package io.divergent.math;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

import org.apache.commons.numbers.gamma.LogGamma;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * Calibrates the Jensen-Shannon divergence and distance, the Hellinger, total variation and
 * L-infinity distances of a window against "no drift": the value each would have on average if
 * the window and the baseline came from one distribution, and the p-value of the observed value
 * under that null model. Stateless and thread-safe; the result is a pure function of the
 * arguments (the simulations are seeded by the caller, see {@link #seed}).
 *
 * <p><b>Null model.</b> Against a {@link BaselineKind#FIXED} baseline (a distribution q known
 * exactly, N_Q = infinity) the window is a multinomial sample of N_P events from q. Against a
 * {@link BaselineKind#SAMPLE} baseline (previous or last-n windows) both are independent multinomial
 * samples, of N_P and N_Q events, from one unknown distribution estimated by the pooled counts
 * (a parametric bootstrap). N_eff = 1 / (1/N_P + 1/N_Q), N_P for a fixed baseline; K is the
 * number of categories with a positive null probability.
 *
 * <p><b>Method per regime</b> (the docs give their accuracy):
 * <ul>
 *   <li>K = 1: every null sample is the same, values exact ({@link NoDrift.Method#EXACT});</li>
 *   <li>small counts (some expected count below {@value #MIN_EXPECTED_COUNT}) and
 *       N_P + N_Q at most {@link #MAX_SIMULATED_EVENTS}: a multinomial simulation of the null,
 *       with the window's smoothing, for all five distances; replicates bounded by a work budget;</li>
 *   <li>otherwise JS and Hellinger from {@code 8 N_eff JS_nats ~ 8 N_eff H^2 ~ chi-square(K - 1)};
 *       TV and L-infinity from a simulation of the Gaussian limit of p - q when K is at most
 *       {@link #GAUSSIAN_MAX_CATEGORIES}, else from normal / independent-categories approximations.</li>
 * </ul>
 * Each call costs O(K log K) plus at most about {@link #WORK_BUDGET} elementary draws; a window small
 * next to a reused fixed baseline, without smoothing, O(n log K) for its n categories when its null
 * simulation is cached (the sparse path: same results, see {@code calibrateSparse}).
 */
public final class NoDriftCalibrator {

    /** Whether the baseline is an exact distribution or a sample with its own noise. */
    /** Below this expected count in some category the chi-square limits are not trusted. */
    public static final double MIN_EXPECTED_COUNT = 5;
    /** Elementary draws (events sampled, Gaussian variates) one call may spend on simulation. */
    public static final int WORK_BUDGET = 20_000;
    /** Fewest replicates a simulation may use: p-values resolve 1 / (R + 1). */
    public static final int MIN_REPLICATES = 100;
    /** Most replicates a simulation uses. */
    public static final int MAX_REPLICATES = 1_000;
    /** The largest N_P + N_Q simulated by multinomial sampling within the budget. */
    public static final int MAX_SIMULATED_EVENTS = WORK_BUDGET / MIN_REPLICATES;
    /** The largest K for which TV and L-infinity are simulated in the Gaussian limit. */
    public static final int GAUSSIAN_MAX_CATEGORIES = WORK_BUDGET / MIN_REPLICATES;

    private static final NoDriftCalibrator INSTANCE = new NoDriftCalibrator();
    private static final double LN2 = 0.6931471805599453;
    /** Relative slack when counting replicates at least as large as the observed value (ties). */
    private static final double TIE = 1e-9;
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);
    /** Null simulations kept per thread, the most recently used: a window against a fixed baseline seen
     *  before, with the same event count and seed, reuses its replicates (issue 16). */
    private static final int KEPT_NULL_SAMPLES = 256;
    private static final ThreadLocal<Map<NullKey, NullSample>> NULL_SAMPLES = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(KEPT_NULL_SAMPLES * 2, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(final Map.Entry<NullKey, NullSample> eldest) {
                    return size() > KEPT_NULL_SAMPLES;
                }
            });

    private NoDriftCalibrator() {
    }

    /** The calibrator (it has no settings). */
    public static NoDriftCalibrator instance() {
        return INSTANCE;
    }

    /**
     * A 64-bit seed from a series id and a window start: the same window of the same series always
     * gets the same seed (FNV-1a over the UTF-8 bytes, then mixed with the start).
     *
     * @throws NullPointerException if {@code series} is null
     */
    public static long seed(final String series, final long windowStart) {
        long hash = 0xcbf29ce484222325L;
        for (final byte b : series.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new SplittableRandom(hash ^ Long.rotateLeft(windowStart, 29)).nextLong();
    }

    /**
     * Calibrates the window's distances against no drift.
     *
     * @param observed P, the window (integer counts; a fractional total is rounded for simulation)
     * @param baseline Q, the baseline
     * @param kind     whether Q is a fixed distribution or a sample
     * @param alpha    the additive smoothing of the measures, as in {@link DivergenceCalculator}
     * @param unit     unit of the Jensen-Shannon values
     * @param seed     seed of the simulations; the same arguments give the same result bit for bit
     * @return the calibrated distances
     * @throws NullPointerException     if a histogram, {@code kind} or {@code unit} is null
     * @throws IllegalArgumentException if {@code alpha} is negative, NaN or infinite
     * @throws EmptyHistogramException  if the window or the baseline has total weight 0: with no
     *                                  event (or no baseline mass) there is no null sample to compare
     */
    public NoDrift calibrate(final Histogram observed, final Histogram baseline, final BaselineKind kind,
                             final double alpha, final Unit unit, final long seed) {
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(unit, "unit");
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite and >= 0: " + alpha);
        }
        if (observed.total() == 0) {
            throw new EmptyHistogramException(EmptyHistogramException.OBSERVED);
        }
        if (baseline.total() == 0) {
            throw new EmptyHistogramException(EmptyHistogramException.REFERENCE);
        }
        if (kind == BaselineKind.FIXED && alpha == 0 && DivergenceCalculator.sparse(observed, baseline)) {
            return calibrateSparse(observed, baseline, unit, seed);
        }
        return calibrateFull(observed, baseline, kind, alpha, unit, seed);
    }

    /** The O(K) path over the union, whatever the sizes (package-private for the tests and the benchmark). */
    NoDrift calibrateFull(final Histogram observed, final Histogram baseline, final BaselineKind kind,
                          final double alpha, final Unit unit, final long seed) {
        final Problem problem = new Problem(observed, baseline, kind == BaselineKind.SAMPLE, alpha);
        return problem.solve(problem.observedStats(), unit, seed);
    }

    /**
     * A fixed baseline without smoothing, whatever the sizes (package-private for the tests and the
     * benchmark): the null model is Q's alone (the categories only in P have null probability 0
     * and, with alpha = 0, every term 0), precomputed once per reference instance
     * ({@link ReferenceIndex#fixedNull()}); the observed statistics cost O(n log K) for the n
     * categories of P (the vanished ones, p = 0, through their total), and a cached multinomial
     * null sample is found without touching K. Same result as {@link #calibrateFull}: bit for bit
     * for K, the replicates, the methods and the expected values; the multinomial p-values count
     * the same replicates (unless one lies within an ulp of the 1e-9 tie slack's edge); the
     * observed distances to a few ulps (at most 1 ulp measured; relative 1e-13, absolute 1e-16 next
     * to 0), the p-values of asymptotic tails to that error times the tail's slope (1e-11 relative).
     */
    NoDrift calibrateSparse(final Histogram observed, final Histogram baseline, final Unit unit, final long seed) {
        final ReferenceIndex index = baseline.referenceIndex();
        final String[] cp = observed.categoriesArray();
        final double[] wp = observed.weightsArray();
        final double[] wq = baseline.weightsArray();
        // As the full path: the plain sum of the window's counts, and N_Q.
        double dp = 0;
        for (final double v : wp) {
            dp += v;
        }
        final double dq = baseline.total();
        final Terms terms = new Terms();
        final ReferenceIndex.Overlap overlap = index.overlap(cp);
        for (int i = 0; i < cp.length; i++) {
            final int j = overlap.position(i);
            terms.add(wp[i] / dp, j >= 0 ? wq[j] / dq : 0.0);
        }
        terms.addVanished(overlap.vanishedMass() / dq, overlap.largestVanished() / dq);
        return new Problem(index, observed.total()).solve(terms.stats(), unit, seed);
    }

    /** Per-category terms, on smoothed probabilities p and q. */
    private static double jsTerm(final double p, final double q) {
        final double m = 0.5 * (p + q);
        double t = 0;
        if (p > 0) {
            t += p * StrictMath.log(p / m);
        }
        if (q > 0) {
            t += q * StrictMath.log(q / m);
        }
        return 0.5 * t;
    }

    private static double hTerm(final double p, final double q) {
        final double d = Math.sqrt(p) - Math.sqrt(q);
        return 0.5 * d * d;
    }

    /** The compensated sums of the per-category terms of one window, in category order. */
    private static final class Terms {
        private final CompensatedSum js = new CompensatedSum();
        private final CompensatedSum h2 = new CompensatedSum();
        private final CompensatedSum tv = new CompensatedSum();
        private double linf;

        void add(final double p, final double q) {
            js.add(jsTerm(p, q));
            h2.add(hTerm(p, q));
            tv.add(0.5 * Math.abs(p - q));
            linf = Math.max(linf, Math.abs(p - q));
        }

        /**
         * The terms of every category with p = 0 at once, from their total null mass and the
         * largest: each is a function of q alone, jsTerm(0, q) = q ln2 / 2 (M = q / 2),
         * hTerm(0, q) = q / 2, |p - q| / 2 = q / 2.
         */
        void addVanished(final double mass, final double largest) {
            js.add(0.5 * (mass * LN2));
            h2.add(0.5 * mass);
            tv.add(0.5 * mass);
            linf = Math.max(linf, largest);
        }

        Stats stats() {
            final Stats s = new Stats();
            s.js = Math.max(0, js.value());
            s.h2 = Math.max(0, h2.value());
            s.tv = tv.value();
            s.linf = linf;
            return s;
        }
    }

    /**
     * A null model's probabilities {@code pi_c = mass_c / pooled}, how many are positive (K of the
     * null model) and the least positive one.
     */
    record NullModel(double[] pi, int support, double minPi) {
        static NullModel of(final double[] mass, final double pooled) {
            final double[] pi = new double[mass.length];
            int support = 0;
            double minPi = Double.POSITIVE_INFINITY;
            for (int c = 0; c < mass.length; c++) {
                pi[c] = mass[c] / pooled;
                if (pi[c] > 0) {
                    support++;
                    minPi = Math.min(minPi, pi[c]);
                }
            }
            return new NullModel(pi, support, minPi);
        }
    }

    /** The five statistics of one (real or simulated) window: JS in nats, H^2, TV, L-infinity. */
    private static final class Stats {
        double js;
        double h2;
        double tv;
        double linf;
    }

    /** One calibration: the union categories and the null model. */
    private static final class Problem {
        private final boolean sample;
        private final double alpha;
        private final int k;
        private final double[] x;
        private final double[] w;
        private final double totalP;
        private final double totalQ;
        /** Null probabilities over the union; support cells are those with pi > 0. */
        private final double[] pi;
        private final int support;
        private final double nEff;
        private final double minExpected;
        /** What the null simulation depends on besides the counts, seed and replicates (its cache key). */
        private final Object nullData;

        Problem(final Histogram observed, final Histogram baseline, final boolean sample, final double alpha) {
            this.sample = sample;
            this.alpha = alpha;
            final String[] cp = observed.categoriesArray();
            final String[] cq = baseline.categoriesArray();
            final double[] wp = observed.weightsArray();
            final double[] wq = baseline.weightsArray();
            final double[] ux = new double[cp.length + cq.length];
            final double[] uw = new double[cp.length + cq.length];
            int i = 0;
            int j = 0;
            int n = 0;
            while (i < cp.length || j < cq.length) {
                final int order = i == cp.length ? 1 : j == cq.length ? -1 : cp[i].compareTo(cq[j]);
                if (order <= 0) {
                    ux[n] = wp[i++];
                }
                if (order >= 0) {
                    uw[n] = wq[j++];
                }
                n++;
            }
            this.k = n;
            this.x = Arrays.copyOf(ux, n);
            this.w = Arrays.copyOf(uw, n);
            this.totalP = observed.total();
            this.totalQ = baseline.total();
            final double[] mass = sample ? new double[n] : w;
            if (sample) {
                for (int c = 0; c < n; c++) {
                    mass[c] = x[c] + w[c];
                }
            }
            final NullModel model = NullModel.of(mass, sample ? totalP + totalQ : totalQ);
            this.pi = model.pi();
            this.support = model.support();
            this.nEff = sample ? 1 / (1 / totalP + 1 / totalQ) : totalP;
            this.minExpected = (sample ? Math.min(totalP, totalQ) : totalP) * model.minPi();
            this.nullData = new UnionCounts(sample ? x : null, w);
        }

        /**
         * A fixed baseline without smoothing, over Q's categories alone: with alpha = 0 the
         * categories only in P have null probability 0 and contribute 0 to every statistic of a null
         * sample, so the null model and its simulation are those over the union, bit for bit.
         */
        Problem(final ReferenceIndex reference, final double totalP) {
            final NullModel model = reference.fixedNull();
            final Histogram baseline = reference.histogram();
            this.sample = false;
            this.alpha = 0;
            this.k = baseline.size();
            this.x = null;
            this.w = baseline.weightsArray();
            this.totalP = totalP;
            this.totalQ = baseline.total();
            this.pi = model.pi();
            this.support = model.support();
            this.nEff = totalP;
            this.minExpected = totalP * model.minPi();
            this.nullData = new ReferenceKey(reference);
        }

        /** The statistics of the window itself (full path). */
        Stats observedStats() {
            return stats(x, sample ? w : null);
        }

        NoDrift solve(final Stats obs, final Unit unit, final long seed) {
            final NoDrift.Value[] v;
            int replicates = 0;
            if (support == 1) {
                v = exact(obs);
            } else {
                final long simulatedEvents = Math.round(totalP) + (sample ? Math.round(totalQ) : 0);
                if (minExpected < MIN_EXPECTED_COUNT && simulatedEvents <= MAX_SIMULATED_EVENTS) {
                    replicates = (int) Math.min(MAX_REPLICATES, WORK_BUDGET / Math.max(1, simulatedEvents));
                    v = multinomial(obs, replicates, seed);
                } else {
                    v = new NoDrift.Value[5];
                    chiSquare(obs, v);
                    if (support <= GAUSSIAN_MAX_CATEGORIES) {
                        replicates = Math.min(MAX_REPLICATES, WORK_BUDGET / support);
                        gaussian(obs, replicates, seed, v);
                    } else {
                        normalApproximation(obs, v);
                    }
                }
            }
            return new NoDrift(totalP, sample ? totalQ : Double.POSITIVE_INFINITY, support, replicates,
                    inUnit(v[0], unit, false), inUnit(v[1], unit, true), v[2], v[3], v[4], unit);
        }

        private static NoDrift.Value inUnit(final NoDrift.Value nats, final Unit unit, final boolean distance) {
            if (unit == Unit.NATS) {
                return nats;
            }
            final double f = distance ? Math.sqrt(LN2) : LN2;
            return new NoDrift.Value(nats.observed() / f, nats.expected() / f, nats.pValue(), nats.method());
        }

        /** The statistics of window counts {@code cx} against baseline counts {@code cy}, or the fixed baseline when null. */
        private Stats stats(final double[] cx, final double[] cy) {
            final double dp = sumOf(cx) + alpha * k;
            final double dq = (cy == null ? totalQ : sumOf(cy)) + alpha * k;
            final Terms terms = new Terms();
            for (int c = 0; c < k; c++) {
                terms.add((cx[c] + alpha) / dp, ((cy == null ? w[c] : cy[c]) + alpha) / dq);
            }
            return terms.stats();
        }

        private static double sumOf(final double[] a) {
            double t = 0;
            for (final double v : a) {
                t += v;
            }
            return t;
        }

        private NoDrift.Value[] exact(final Stats obs) {
            // The only null sample: all of N_P (and N_Q) in the single category with mass.
            final double[] cx = new double[k];
            final double[] cy = sample ? new double[k] : null;
            for (int c = 0; c < k; c++) {
                if (pi[c] > 0) {
                    cx[c] = totalP;
                    if (cy != null) {
                        cy[c] = totalQ;
                    }
                }
            }
            final Stats e = stats(cx, cy);
            return new NoDrift.Value[] {
                exactValue(obs.js, e.js), exactValue(Math.sqrt(obs.js), Math.sqrt(e.js)),
                exactValue(Math.sqrt(obs.h2), Math.sqrt(e.h2)), exactValue(obs.tv, e.tv),
                exactValue(obs.linf, e.linf)};
        }

        private static NoDrift.Value exactValue(final double observed, final double expected) {
            return new NoDrift.Value(observed, expected, atLeast(expected, observed) ? 1 : 0, NoDrift.Method.EXACT);
        }

        private static boolean atLeast(final double replicate, final double observed) {
            return replicate >= observed * (1 - TIE) - 1e-15;
        }

        private void chiSquare(final Stats obs, final NoDrift.Value[] v) {
            final int df = support - 1;
            final double s = 1 / (8 * nEff);
            final ChiSquaredDistribution chi = ChiSquaredDistribution.of(df);
            // E[sqrt(chi-square(df))] = sqrt(2) Gamma((df + 1) / 2) / Gamma(df / 2).
            final double meanChi = Math.sqrt(2) * StrictMath.exp(LogGamma.value((df + 1) / 2.0) - LogGamma.value(df / 2.0));
            final double pJs = chi.survivalProbability(obs.js / s);
            v[0] = new NoDrift.Value(obs.js, df * s, pJs, NoDrift.Method.CHI_SQUARE);
            v[1] = new NoDrift.Value(Math.sqrt(obs.js), Math.sqrt(s) * meanChi, pJs, NoDrift.Method.CHI_SQUARE);
            v[2] = new NoDrift.Value(Math.sqrt(obs.h2), Math.sqrt(s) * meanChi,
                    chi.survivalProbability(obs.h2 / s), NoDrift.Method.CHI_SQUARE);
        }

        /** TV and L-infinity from R draws of Z = p - q ~ N(0, (diag(pi) - pi pi^T) / N_eff). */
        private void gaussian(final Stats obs, final int replicates, final long seed, final NoDrift.Value[] v) {
            final int[] cells = supportCells();
            final double[] root = new double[cells.length];
            final double[] prob = new double[cells.length];
            final double scale = 1 / Math.sqrt(nEff);
            for (int c = 0; c < cells.length; c++) {
                prob[c] = pi[cells[c]];
                root[c] = Math.sqrt(prob[c]);
            }
            final SplittableRandom random = new SplittableRandom(seed);
            final double[] g = new double[cells.length];
            double sumTv = 0;
            double sumLinf = 0;
            int geTv = 0;
            int geLinf = 0;
            for (int r = 0; r < replicates; r++) {
                double dot = 0;
                for (int c = 0; c < g.length; c++) {
                    g[c] = random.nextGaussian();
                    dot += root[c] * g[c];
                }
                double tv = 0;
                double linf = 0;
                for (int c = 0; c < g.length; c++) {
                    final double z = Math.abs(root[c] * g[c] - prob[c] * dot) * scale;
                    tv += z;
                    linf = Math.max(linf, z);
                }
                tv *= 0.5;
                sumTv += tv;
                sumLinf += linf;
                geTv += atLeast(tv, obs.tv) ? 1 : 0;
                geLinf += atLeast(linf, obs.linf) ? 1 : 0;
            }
            v[3] = new NoDrift.Value(obs.tv, sumTv / replicates, (1.0 + geTv) / (replicates + 1.0),
                    NoDrift.Method.GAUSSIAN_SIMULATION);
            v[4] = new NoDrift.Value(obs.linf, sumLinf / replicates, (1.0 + geLinf) / (replicates + 1.0),
                    NoDrift.Method.GAUSSIAN_SIMULATION);
        }

        /**
         * TV ~ normal with the exact Gaussian-limit mean and the variance of independent categories;
         * L-infinity from independent categories, P(max |Z_i| <= t) = prod (1 - 2 Phi(-t / sigma_i)),
         * its mean integrated over t. The sigmas are grouped in bins 10% wide (the docs give the error) so that the cost does
         * not grow with K.
         */
        private void normalApproximation(final Stats obs, final NoDrift.Value[] v) {
            double mean = 0;
            double variance = 0;
            double sigmaMax = 0;
            for (final double p : pi) {
                if (p > 0) {
                    final double sigma = Math.sqrt(p * (1 - p) / nEff);
                    mean += 0.5 * SQRT_2_OVER_PI * sigma;
                    variance += 0.25 * sigma * sigma * (1 - 2 / Math.PI);
                    sigmaMax = Math.max(sigmaMax, sigma);
                }
            }
            final double pTv = STANDARD_NORMAL.survivalProbability((obs.tv - mean) / Math.sqrt(variance));
            v[3] = new NoDrift.Value(obs.tv, mean, pTv, NoDrift.Method.NORMAL_APPROXIMATION);
            // Bins by log(sigmaMax / sigma) in steps of log(1.1); sigma of a bin = its geometric centre.
            final double step = StrictMath.log(1.1);
            final int bins = 200;
            final double[] count = new double[bins];
            for (final double p : pi) {
                if (p > 0) {
                    final double sigma = Math.sqrt(p * (1 - p) / nEff);
                    final int b = (int) Math.min(bins - 1, Math.floor(StrictMath.log(sigmaMax / sigma) / step));
                    count[b]++;
                }
            }
            int used = 0;
            for (final double c : count) {
                used += c > 0 ? 1 : 0;
            }
            final double[] usedCount = new double[used];
            final double[] sigmas = new double[used];
            for (int b = 0, u = 0; b < bins; b++) {
                if (count[b] > 0) {
                    usedCount[u] = count[b];
                    sigmas[u++] = sigmaMax * StrictMath.exp(-(b + 0.5) * step);
                }
            }
            final double upper = sigmaMax * (Math.sqrt(2 * StrictMath.log(2.0 * support)) + 6);
            final int intervals = 32;
            final double h = upper / intervals;
            double integral = 0;
            for (int i = 0; i <= intervals; i++) {
                final double weight = i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2);
                integral += weight * (1 - cdfMax(i * h, usedCount, sigmas));
            }
            final double expected = integral * h / 3;
            v[4] = new NoDrift.Value(obs.linf, expected,
                    Math.max(0, Math.min(1, 1 - cdfMax(obs.linf, usedCount, sigmas))), NoDrift.Method.NORMAL_APPROXIMATION);
        }

        private static double cdfMax(final double t, final double[] count, final double[] sigmas) {
            if (t <= 0) {
                return 0;
            }
            double log = 0;
            for (int b = 0; b < count.length; b++) {
                // Beyond 8.3 sigma the tail is below 1e-16: skip the normal CDF.
                if (t < 8.3 * sigmas[b]) {
                    final double tail = 2 * STANDARD_NORMAL.cumulativeProbability(-t / sigmas[b]);
                    if (tail >= 1) {
                        return 0;
                    }
                    log += count[b] * StrictMath.log1p(-tail);
                }
            }
            return StrictMath.exp(log);
        }

        private int[] supportCells() {
            final int[] cells = new int[support];
            int n = 0;
            for (int c = 0; c < k; c++) {
                if (pi[c] > 0) {
                    cells[n++] = c;
                }
            }
            return cells;
        }

        /**
         * All five from R multinomial null samples. A sample touches at most N_P + N_Q categories,
         * so each replicate costs O(N_P + N_Q): the terms of the untouched categories are summed
         * once (count 0), and each touched category replaces its count-0 term.
         */
        private NoDrift.Value[] multinomial(final Stats obs, final int replicates, final long seed) {
            final int nP = (int) Math.round(totalP);
            final int nQ = sample ? (int) Math.round(totalQ) : 0;
            final double dp = nP + alpha * k;
            final double dq = (sample ? nQ : totalQ) + alpha * k;
            final double p0 = alpha / dp;
            final NullSample nulls = NULL_SAMPLES.get().computeIfAbsent(
                    new NullKey(sample, alpha, nP, nQ, totalQ, nullData, replicates, seed), key -> {
                // Count-0 terms of every category (the baseline side at count 0 too for a sample).
                final double[] q0 = new double[k];
                final double[] js0 = new double[k];
                final double[] h0 = new double[k];
                final double[] tv0 = new double[k];
                double baseJs = 0;
                double baseH = 0;
                double baseTv = 0;
                for (int c = 0; c < k; c++) {
                    q0[c] = sample ? alpha / dq : (w[c] + alpha) / dq;
                    js0[c] = jsTerm(p0, q0[c]);
                    h0[c] = hTerm(p0, q0[c]);
                    tv0[c] = 0.5 * Math.abs(p0 - q0[c]);
                    baseJs += js0[c];
                    baseH += h0[c];
                    baseTv += tv0[c];
                }
                // The categories with the largest |p0 - q0| first: the largest untouched one bounds
                // L-infinity. A replicate touches at most N_P + N_Q categories, so only that many + 1
                // candidates are kept (a primitive sort finds the threshold; the few candidates are ordered).
                final int keep = (int) Math.min(k, (long) nP + nQ + 1);
                final double[] sortedTv0 = tv0.clone();
                Arrays.sort(sortedTv0);
                final double threshold = sortedTv0[k - keep];
                final java.util.List<Integer> candidates = new java.util.ArrayList<>(keep);
                for (int c = 0; c < k; c++) {
                    if (tv0[c] >= threshold) {
                        candidates.add(c);
                    }
                }
                candidates.sort((a, b) -> Double.compare(tv0[b], tv0[a]));
                final Integer[] boxed = candidates.toArray(Integer[]::new);
                final int[] cells = supportCells();
                final double[] cellPi = new double[cells.length];
                for (int c = 0; c < cells.length; c++) {
                    cellPi[c] = pi[cells[c]];
                }
                final double js00 = baseJs;
                final double h00 = baseH;
                final double tv00 = baseTv;
                final Alias alias = new Alias(cellPi);
                final SplittableRandom random = new SplittableRandom(seed);
                final int[] cx = new int[k];
                final int[] cy = new int[k];
                final int[] stamp = new int[k];
                final int[] touched = new int[Math.min(k, nP + nQ)];
                final NullSample out = new NullSample(replicates);
                for (int r = 1; r <= replicates; r++) {
                    int n = 0;
                    for (int e = 0; e < nP + nQ; e++) {
                        final int c = cells[alias.sample(random)];
                        if (stamp[c] != r) {
                            stamp[c] = r;
                            cx[c] = 0;
                            cy[c] = 0;
                            touched[n++] = c;
                        }
                        if (e < nP) {
                            cx[c]++;
                        } else {
                            cy[c]++;
                        }
                    }
                    double js = js00;
                    double h2 = h00;
                    double tv = tv00;
                    double linf = 0;
                    for (int t = 0; t < n; t++) {
                        final int c = touched[t];
                        final double p = (cx[c] + alpha) / dp;
                        final double q = sample ? (cy[c] + alpha) / dq : q0[c];
                        js += jsTerm(p, q) - js0[c];
                        h2 += hTerm(p, q) - h0[c];
                        final double d = Math.abs(p - q);
                        tv += 0.5 * d - tv0[c];
                        linf = Math.max(linf, d);
                    }
                    for (final Integer c : boxed) {
                        if (stamp[c] != r) {
                            linf = Math.max(linf, 2 * tv0[c]);
                            break;
                        }
                    }
                    out.add(r - 1, Math.max(0, js), Math.max(0, h2), Math.max(0, tv), linf);
                }
                out.sort();
                return out;
            });
            final double rr = replicates;
            final NoDrift.Method m = NoDrift.Method.MULTINOMIAL_SIMULATION;
            final double pJs = (1 + nulls.atLeast(nulls.js, obs.js)) / (rr + 1);
            return new NoDrift.Value[] {
                new NoDrift.Value(obs.js, nulls.sumJs / rr, pJs, m),
                new NoDrift.Value(Math.sqrt(obs.js), nulls.sumJsDistance / rr, pJs, m),
                new NoDrift.Value(Math.sqrt(obs.h2), nulls.sumH / rr, (1 + nulls.atLeast(nulls.h2, obs.h2)) / (rr + 1), m),
                new NoDrift.Value(obs.tv, nulls.sumTv / rr, (1 + nulls.atLeast(nulls.tv, obs.tv)) / (rr + 1), m),
                new NoDrift.Value(obs.linf, nulls.sumLinf / rr, (1 + nulls.atLeast(nulls.linf, obs.linf)) / (rr + 1), m)};
        }
    }

    /**
     * What a multinomial null simulation depends on: the same key always simulates the same
     * replicates (the seed is part of it), so they can be kept and reused.
     */
    private record NullKey(boolean sample, double alpha, int nP, int nQ, double totalQ, Object data,
                           int replicates, long seed) {
    }

    /** The union counts of a full-path calibration (the window's only for a sample baseline), compared by content. */
    private record UnionCounts(double[] x, double[] w) {
        @Override
        public boolean equals(final Object o) {
            return o instanceof UnionCounts that && Arrays.equals(x, that.x) && Arrays.equals(w, that.w);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(x) + Arrays.hashCode(w);
        }
    }

    /**
     * The fixed reference of a sparse-path calibration: found in O(1) for the same instance (the
     * window processor reuses them), by content (O(K) once) for an equal one decoded again.
     */
    private record ReferenceKey(ReferenceIndex index) {
        @Override
        public boolean equals(final Object o) {
            return o instanceof ReferenceKey that && (index == that.index
                    || index.hash() == that.index.hash() && index.histogram().equals(that.index.histogram()));
        }

        @Override
        public int hashCode() {
            return index.hash();
        }
    }

    /**
     * The replicates of one null simulation: their sums in simulation order (the expected values)
     * and each statistic sorted (a p-value is then a binary search).
     */
    private static final class NullSample {
        final double[] js;
        final double[] h2;
        final double[] tv;
        final double[] linf;
        double sumJs;
        double sumJsDistance;
        double sumH;
        double sumTv;
        double sumLinf;

        NullSample(final int replicates) {
            js = new double[replicates];
            h2 = new double[replicates];
            tv = new double[replicates];
            linf = new double[replicates];
        }

        void add(final int r, final double js, final double h2, final double tv, final double linf) {
            this.js[r] = js;
            this.h2[r] = h2;
            this.tv[r] = tv;
            this.linf[r] = linf;
            sumJs += js;
            sumJsDistance += Math.sqrt(js);
            sumH += Math.sqrt(h2);
            sumTv += tv;
            sumLinf += linf;
        }

        void sort() {
            Arrays.sort(js);
            Arrays.sort(h2);
            Arrays.sort(tv);
            Arrays.sort(linf);
        }

        /** Replicates at least {@code observed} (with the calibrator's tie slack), from a sorted array. */
        int atLeast(final double[] sorted, final double observed) {
            final double threshold = observed * (1 - TIE) - 1e-15;
            int lo = 0;
            int hi = sorted.length;
            while (lo < hi) {
                final int mid = (lo + hi) >>> 1;
                if (sorted[mid] >= threshold) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return sorted.length - lo;
        }
    }

    /**
     * Walker's alias table over positive probabilities: one index in O(1) per draw, deterministic
     * for a given random stream.
     */
    private static final class Alias {
        private final double[] cut;
        private final int[] alias;

        Alias(final double[] probabilities) {
            final int n = probabilities.length;
            cut = new double[n];
            alias = new int[n];
            final int[] small = new int[n];
            final int[] large = new int[n];
            int ns = 0;
            int nl = 0;
            for (int i = 0; i < n; i++) {
                cut[i] = probabilities[i] * n;
                alias[i] = i;
                if (cut[i] < 1) {
                    small[ns++] = i;
                } else {
                    large[nl++] = i;
                }
            }
            while (ns > 0 && nl > 0) {
                final int s = small[--ns];
                final int l = large[--nl];
                alias[s] = l;
                cut[l] -= 1 - cut[s];
                if (cut[l] < 1) {
                    small[ns++] = l;
                } else {
                    large[nl++] = l;
                }
            }
            // Rounding leftovers keep their own category.
            while (nl > 0) {
                cut[large[--nl]] = 1;
            }
            while (ns > 0) {
                cut[small[--ns]] = 1;
            }
        }

        int sample(final SplittableRandom random) {
            final int i = random.nextInt(cut.length);
            return random.nextDouble() < cut[i] ? i : alias[i];
        }
    }
}
