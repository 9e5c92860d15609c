package io.divergent.cli;

import io.divergent.avro.AlertKind;
import io.divergent.local.AlertSoak;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code divergent soak}: how many alerts are false, and how late drift is seen, with a monitor's alert settings. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        header = "Measures the alerts' false alarms and detection delays on synthetic traffic (no broker).",
        description = {"Every series samples a fixed reference of 5 equally likely categories, N events per 60 s window.",
                "Three soaks: no drift; an abrupt shift of --abrupt of the mass in --drifted series for --episode windows;",
                "a slow drift of --slow of the mass per window in --drifted series. Prints a Markdown table: false FIRING",
                "alerts per 1,000 series-windows of the series that never drift (and before an episode), the share of",
                "those series with one, what a plain threshold (raw JS distance >= 0.1, no evidence, no lifecycle) fires",
                "on, detection delays, and FIRING / RESOLVED per drifted series (one each per episode is right)."})
public final class SoakCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--series", defaultValue = "200", description = "Series (default ${DEFAULT-VALUE}).")
    private int series;

    @Option(names = "--windows", defaultValue = "300", description = "Windows (default ${DEFAULT-VALUE}).")
    private int windows;

    @Option(names = "--events", defaultValue = "400", description = "Events per series per window, N (default ${DEFAULT-VALUE}).")
    private int events;

    @Option(names = "--drifted", defaultValue = "10", description = "Series that drift (default ${DEFAULT-VALUE}).")
    private int drifted;

    @Option(names = "--abrupt", defaultValue = "0.06", description = "Mass moved by the abrupt shift (default ${DEFAULT-VALUE}).")
    private double abrupt;

    @Option(names = "--slow", defaultValue = "0.005", description = "Mass moved per window by the slow drift (default ${DEFAULT-VALUE}).")
    private double slow;

    @Option(names = "--episode-start", defaultValue = "100", description = "First window of the drift (default ${DEFAULT-VALUE}).")
    private int episodeStart;

    @Option(names = "--episode", defaultValue = "40", description = "Windows the drift lasts (default ${DEFAULT-VALUE}).")
    private int episode;

    @Option(names = "--seed", defaultValue = "20261130", description = "Seed of the sampling (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--replay", description = "Feed every event through the topology on a test driver instead of each"
            + " window's counts to the window-close code (same results, about 100x slower).")
    private boolean replay;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "An alert setting of the soak's monitor, e.g."
            + " --set alert.for=2 (the part after monitor.soak.); repeatable.")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() {
        final Map<String, String> keys = new LinkedHashMap<>();
        settings.forEach((k, v) -> keys.put("monitor.soak." + k, v));
        final AlertSoak.Path path = replay ? AlertSoak.Path.REPLAY : AlertSoak.Path.WINDOW_CLOSE;
        final PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%d series x %d windows x %d events per window; %d drifted from window %d for %d windows%n%n",
                series, windows, events, drifted, episodeStart, episode);
        out.println("| soak | false FIRING per 1,000 series-windows (threshold + change) | series with a false FIRING"
                + " | plain threshold per 1,000 | delay, windows: median / worst (threshold; change) | FIRING per drifted series"
                + " | RESOLVED per drifted series | drifted series missed |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (final AlertSoak.Drift drift : AlertSoak.Drift.values()) {
            final double shift = drift == AlertSoak.Drift.ABRUPT ? abrupt : slow;
            final String name = switch (drift) {
                case NONE -> "no drift";
                case ABRUPT -> "abrupt " + percent(abrupt);
                case SLOW -> "slow " + percent(slow) + " per window";
            };
            final AlertSoak.Result r = AlertSoak.run(new AlertSoak.Plan(series, windows, events,
                    drift == AlertSoak.Drift.NONE ? 0 : drifted, drift, shift, episodeStart, episode, seed, keys), path);
            out.printf(Locale.ROOT, "| %s | %.3f (%d + %d) | %d of %d | %.1f | %s; %s | %s | %s | %s |%n", name,
                    r.falsePerThousand(), r.falseFiring().get(AlertKind.THRESHOLD), r.falseFiring().get(AlertKind.CHANGE),
                    r.cleanSeriesWithFalse(), r.cleanSeries(), 1000.0 * r.plainCrossings() / r.cleanSeriesWindows(),
                    delays(r.delays().get(AlertKind.THRESHOLD)), delays(r.delays().get(AlertKind.CHANGE)),
                    perSeries(r.firing()), perSeries(r.resolved()), missed(r));
            out.flush();
        }
        return 0;
    }

    private static String percent(final double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static String delays(final List<Integer> delays) {
        final List<Integer> seen = new ArrayList<>(delays.stream().filter(d -> d >= 0).toList());
        if (seen.isEmpty()) {
            return "-";
        }
        Collections.sort(seen);
        return seen.get((seen.size() - 1) / 2) + " / " + seen.get(seen.size() - 1);
    }

    /** Min-max over the drifted series of threshold and change alerts, as "threshold; change". */
    private static String perSeries(final Map<AlertKind, List<Integer>> counts) {
        final List<String> parts = new ArrayList<>();
        for (final AlertKind kind : List.of(AlertKind.THRESHOLD, AlertKind.CHANGE)) {
            final List<Integer> c = counts.get(kind);
            parts.add(c.isEmpty() ? "-" : Collections.min(c) + "-" + Collections.max(c));
        }
        return String.join("; ", parts);
    }

    private static String missed(final AlertSoak.Result r) {
        int missed = 0;
        final List<Integer> t = r.delays().get(AlertKind.THRESHOLD);
        final List<Integer> c = r.delays().get(AlertKind.CHANGE);
        for (int i = 0; i < t.size(); i++) {
            missed += t.get(i) < 0 && c.get(i) < 0 ? 1 : 0;
        }
        return t.isEmpty() ? "-" : Integer.toString(missed);
    }
}
