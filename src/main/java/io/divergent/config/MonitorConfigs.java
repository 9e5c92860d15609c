package io.divergent.config;

import io.divergent.math.Cusum;
import io.divergent.math.Unit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds the monitors from their {@code monitor.<name>.*} keys ({@link ConfigKeys#MONITOR_KEYS}),
 * with the rules that join several keys: a default that depends on another key, a key required
 * unless another says otherwise, keys that must agree.
 */
final class MonitorConfigs {

    private static final String PREFIX = "monitor.";
    private static final Pattern MONITOR_NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private MonitorConfigs() {
    }

    /**
     * @return the monitors, sorted by name; at least one
     * @throws ConfigException for the first invalid setting
     */
    static List<MonitorConfig> build(final Settings settings) {
        final Set<String> names = new TreeSet<>();
        for (final String key : settings.keys()) {
            if (key.startsWith(PREFIX)) {
                names.add(key.substring(PREFIX.length(), key.indexOf('.', PREFIX.length())));
            }
        }
        if (names.isEmpty()) {
            throw new ConfigException(PREFIX + "<name>." + ConfigKeys.INPUT_TOPIC.name(), null,
                    "at least one monitor is needed, e.g. monitor.genres.input.topic=plays and monitor.genres.category.field=genre");
        }
        final List<MonitorConfig> built = new ArrayList<>();
        final Map<String, MonitorConfig> formatOfTopic = new TreeMap<>();
        for (final String name : names) {
            final MonitorConfig monitor = monitor(settings, name);
            final MonitorConfig other = formatOfTopic.putIfAbsent(monitor.inputTopic(), monitor);
            if (other != null && other.valueFormat() != monitor.valueFormat()) {
                final String key = ConfigKeys.VALUE_FORMAT.fullName(name);
                throw new ConfigException(key, settings.origins().get(key), monitor.valueFormat().name().toLowerCase(Locale.ROOT),
                        "monitors on one topic must agree: monitor '" + other.name()
                        + "' reads '" + monitor.inputTopic() + "' as " + other.valueFormat().name().toLowerCase(Locale.ROOT));
            }
            built.add(monitor);
        }
        return List.copyOf(built);
    }

    private static MonitorConfig monitor(final Settings settings, final String name) {
        final String p = PREFIX + name + ".";
        if (!MONITOR_NAME.matcher(name).matches()) {
            throw new ConfigException(ConfigKeys.INPUT_TOPIC.fullName(name), "invalid monitor name '" + name + "' in '" + p
                    + "...': a name is letters, digits, '_' and '-'");
        }
        final String topic = settings.text(ConfigKeys.INPUT_TOPIC.fullName(name), "");
        if (topic.isBlank()) {
            throw new ConfigException(ConfigKeys.INPUT_TOPIC.fullName(name), null, "the topic monitor '" + name + "' reads");
        }
        final ValueFormat format = settings.value(ConfigKeys.VALUE_FORMAT, name);
        final String categoryKey = ConfigKeys.CATEGORY_FIELD.fullName(name);
        final String categoryText = settings.text(categoryKey, "");
        final FieldPath category;
        if (format == ValueFormat.STRING) {
            category = FieldPath.parse(".".equals(categoryText) || categoryText.isBlank() ? "value" : categoryText);
        } else if (categoryText.isBlank()) {
            throw new ConfigException(categoryKey, null, "the path of the categorical field, e.g. 'genre'");
        } else {
            category = settings.value(ConfigKeys.CATEGORY_FIELD, name);
        }
        final List<FieldPath> segments = settings.value(ConfigKeys.SEGMENT_FIELDS, name);
        final Optional<FieldPath> timestamp = settings.value(ConfigKeys.TIMESTAMP_FIELD, name);
        final Duration size = settings.value(ConfigKeys.WINDOW_SIZE, name);
        final String advanceKey = ConfigKeys.WINDOW_ADVANCE.fullName(name);
        final Duration advance = settings.has(advanceKey) ? settings.value(ConfigKeys.WINDOW_ADVANCE, name) : size;
        if (size.toMillis() % advance.toMillis() != 0 || advance.compareTo(size) > 0) {
            throw settings.bad(advanceKey, "must divide " + ConfigKeys.WINDOW_SIZE.fullName(name) + " ("
                    + size.toMillis() + " ms) exactly");
        }
        final Duration grace = settings.value(ConfigKeys.WINDOW_GRACE, name);
        final ReferenceMode mode = settings.value(ConfigKeys.REFERENCE_MODE, name);
        final String windowsKey = ConfigKeys.REFERENCE_WINDOWS.fullName(name);
        int windows = settings.has(windowsKey) ? settings.value(ConfigKeys.REFERENCE_WINDOWS, name)
                : mode == ReferenceMode.LAST_N_WINDOWS ? 3 : 1;
        if (mode == ReferenceMode.PREVIOUS_WINDOW && windows != 1) {
            throw settings.bad(windowsKey, "reference.mode=previous compares with exactly 1 window; use last-n for more");
        }
        if (mode == ReferenceMode.TOPIC) {
            windows = 1;
        }
        final double alpha = settings.value(ConfigKeys.ALPHA, name);
        final Unit unit = settings.value(ConfigKeys.UNIT, name);
        final int top = settings.value(ConfigKeys.TOP, name);
        return new MonitorConfig(name, topic, format, category, segments, timestamp, size, advance, grace,
                mode, windows, alpha, unit, top, alerts(settings, name));
    }

    private static AlertPolicy alerts(final Settings settings, final String name) {
        final Optional<Cusum> change;
        if (settings.value(ConfigKeys.ALERT_CHANGE, name)) {
            final double k = settings.value(ConfigKeys.ALERT_CHANGE_ALLOWANCE, name);
            final double h = settings.value(ConfigKeys.ALERT_CHANGE_THRESHOLD, name);
            change = Optional.of(Cusum.DEFAULTS.with(k, h));
        } else {
            change = Optional.empty();
        }
        return new AlertPolicy(settings.value(ConfigKeys.ALERT_ENABLED, name), AlertKeys.thresholds(settings, name),
                settings.value(ConfigKeys.ALERT_MIN_EVENTS, name), settings.value(ConfigKeys.ALERT_EFFECT, name),
                settings.value(ConfigKeys.ALERT_SIGNIFICANCE, name), settings.value(ConfigKeys.ALERT_CORRECTION, name),
                settings.value(ConfigKeys.ALERT_FOR, name), settings.value(ConfigKeys.ALERT_REPEAT, name),
                settings.value(ConfigKeys.ALERT_RESOLVE_AFTER, name), change, settings.value(ConfigKeys.ALERT_NO_DATA, name),
                settings.value(ConfigKeys.ALERT_VOLUME, name));
    }
}
