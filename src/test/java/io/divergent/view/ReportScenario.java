package io.divergent.view;

import io.divergent.config.DivergentConfig;
import io.divergent.local.Replayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small replay for the report tests: monitor {@code genres} segmented by country, 60 s windows,
 * 12 windows of 20 events per series. US always matches its reference exactly; DE drifts in
 * windows 2-4 (40% new "documentary"), matches again in 5-9 (its alert resolves), and drifts
 * again in 10-11, so it ends the replay in alert with two episodes.
 */
final class ReportScenario {

    static final String DE = "genres|country=DE";
    static final String US = "genres|country=US";
    static final int WINDOWS = 12;
    static final int PER_WINDOW = 20;

    private ReportScenario() {
    }

    static DivergentConfig config() {
        return DivergentConfig.fromMap(Map.of(
                "application.id", "divergent-report-test",
                "monitor.genres.input.topic", "plays",
                "monitor.genres.value.format", "json",
                "monitor.genres.category.field", "genre",
                "monitor.genres.segment.fields", "country",
                "monitor.genres.window.size", "60s",
                "monitor.genres.window.grace", "5s",
                "monitor.genres.alert.js_distance.warning", "0.1",
                "monitor.genres.alert.js_distance.critical", "0.3"));
    }

    static boolean drifts(final int window) {
        return (window >= 2 && window <= 4) || window >= 10;
    }

    static Replayer.Result replay() {
        final List<String> references = new ArrayList<>();
        for (final String series : List.of(DE, US)) {
            references.add("{\"timestamp\": 0, \"key\": \"" + series
                    + "\", \"value\": {\"weights\": {\"action\": 3, \"comedy\": 4, \"drama\": 2, \"horror\": 1}}}");
        }
        final Map<String, Integer> usual = Map.of("action", 6, "comedy", 8, "drama", 4, "horror", 2);
        final Map<String, Integer> drifted = Map.of("action", 2, "comedy", 4, "drama", 4, "horror", 2, "documentary", 8);
        final List<String> events = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            final List<String> de = genres(drifts(w) ? drifted : usual);
            final List<String> us = genres(usual);
            for (int i = 0; i < PER_WINDOW; i++) {
                final long ts = w * 60_000L + i * 2_500L;
                events.add(event(ts, "DE", de.get(i)));
                events.add(event(ts, "US", us.get(i)));
            }
        }
        return Replayer.replay(config(), events, "scenario-events", references, "scenario-references", null, true);
    }

    private static List<String> genres(final Map<String, Integer> counts) {
        final List<String> out = new ArrayList<>();
        new java.util.TreeMap<>(counts).forEach((genre, n) -> {
            for (int i = 0; i < n; i++) {
                out.add(genre);
            }
        });
        return out;
    }

    private static String event(final long ts, final String country, final String genre) {
        return "{\"timestamp\": " + ts + ", \"key\": \"u\", \"value\": {\"genre\": \"" + genre + "\", \"country\": \"" + country + "\"}}";
    }
}
