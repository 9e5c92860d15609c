package io.divergent.config;

import io.divergent.math.Measure;
import io.divergent.math.Unit;
import io.divergent.registry.SchemaRegistries;
import io.divergent.serde.AvroSerdeConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Divergent's one immutable configuration, from (lowest to highest precedence) built-in
 * defaults, a {@code .properties} file, environment variables and command-line overrides.
 *
 * <p>Environment: {@code DIVERGENT_*} maps to Divergent's keys and {@code KAFKA_*} to
 * {@code kafka.*} keys: strip the prefix, lower-case, then {@code ___} becomes {@code -},
 * {@code __} becomes {@code _} and {@code _} becomes {@code .} (the apache/kafka and Confluent
 * image convention). Every key, its default and meaning: README, "Configuration".
 *
 * <p>Every invalid setting is rejected with a {@link ConfigException} whose one-line message
 * names the key (and the environment variable), the value and what is allowed; unknown keys
 * are rejected with a did-you-mean suggestion. Under the {@code kafka.} and
 * {@code schema.registry.} prefixes, which plugins extend, only near misses of a known key are
 * rejected ({@link KafkaKeys}, {@link SchemaRegistries#KEYS}); other keys are passed through.
 * The registry and serde keys, defaults included, are checked as the serdes would check them.
 */
public final class DivergentConfig {

    private static final Pattern MONITOR_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Map<String, String> DEFAULTS = defaults();
    private static final Set<String> MONITOR_KEYS = Set.of("input.topic", "value.format", "category.field",
            "segment.fields", "timestamp.field", "window.size", "window.advance", "window.grace", "reference.mode",
            "reference.windows", "alpha", "unit", "top", "alert.min.events");
    private static final List<String> MEASURES = Measure.alertableNames();
    private static final Set<String> SERDE_KEYS = Set.of(SchemaRegistries.BASIC_AUTH_SOURCE,
            SchemaRegistries.BASIC_AUTH_USER_INFO, SchemaRegistries.BEARER_AUTH_SOURCE, SchemaRegistries.BEARER_AUTH_TOKEN,
            AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, AvroSerdeConfig.USE_LATEST_VERSION,
            AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY);

    private final Map<String, String> properties;
    /** Where a key's value came from, for messages: the env variable, or null. */
    private final Map<String, String> origins;
    private final List<MonitorConfig> monitors;
    private final Duration maxFuture;
    private final int partitions;
    private final int maxCategories;
    private final int rocksDbMemoryMb;

    private DivergentConfig(final Map<String, String> properties, final Map<String, String> origins) {
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
        this.origins = origins;
        for (final String key : properties.keySet()) {
            checkKnown(key);
        }
        this.partitions = intValue("partitions", 0);
        this.maxCategories = intValue("max.categories", 0);
        this.rocksDbMemoryMb = intValue("rocksdb.memory.mb", 0);
        this.maxFuture = duration("max.future", true);
        if (parse("reference.format", ValueFormat::parse) == ValueFormat.STRING) {
            throw bad("reference.format", "allowed are avro, json");
        }
        for (final String key : List.of("application.id", "reference.topic", "output.topic", "alerts.topic", "bootstrap.servers",
                "schema.registry.url")) {
            if (get(key).isBlank()) {
                throw bad(key, "must not be empty");
            }
        }
        checkSerde();
        this.monitors = buildMonitors();
    }

    /**
     * Loads the configuration.
     *
     * @param fileOrNull a {@code .properties} file, or null for none
     * @param env        the environment (only DIVERGENT_* and KAFKA_* are read)
     * @param overrides  command-line overrides, highest precedence
     * @throws ConfigException for a missing or unreadable file or any invalid setting
     */
    public static DivergentConfig load(final Path fileOrNull, final Map<String, String> env, final Map<String, String> overrides) {
        final Map<String, String> merged = new LinkedHashMap<>();
        final Map<String, String> origins = new LinkedHashMap<>();
        if (fileOrNull != null) {
            if (!Files.isRegularFile(fileOrNull)) {
                throw new ConfigException("config", "config file " + fileOrNull + " does not exist or is not a file");
            }
            final Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(fileOrNull, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (final IOException | IllegalArgumentException e) {
                throw new ConfigException("config", "cannot read config file " + fileOrNull + ": " + e.getMessage());
            }
            file.stringPropertyNames().forEach(k -> merged.put(k.trim(), file.getProperty(k).trim()));
        }
        new TreeMap<>(env).forEach((variable, value) -> {
            final String key;
            if (variable.startsWith("DIVERGENT_")) {
                key = envKey(variable.substring("DIVERGENT_".length()));
            } else if (variable.startsWith("KAFKA_")) {
                key = "kafka." + envKey(variable.substring("KAFKA_".length()));
            } else {
                return;
            }
            merged.put(key, value.trim());
            origins.put(key, variable);
        });
        overrides.forEach((k, v) -> {
            merged.put(k.trim(), v == null ? "" : v.trim());
            origins.remove(k.trim());
        });
        return new DivergentConfig(merged, origins);
    }

    /**
     * A configuration from already-merged keys (tests, replay, demo).
     *
     * @throws ConfigException for any invalid setting
     */
    public static DivergentConfig fromMap(final Map<String, String> properties) {
        return new DivergentConfig(new LinkedHashMap<>(properties), Map.of());
    }

    /**
     * A copy with more keys set, validated again.
     *
     * @throws ConfigException for any invalid setting
     */
    public DivergentConfig with(final Map<String, String> overrides) {
        final Map<String, String> merged = new LinkedHashMap<>(properties);
        merged.putAll(overrides);
        final Map<String, String> keptOrigins = new LinkedHashMap<>(origins);
        overrides.keySet().forEach(keptOrigins::remove);
        return new DivergentConfig(merged, keptOrigins);
    }

    /** The environment-variable rule: {@code ___} to {@code -}, {@code __} to {@code _}, {@code _} to {@code .}, lower case. */
    static String envKey(final String rest) {
        return rest.replace("___", "\u0001").replace("__", "\u0002").replace('_', '.')
                .replace('\u0001', '-').replace('\u0002', '_').toLowerCase(Locale.ROOT);
    }

    public String applicationId() {
        return get("application.id");
    }

    /** {@code kafka.bootstrap.servers} if set, else {@code bootstrap.servers}. */
    public String bootstrapServers() {
        final String kafka = properties.get("kafka.bootstrap.servers");
        return kafka != null && !kafka.isBlank() ? kafka : get("bootstrap.servers");
    }

    public String schemaRegistryUrl() {
        return get("schema.registry.url");
    }

    public String referenceTopic() {
        return get("reference.topic");
    }

    public ValueFormat referenceFormat() {
        return ValueFormat.parse(get("reference.format"));
    }

    public String outputTopic() {
        return get("output.topic");
    }

    public String alertsTopic() {
        return get("alerts.topic");
    }

    /** Empty when {@code dead.letter.topic} is set to the empty string. */
    public Optional<String> deadLetterTopic() {
        final String topic = get("dead.letter.topic");
        return topic.isBlank() ? Optional.empty() : Optional.of(topic);
    }

    /** Partitions of the internal repartition topics; 0 = the input topics' largest count, resolved at startup. */
    public int partitions() {
        return partitions;
    }

    /** How far ahead of stream time a record may be before it is dead-lettered; 0 = no bound. */
    public Duration maxFuture() {
        return maxFuture;
    }

    /** Distinct categories kept per series per window before the rest count as __other__; 0 = no cap. */
    public int maxCategories() {
        return maxCategories;
    }

    /**
     * Off-heap memory, in MiB, that all RocksDB state stores of this process share (block cache
     * and memtables together); 0 = Kafka Streams' defaults, which grow with the number of stores.
     */
    public int rocksDbMemoryMb() {
        return rocksDbMemoryMb;
    }

    /** The monitors, sorted by name; at least one. */
    public List<MonitorConfig> monitors() {
        return monitors;
    }

    /** The distinct input topics, sorted. */
    public List<String> inputTopics() {
        return monitors.stream().map(MonitorConfig::inputTopic).distinct().sorted().toList();
    }

    /** The monitors reading a topic, sorted by name. */
    public List<MonitorConfig> monitorsOf(final String topic) {
        return monitors.stream().filter(m -> m.inputTopic().equals(topic)).toList();
    }

    /** Kafka Streams and client properties: Divergent's defaults, then every {@code kafka.*} key without its prefix. */
    public Map<String, Object> kafkaProperties() {
        final Map<String, Object> kafka = new TreeMap<>();
        kafka.put("application.id", applicationId());
        kafka.put("bootstrap.servers", bootstrapServers());
        kafka.put("processing.guarantee", "exactly_once_v2");
        properties.forEach((k, v) -> {
            if (k.startsWith("kafka.")) {
                kafka.put(k.substring("kafka.".length()), v);
            }
        });
        kafka.put("application.id", applicationId());
        return kafka;
    }

    /**
     * Avro serde and registry client settings: {@code schema.registry.*} and the registry auth
     * keys, with the default {@code schema.registry.url} when none is set.
     */
    public Map<String, Object> serdeProperties() {
        final Map<String, Object> serde = new TreeMap<>();
        serde.put(SchemaRegistries.URL, schemaRegistryUrl());
        properties.forEach((k, v) -> {
            if (k.startsWith("schema.registry.") || SERDE_KEYS.contains(k)) {
                serde.put(k, v);
            }
        });
        return serde;
    }

    /** Every key in effect, sorted, with secrets masked: for the startup log. */
    public Map<String, String> effectiveProperties() {
        final Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, isSecret(k) ? "********" : v));
        return shown;
    }

    private static boolean isSecret(final String key) {
        final String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("user.info") || k.contains("token") || k.contains("secret")
                || k.contains("jaas");
    }

    private List<MonitorConfig> buildMonitors() {
        final Set<String> names = new TreeSet<>();
        for (final String key : properties.keySet()) {
            if (key.startsWith("monitor.")) {
                names.add(key.substring("monitor.".length(), key.indexOf('.', "monitor.".length())));
            }
        }
        if (names.isEmpty()) {
            throw new ConfigException("monitor.<name>.input.topic", null,
                    "at least one monitor is needed, e.g. monitor.genres.input.topic=plays and monitor.genres.category.field=genre");
        }
        final List<MonitorConfig> built = new ArrayList<>();
        final Map<String, MonitorConfig> formatOfTopic = new TreeMap<>();
        for (final String name : names) {
            final MonitorConfig monitor = monitor(name);
            final MonitorConfig other = formatOfTopic.putIfAbsent(monitor.inputTopic(), monitor);
            if (other != null && other.valueFormat() != monitor.valueFormat()) {
                final String key = "monitor." + name + ".value.format";
                throw new ConfigException(key, origins.get(key), monitor.valueFormat().name().toLowerCase(Locale.ROOT),
                        "monitors on one topic must agree: monitor '" + other.name()
                        + "' reads '" + monitor.inputTopic() + "' as " + other.valueFormat().name().toLowerCase(Locale.ROOT));
            }
            built.add(monitor);
        }
        return List.copyOf(built);
    }

    private MonitorConfig monitor(final String name) {
        final String p = "monitor." + name + ".";
        if (!MONITOR_NAME.matcher(name).matches()) {
            throw new ConfigException(p + "input.topic", "invalid monitor name '" + name + "' in '" + p
                    + "...': a name is letters, digits, '_' and '-'");
        }
        final String topic = properties.getOrDefault(p + "input.topic", "");
        if (topic.isBlank()) {
            throw new ConfigException(p + "input.topic", null, "the topic monitor '" + name + "' reads");
        }
        final ValueFormat format = parse(p + "value.format", "avro", ValueFormat::parse);
        final String categoryText = properties.getOrDefault(p + "category.field", "");
        final FieldPath category;
        if (format == ValueFormat.STRING) {
            category = FieldPath.parse(".".equals(categoryText) || categoryText.isBlank() ? "value" : categoryText);
        } else if (categoryText.isBlank()) {
            throw new ConfigException(p + "category.field", null, "the path of the categorical field, e.g. 'genre'");
        } else {
            category = parse(p + "category.field", "", FieldPath::parse);
        }
        final List<FieldPath> segments = new ArrayList<>();
        final String segmentText = properties.getOrDefault(p + "segment.fields", "");
        if (!segmentText.isBlank()) {
            for (final String part : segmentText.split(",")) {
                try {
                    segments.add(FieldPath.parse(part.strip()));
                } catch (final IllegalArgumentException e) {
                    throw badValue(p + "segment.fields", segmentText, e.getMessage());
                }
            }
        }
        final String ts = properties.getOrDefault(p + "timestamp.field", "");
        final Optional<FieldPath> timestamp = ts.isBlank() ? Optional.empty() : Optional.of(parse(p + "timestamp.field", "", FieldPath::parse));
        final Duration size = durationOr(p + "window.size", "60s", false);
        final Duration advance = properties.containsKey(p + "window.advance") ? durationOr(p + "window.advance", null, false) : size;
        if (size.toMillis() % advance.toMillis() != 0 || advance.compareTo(size) > 0) {
            throw bad(p + "window.advance", "must divide " + p + "window.size (" + size.toMillis() + " ms) exactly");
        }
        final Duration grace = durationOr(p + "window.grace", "0s", true);
        final ReferenceMode mode = parse(p + "reference.mode", "topic", ReferenceMode::parse);
        int windows = intOr(p + "reference.windows", mode == ReferenceMode.LAST_N_WINDOWS ? 3 : 1, 1);
        if (mode == ReferenceMode.PREVIOUS_WINDOW && windows != 1) {
            throw bad(p + "reference.windows", "reference.mode=previous compares with exactly 1 window; use last-n for more");
        }
        if (mode == ReferenceMode.TOPIC) {
            windows = 1;
        }
        final double alpha = doubleOr(p + "alpha", 0.0);
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw bad(p + "alpha", "a finite number >= 0 (0 = no smoothing, 0.5 Jeffreys, 1 Laplace)");
        }
        final Unit unit = parse(p + "unit", "bits", Unit::parse);
        final int top = intOr(p + "top", 5, 0);
        final long minEvents = intOr(p + "alert.min.events", 0, 0);
        return new MonitorConfig(name, topic, format, category, List.copyOf(segments), timestamp, size, advance, grace,
                mode, windows, alpha, unit, top, thresholds(name), minEvents);
    }

    private List<Threshold> thresholds(final String name) {
        final String p = "monitor." + name + ".alert.";
        final List<Threshold> thresholds = new ArrayList<>();
        for (final String measure : MEASURES) {
            final Direction direction = Direction.of(Measure.named(measure));
            Threshold warning = null;
            for (final Severity severity : Severity.values()) {
                final String key = p + measure + "." + severity.name().toLowerCase(Locale.ROOT);
                if (!properties.containsKey(key)) {
                    continue;
                }
                final double value = doubleOr(key, 0.0);
                if (!Double.isFinite(value)) {
                    throw bad(key, "a finite number");
                }
                final Threshold threshold = new Threshold(measure, direction, value, severity);
                if (severity == Severity.WARNING) {
                    warning = threshold;
                } else if (warning != null && (direction == Direction.AT_LEAST ? value < warning.value() : value > warning.value())) {
                    throw bad(key, "critical must be at least as severe as warning (" + warning.value() + ")");
                }
                thresholds.add(threshold);
            }
        }
        return List.copyOf(thresholds);
    }

    /** The serde keys as the serdes check them, before anything connects. */
    private void checkSerde() {
        final Map<String, Object> serde = serdeProperties();
        try {
            AvroSerdeConfig.validate(serde);
        } catch (final org.apache.kafka.common.config.ConfigException e) {
            // The serdes' messages name the key; add where its value came from (the longest name
            // that matches: schema.registry.retry.backoff.max.ms, not ...retry.backoff.ms).
            final String key = serde.keySet().stream().filter(e.getMessage()::contains)
                    .max(java.util.Comparator.comparingInt(String::length)).orElse(SchemaRegistries.URL);
            final String origin = origins.get(key);
            throw new ConfigException(key, "invalid registry setting: " + e.getMessage()
                    + (origin == null ? "" : " (from " + origin + ")"));
        }
    }

    private void checkKnown(final String key) {
        if (DEFAULTS.containsKey(key) || SERDE_KEYS.contains(key) || SchemaRegistries.KEYS.contains(key)) {
            return;
        }
        if (key.startsWith("kafka.")) {
            KafkaKeys.typoOf(key.substring("kafka.".length())).ifPresent(known -> {
                throw unknown(key, "did you mean 'kafka." + known + "'?");
            });
            return;
        }
        if (key.startsWith("schema.registry.")) {
            DidYouMean.nearest(key, SchemaRegistries.KEYS).ifPresent(known -> {
                throw unknown(key, "did you mean '" + known + "'?");
            });
            return;
        }
        if (key.startsWith("monitor.")) {
            final int dot = key.indexOf('.', "monitor.".length());
            final String rest = dot < 0 ? "" : key.substring(dot + 1);
            if (MONITOR_KEYS.contains(rest)) {
                return;
            }
            if (rest.startsWith("alert.")) {
                final String[] parts = rest.split("\\.");
                if (parts.length == 3 && MEASURES.contains(parts[1]) && (parts[2].equals("warning") || parts[2].equals("critical"))) {
                    return;
                }
                throw unknown(key, "alert.<measure>.warning|critical with a measure in " + MEASURES);
            }
            throw unknown(key, DidYouMean.nearest(rest, MONITOR_KEYS).map(s -> "did you mean '" + key.substring(0, dot + 1) + s + "'?")
                    .orElse("allowed per monitor: " + new TreeSet<>(MONITOR_KEYS) + " and alert.<measure>.warning|critical"));
        }
        throw unknown(key, DidYouMean.nearest(key, DEFAULTS.keySet()).map(s -> "did you mean '" + s + "'?")
                .orElse("see README, 'Configuration'"));
    }

    private ConfigException unknown(final String key, final String hint) {
        final String origin = origins.get(key);
        return new ConfigException(key, "unknown key '" + key + "'" + (origin == null ? "" : " (from " + origin + ")") + ": " + hint);
    }

    private String get(final String key) {
        final String value = properties.get(key);
        return value != null ? value : DEFAULTS.getOrDefault(key, "");
    }

    private ConfigException bad(final String key, final String allowed) {
        return new ConfigException(key, origins.get(key), valueOf(key), allowed);
    }

    private String valueOf(final String key) {
        return properties.containsKey(key) ? properties.get(key) : DEFAULTS.getOrDefault(key, "");
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private <T> T parse(final String key, final Parser<T> parser) {
        return parse(key, DEFAULTS.get(key), parser);
    }

    private <T> T parse(final String key, final String fallback, final Parser<T> parser) {
        final String text = properties.containsKey(key) ? properties.get(key) : fallback;
        try {
            return parser.parse(text);
        } catch (final IllegalArgumentException e) {
            throw badValue(key, text, e.getMessage());
        }
    }

    private ConfigException badValue(final String key, final String text, final String message) {
        final String allowed = message != null && message.contains(": allowed") ? message.substring(message.indexOf(": allowed") + 2) : message;
        return new ConfigException(key, origins.get(key), text, allowed);
    }

    private int intValue(final String key, final int min) {
        return intOr(key, Integer.parseInt(DEFAULTS.get(key)), min);
    }

    private int intOr(final String key, final int fallback, final int min) {
        final String text = properties.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            final int value = Integer.parseInt(text.trim());
            if (value >= min) {
                return value;
            }
        } catch (final NumberFormatException e) {
            // reported below
        }
        throw badValue(key, text, "an integer >= " + min);
    }

    private double doubleOr(final String key, final double fallback) {
        final String text = properties.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (final NumberFormatException e) {
            throw badValue(key, text, "a number");
        }
    }

    private Duration duration(final String key, final boolean zeroAllowed) {
        return durationOr(key, DEFAULTS.get(key), zeroAllowed);
    }

    private Duration durationOr(final String key, final String fallback, final boolean zeroAllowed) {
        final String text = properties.containsKey(key) ? properties.get(key) : fallback;
        final Duration value = parseDuration(text);
        if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw badValue(key, text, "a duration " + (zeroAllowed ? ">= 0" : "> 0")
                    + " such as 500ms, 10s, 1m, 2h, 1d, PT1M, or whole milliseconds");
        }
        return value;
    }

    /** Parses 500ms, 10s, 1m, 2h, 1d, ISO-8601 (PT1M) or whole milliseconds; null if it is none of these. */
    static Duration parseDuration(final String text) {
        if (text == null) {
            return null;
        }
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p") || t.startsWith("-p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.matches("-?\\d+")) {
                return Duration.ofMillis(Long.parseLong(t));
            }
            final java.util.regex.Matcher m = Pattern.compile("(-?\\d+)(ms|s|m|h|d)").matcher(t);
            if (m.matches()) {
                final long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
        } catch (final DateTimeParseException | ArithmeticException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static Map<String, String> defaults() {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put("application.id", "divergent");
        d.put("bootstrap.servers", "localhost:9092");
        d.put("schema.registry.url", "http://localhost:8081");
        d.put("reference.topic", "divergent-reference");
        d.put("reference.format", "avro");
        d.put("output.topic", "divergent-events");
        d.put("alerts.topic", "divergent-alerts");
        d.put("dead.letter.topic", "divergent-dead-letters");
        d.put("partitions", "0");
        d.put("max.future", "1h");
        d.put("max.categories", "10000");
        d.put("rocksdb.memory.mb", "128");
        return Collections.unmodifiableMap(d);
    }
}
