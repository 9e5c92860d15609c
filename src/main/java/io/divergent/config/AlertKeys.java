package io.divergent.config;

import io.divergent.math.Measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A monitor's alert thresholds, {@code monitor.<name>.alert.<measure>.warning|critical}, one per
 * measure of {@link DivergentConfig#measureNames()} and severity.
 */
final class AlertKeys {

    static final String PREFIX = "alert.";

    private AlertKeys() {
    }

    /** Which way a measure's threshold fires. */
    static Direction directionOf(final String measure) {
        return Direction.of(Measure.named(measure));
    }

    /** @param rest a per-monitor key after {@code monitor.<name>.} */
    static boolean isThreshold(final String rest) {
        final List<String> measures = DivergentConfig.measureNames();
        final String[] parts = rest.split("\\.");
        return parts.length == 3 && parts[0].equals("alert") && measures.contains(parts[1])
                && (parts[2].equals("warning") || parts[2].equals("critical"));
    }

    /** What is allowed under {@code alert.}, for the message on an unknown key there. */
    static String allowed() {
        return "alert.<measure>.warning|critical with a measure in " + DivergentConfig.measureNames();
    }

    /** The threshold a monitor has when it names none: the JS distance 0.1 beyond its no-drift expectation. */
    static final String DEFAULT_MEASURE = "js_distance";
    static final double DEFAULT_WARNING = 0.1;

    /** A monitor's thresholds, in measure order, warning before critical; the default when it names none. */
    static List<Threshold> thresholds(final Settings settings, final String name) {
        final String p = "monitor." + name + "." + PREFIX;
        final List<Threshold> thresholds = new ArrayList<>();
        for (final String measure : DivergentConfig.measureNames()) {
            final Direction direction = directionOf(measure);
            Threshold warning = null;
            for (final Severity severity : Severity.values()) {
                final String key = p + measure + "." + severity.name().toLowerCase(Locale.ROOT);
                if (!settings.has(key)) {
                    continue;
                }
                final double value = settings.parse(key, settings.text(key, ""), ConfigKeys::number);
                if (!Double.isFinite(value)) {
                    throw settings.bad(key, "a finite number");
                }
                final Threshold threshold = new Threshold(measure, direction, value, severity);
                if (severity == Severity.WARNING) {
                    warning = threshold;
                } else if (warning != null && (direction == Direction.AT_LEAST ? value < warning.value() : value > warning.value())) {
                    throw settings.bad(key, "critical must be at least as severe as warning (" + warning.value() + ")");
                }
                thresholds.add(threshold);
            }
        }
        if (thresholds.isEmpty()) {
            thresholds.add(new Threshold(DEFAULT_MEASURE, directionOf(DEFAULT_MEASURE), DEFAULT_WARNING, Severity.WARNING));
        }
        return List.copyOf(thresholds);
    }

    /** The README's row for the thresholds: every measure, by the direction it fires in. */
    static ConfigKeys.Row row() {
        final StringBuilder meaning = new StringBuilder("thresholds on ");
        for (final Direction direction : Direction.values()) {
            final List<String> measures = DivergentConfig.measureNames().stream()
                    .filter(m -> directionOf(m) == direction).map(m -> "`" + m + "`").toList();
            if (measures.isEmpty()) {
                continue;
            }
            if (meaning.length() > "thresholds on ".length()) {
                meaning.append("; ");
            }
            meaning.append(String.join(", ", measures)).append(direction == Direction.BELOW
                    ? (measures.size() == 1 ? " (fires below)" : " (fire below)")
                    : (measures.size() == 1 ? " (fires at or above)" : " (fire at or above)"));
        }
        meaning.append("; a monitor that sets none has the default");
        return new ConfigKeys.Row("`monitor.<m>.alert.<measure>.warning` / `.critical`",
                "`" + DEFAULT_MEASURE + ".warning=" + DEFAULT_WARNING + "`", meaning.toString());
    }
}
