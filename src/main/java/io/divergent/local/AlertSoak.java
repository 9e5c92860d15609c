package io.divergent.local;

import io.divergent.avro.AlertKind;
import io.divergent.avro.AlertState;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.WeightsKind;
import io.divergent.alert.WindowAlerts;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import io.divergent.topology.WindowEvaluation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The alert soak of issue 14: synthetic traffic of many series through the production topology
 * (a {@link ReplaySession}, no broker), every series sampling a fixed reference of
 * {@value #K} equally likely categories, some of them drifting in one episode; counts the alerts
 * that are false (on series that never drift, or before a drift starts) and how late the drifts
 * are seen. Deterministic for a seed.
 */
public final class AlertSoak {

    /** Categories of the reference, equally likely. */
    public static final int K = 5;
    private static final long WINDOW_MS = 60_000;
    private static final String TOPIC = "soak";
    private static final String MONITOR = "soak";

    /** What happens to the drifted series. */
    public enum Drift {
        /** Nothing: every series samples the reference throughout. */
        NONE,
        /** From the episode's first window to its last, {@code shift} of mass moves from c0 to c1. */
        ABRUPT,
        /** In the episode's k-th window (from 1), {@code k * shift} of mass has moved from c0 to c1 (at most c0's). */
        SLOW
    }

    /**
     * A soak's parameters.
     *
     * @param series        series (segments of one monitor)
     * @param windows       60 s windows
     * @param events        events per series per window (N)
     * @param drifted       series that drift (the first ones), in the episode
     * @param drift         how they drift
     * @param shift         mass moved (ABRUPT), or per window (SLOW)
     * @param episodeStart  the episode's first window
     * @param episodeLength its windows
     * @param seed          of the sampling
     * @param keys          configuration keys on top of the soak's monitor (alert.* of monitor {@value #MONITOR})
     */
    public record Plan(int series, int windows, int events, int drifted, Drift drift, double shift, int episodeStart,
                       int episodeLength, long seed, Map<String, String> keys) {
        public Plan {
            keys = Map.copyOf(keys);
        }
    }

    /**
     * What a soak saw.
     *
     * @param cleanSeriesWindows      series-windows of the series that never drift
     * @param falseFiring             FIRING alerts (not reminders) on them, and on drifted series before their episode, by kind
     * @param cleanSeriesWithFalse    clean series with at least one false FIRING
     * @param cleanSeries             clean series
     * @param plainCrossings          windows of clean series whose raw JS distance reached 0.1 (bits) with
     *                                at least 100 events: what a plain threshold (no evidence, no lifecycle) alerts on
     * @param delays                  per drifted series, the windows from the episode's start to the window that
     *                                made its first FIRING of the kind (0: the first drifted window), by kind;
     *                                -1 when it was not seen
     * @param firing                  per drifted series, FIRING alerts (not reminders) from the episode's start on, by kind
     * @param resolved                per drifted series, RESOLVED alerts from the episode's start on, by kind
     */
    public record Result(long cleanSeriesWindows, Map<AlertKind, Integer> falseFiring, int cleanSeriesWithFalse,
                         int cleanSeries, long plainCrossings, Map<AlertKind, List<Integer>> delays,
                         Map<AlertKind, List<Integer>> firing, Map<AlertKind, List<Integer>> resolved) {

        /** False FIRING alerts per 1,000 clean series-windows, all kinds. */
        public double falsePerThousand() {
            return 1000.0 * falseFiring.values().stream().mapToInt(Integer::intValue).sum() / cleanSeriesWindows;
        }
    }

    private AlertSoak() {
    }

    /** The configuration of the soak's monitor, before the plan's keys. */
    public static Map<String, String> baseKeys() {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("application.id", "divergent-soak");
        keys.put("monitor." + MONITOR + ".input.topic", TOPIC);
        keys.put("monitor." + MONITOR + ".value.format", "json");
        keys.put("monitor." + MONITOR + ".category.field", "c");
        keys.put("monitor." + MONITOR + ".segment.fields", "s");
        keys.put("monitor." + MONITOR + ".window.size", "60s");
        keys.put("monitor." + MONITOR + ".top", "0");
        return keys;
    }

    /** How the sampled traffic reaches the alerting. */
    public enum Path {
        /** Every event a record through the production topology on a test driver ({@link ReplaySession}). */
        REPLAY,
        /**
         * Each window's counts straight to what the topology runs when a window closes
         * ({@link WindowEvaluation}): the same events and alerts for the same seed (a test keeps
         * them equal), without the per-record cost, so soaks of millions of events run in minutes.
         */
        WINDOW_CLOSE
    }

    /** Runs a soak. */
    public static Result run(final Plan plan, final Path path) {
        final Map<String, String> keys = baseKeys();
        keys.putAll(plan.keys());
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        final SplittableRandom random = new SplittableRandom(plan.seed());
        final String[] ids = new String[plan.series()];
        final byte[][][] values = new byte[plan.series()][K][];
        final Map<String, Integer> indexOf = new HashMap<>();
        final Map<String, Double> reference = new TreeMap<>();
        for (int c = 0; c < K; c++) {
            reference.put("c" + c, 1.0 / K);
        }
        for (int s = 0; s < plan.series(); s++) {
            final String name = String.format("s%04d", s);
            ids[s] = MONITOR + "|s=" + name;
            indexOf.put(ids[s], s);
            for (int c = 0; c < K; c++) {
                values[s][c] = ("{\"s\":\"" + name + "\",\"c\":\"c" + c + "\"}").getBytes(StandardCharsets.UTF_8);
            }
        }
        final Tally tally = new Tally(plan);
        final double[] clean = distribution(0);
        if (path == Path.REPLAY) {
            try (ReplaySession session = new ReplaySession(config)) {
                for (int s = 0; s < plan.series(); s++) {
                    session.reference(ids[s], 0, reference, WeightsKind.FIXED);
                }
                for (int w = 0; w < plan.windows(); w++) {
                    final double[] drifted = distribution(shiftAt(plan, w));
                    for (int i = 0; i < plan.events(); i++) {
                        final long t = w * WINDOW_MS + i * WINDOW_MS / plan.events();
                        for (int s = 0; s < plan.series(); s++) {
                            session.input(TOPIC, t, null, values[s][sample(s < plan.drifted() ? drifted : clean, random)]);
                        }
                    }
                    tally.add(session.events(), session.alerts(), indexOf);
                }
                session.input(TOPIC, plan.windows() * WINDOW_MS, null, values[0][0]);   // closes the last window
                tally.add(session.events(), session.alerts(), indexOf);
            }
            return tally.result();
        }
        final MonitorConfig monitor = config.monitors().get(0);
        final WindowEvaluation evaluation = new WindowEvaluation(monitor);
        final Histogram referenceHistogram = Histogram.of(reference);
        final WindowAlerts.States store = WindowAlerts.States.inMemory();
        final String[] categories = new String[K];
        for (int c = 0; c < K; c++) {
            categories[c] = "c" + c;
        }
        for (int w = 0; w < plan.windows(); w++) {
            final double[] drifted = distribution(shiftAt(plan, w));
            final long[][] counts = new long[plan.series()][K];
            for (int i = 0; i < plan.events(); i++) {
                for (int s = 0; s < plan.series(); s++) {
                    counts[s][sample(s < plan.drifted() ? drifted : clean, random)]++;
                }
            }
            // As the window processor emits them: series in sorted order, only those with events.
            final List<DivergenceEvent> events = new ArrayList<>(plan.series());
            final long start = w * WINDOW_MS;
            for (int s = 0; s < plan.series(); s++) {
                final Map<String, Long> observed = new TreeMap<>();
                for (int c = 0; c < K; c++) {
                    if (counts[s][c] > 0) {
                        observed.put(categories[c], counts[s][c]);
                    }
                }
                if (!observed.isEmpty()) {
                    events.add(evaluation.event(ids[s], start, start + WINDOW_MS, Histogram.of(observed), referenceHistogram,
                            0, BaselineKind.FIXED));
                }
            }
            tally.add(events, evaluation.alerts(events, store), indexOf);
        }
        return tally.result();
    }

    /** Mass moved from c0 to c1 in window w. */
    static double shiftAt(final Plan plan, final int w) {
        final int k = w - plan.episodeStart() + 1;
        if (plan.drift() == Drift.NONE || k < 1 || k > plan.episodeLength()) {
            return 0;
        }
        return plan.drift() == Drift.ABRUPT ? plan.shift() : Math.min(1.0 / K, k * plan.shift());
    }

    private static double[] distribution(final double shift) {
        final double[] p = new double[K];
        java.util.Arrays.fill(p, 1.0 / K);
        p[0] -= shift;
        p[1] += shift;
        return p;
    }

    private static int sample(final double[] p, final SplittableRandom random) {
        double u = random.nextDouble();
        for (int c = 0; c < p.length - 1; c++) {
            u -= p[c];
            if (u < 0) {
                return c;
            }
        }
        return p.length - 1;
    }

    /** Counts as the windows close. */
    private static final class Tally {
        private final Plan plan;
        private final Map<AlertKind, Integer> falseFiring = new EnumMap<>(AlertKind.class);
        private final boolean[] cleanWithFalse;
        private final Map<AlertKind, List<Integer>> delays = new EnumMap<>(AlertKind.class);
        private final Map<AlertKind, List<Integer>> firing = new EnumMap<>(AlertKind.class);
        private final Map<AlertKind, List<Integer>> resolved = new EnumMap<>(AlertKind.class);
        private long cleanSeriesWindows;
        private long plainCrossings;

        Tally(final Plan plan) {
            this.plan = plan;
            this.cleanWithFalse = new boolean[plan.series()];
            for (final AlertKind kind : AlertKind.values()) {
                falseFiring.put(kind, 0);
                delays.put(kind, filled(plan.drifted(), -1));
                firing.put(kind, filled(plan.drifted(), 0));
                resolved.put(kind, filled(plan.drifted(), 0));
            }
        }

        private static List<Integer> filled(final int n, final int value) {
            final List<Integer> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(value);
            }
            return list;
        }

        void add(final List<DivergenceEvent> events, final List<DriftAlert> alerts, final Map<String, Integer> indexOf) {
            for (final DivergenceEvent event : events) {
                if (indexOf.get(event.getSeriesId()) >= plan.drifted()) {
                    cleanSeriesWindows++;
                    if (event.getJsDistance() != null && event.getJsDistance() >= 0.1 && event.getObservedTotal() >= 100) {
                        plainCrossings++;
                    }
                }
            }
            for (final DriftAlert alert : alerts) {
                final int s = indexOf.get(alert.getSeriesId());
                final AlertKind kind = alert.getKind();
                final int w = (int) (alert.getWindowStart().toEpochMilli() / WINDOW_MS);
                final boolean inEpisode = s < plan.drifted() && w >= plan.episodeStart();
                if (alert.getState() == AlertState.FIRING && !alert.getReminder()) {
                    if (!inEpisode) {
                        falseFiring.merge(kind, 1, Integer::sum);
                        cleanWithFalse[s] = s >= plan.drifted() || cleanWithFalse[s];
                    } else {
                        firing.get(kind).set(s, firing.get(kind).get(s) + 1);
                        if (delays.get(kind).get(s) < 0) {
                            delays.get(kind).set(s, w - plan.episodeStart());
                        }
                    }
                } else if (alert.getState() == AlertState.RESOLVED && inEpisode) {
                    resolved.get(kind).set(s, resolved.get(kind).get(s) + 1);
                }
            }
        }

        Result result() {
            int withFalse = 0;
            for (int s = plan.drifted(); s < plan.series(); s++) {
                withFalse += cleanWithFalse[s] ? 1 : 0;
            }
            return new Result(cleanSeriesWindows, falseFiring, withFalse, plan.series() - plan.drifted(), plainCrossings,
                    delays, firing, resolved);
        }
    }
}
