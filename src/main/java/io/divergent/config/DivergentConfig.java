package io.divergent.config;

import io.divergent.math.Measure;
import io.divergent.registry.SchemaRegistries;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Divergent's one immutable configuration, from (lowest to highest precedence) built-in
 * defaults, a {@code .properties} file, environment variables and command-line overrides.
 *
 * <p>Every key, its default, parser and meaning is listed once in {@link ConfigKeys}; the
 * accessors here return its values already resolved (a "0 means no bound" is applied there,
 * not by callers). Environment: {@code DIVERGENT_*} maps to Divergent's keys and
 * {@code KAFKA_*} to {@code kafka.*} keys ({@link ConfigKeys#keyOfEnvironment}). README,
 * "Configuration", is generated from the same table.
 *
 * <p>Every invalid setting is rejected with a {@link ConfigException} whose one-line message
 * names the key (and the environment variable), the value and what is allowed; unknown keys
 * are rejected with a did-you-mean suggestion. Under the {@code kafka.} and
 * {@code schema.registry.} prefixes, which plugins extend, only near misses of a known key are
 * rejected ({@link KafkaKeys}, {@link SchemaRegistries#KEYS}); other keys are passed through.
 * The registry and serde keys, defaults included, are checked as the serdes would check them.
 */
public final class DivergentConfig {

    private static final List<String> MEASURES = Measure.alertableNames();

    private final Settings settings;
    /** The application keys' values, parsed and resolved, by key. */
    private final Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();
    private final List<MonitorConfig> monitors;
    /** Each input topic's partition count as found at startup; empty when not known. */
    private final Map<String, Integer> inputPartitions;

    private DivergentConfig(final Settings settings) {
        this(settings, Map.of());
    }

    private DivergentConfig(final Settings settings, final Map<String, Integer> inputPartitions) {
        this.settings = settings;
        this.inputPartitions = Map.copyOf(inputPartitions);
        KnownKeys.check(settings);
        for (final ConfigKey<?> key : ConfigKeys.APP_KEYS) {
            values.put(key, settings.value(key));
        }
        SerdeKeys.check(settings, schemaRegistryUrl());
        this.monitors = MonitorConfigs.build(settings);
        if (inputPartitionedBySeries()) {
            checkSegmentsAgree();
        }
    }

    /** With {@code input.partitioned.by.series}, the monitors of one topic are partitioned by one key: the same segment fields. */
    private void checkSegmentsAgree() {
        for (final String topic : inputTopics()) {
            final List<MonitorConfig> of = monitorsOf(topic);
            for (final MonitorConfig monitor : of) {
                if (!monitor.segmentFields().equals(of.get(0).segmentFields())) {
                    final String key = ConfigKeys.SEGMENT_FIELDS.fullName(monitor.name());
                    throw new ConfigException(key, settings.origins().get(key), settings.text(key, ""),
                            "with " + ConfigKeys.INPUT_PARTITIONED_BY_SERIES.name() + "=true the monitors of topic '"
                                    + topic + "' must have the same segment fields (the input's partition key is "
                                    + "their values): monitor '" + of.get(0).name() + "' has '"
                                    + fields(of.get(0)) + "'");
                }
            }
        }
    }

    private static String fields(final MonitorConfig monitor) {
        return String.join(",", monitor.segmentFields().stream().map(FieldPath::toString).toList());
    }

    /**
     * Checks, at startup, that the input topics can be partitioned by series as
     * {@code input.partitioned.by.series=true} promises: they all have the same partition count,
     * {@code partitions} is 0 or that count, and a monitor without segment fields (one series)
     * reads a single-partition topic. Does nothing when the key is false.
     *
     * @param inputPartitions each input topic's partition count
     * @throws ConfigException naming the key, the topic and its partition count
     */
    public void checkInputPartitions(final Map<String, Integer> inputPartitions) {
        if (!inputPartitionedBySeries()) {
            return;
        }
        final String key = ConfigKeys.INPUT_PARTITIONED_BY_SERIES.name();
        final String first = inputTopics().get(0);
        final int count = inputPartitions.get(first);
        for (final String topic : inputTopics()) {
            final int found = inputPartitions.get(topic);
            if (found != count) {
                throw new ConfigException(key, "true", "input topics partitioned by series must have the same "
                        + "partition count (one window task reads partition p of each): '" + first + "' has "
                        + count + ", '" + topic + "' has " + found);
            }
            for (final MonitorConfig monitor : monitorsOf(topic)) {
                if (monitor.segmentFields().isEmpty() && found > 1) {
                    throw new ConfigException(key, "true", "monitor '" + monitor.name() + "' has no segment "
                            + "fields, so one series, which one partition holds, but its input topic '" + topic
                            + "' has " + found + " partitions: set " + key + "=false, or read a single-partition topic");
                }
            }
        }
        if (partitions() != 0 && partitions() != count) {
            throw new ConfigException(ConfigKeys.PARTITIONS.name(), Integer.toString(partitions()),
                    "0 or the input topics' partition count (" + count + ") with " + key + "=true: the window "
                            + "tasks read the input's partitions");
        }
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
        return new DivergentConfig(ConfigSources.merge(fileOrNull, env, overrides));
    }

    /**
     * A configuration from already-merged keys (tests, replay, demo).
     *
     * @throws ConfigException for any invalid setting
     */
    public static DivergentConfig fromMap(final Map<String, String> properties) {
        return new DivergentConfig(new Settings(properties, Map.of()));
    }

    /**
     * A copy with more keys set, validated again.
     *
     * @throws ConfigException for any invalid setting
     */
    public DivergentConfig with(final Map<String, String> overrides) {
        return new DivergentConfig(ConfigSources.with(settings, overrides), inputPartitions);
    }

    /**
     * A copy that knows the input topics' partition counts, as {@code run} finds them at startup.
     * Behind the observations repartition a window task then awaits every partition of a
     * monitor's input from its start (docs/streaming.md, "Windows"), not only those it has heard from.
     *
     * @param partitions each input topic's partition count (other topics are ignored)
     * @throws IllegalArgumentException if a count is below 1
     */
    public DivergentConfig withInputPartitions(final Map<String, Integer> partitions) {
        final Map<String, Integer> known = new LinkedHashMap<>();
        for (final String topic : inputTopics()) {
            final Integer count = partitions.get(topic);
            if (count != null) {
                if (count < 1) {
                    throw new IllegalArgumentException("topic '" + topic + "' has " + count + " partitions");
                }
                known.put(topic, count);
            }
        }
        return new DivergentConfig(settings, known);
    }

    /**
     * Each input topic's partition count, when known ({@link #withInputPartitions}); empty for a
     * configuration as loaded (replay, tests).
     */
    public Map<String, Integer> inputPartitions() {
        return inputPartitions;
    }

    /** The names of the measures an alert threshold may name ({@code monitor.<m>.alert.<measure>.*}). */
    static List<String> measureNames() {
        return MEASURES;
    }

    /** The environment-variable rule, {@link ConfigKeys#envKey}. */
    static String envKey(final String rest) {
        return ConfigKeys.envKey(rest);
    }

    /** Parses 500ms, 10s, 1m, 2h, 1d, ISO-8601 (PT1M) or whole milliseconds; null if it is none of these. */
    static Duration parseDuration(final String text) {
        return ConfigKeys.parseDuration(text);
    }

    private <T> T value(final ConfigKey<T> key) {
        @SuppressWarnings("unchecked") final T value = (T) values.get(key);
        return value;
    }

    public String applicationId() {
        return value(ConfigKeys.APPLICATION_ID);
    }

    /** {@code kafka.bootstrap.servers} if set, else {@code bootstrap.servers}. */
    public String bootstrapServers() {
        final String kafka = settings.text("kafka.bootstrap.servers", null);
        return kafka != null && !kafka.isBlank() ? kafka : value(ConfigKeys.BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return value(ConfigKeys.SCHEMA_REGISTRY_URL);
    }

    public String referenceTopic() {
        return value(ConfigKeys.REFERENCE_TOPIC);
    }

    public ValueFormat referenceFormat() {
        return value(ConfigKeys.REFERENCE_FORMAT);
    }

    public String outputTopic() {
        return value(ConfigKeys.OUTPUT_TOPIC);
    }

    public String alertsTopic() {
        return value(ConfigKeys.ALERTS_TOPIC);
    }

    /** Empty when {@code dead.letter.topic} is set to the empty string. */
    public Optional<String> deadLetterTopic() {
        return value(ConfigKeys.DEAD_LETTER_TOPIC);
    }

    /** Partitions of the internal repartition topics; 0 = the input topics' largest count, resolved at startup. */
    public int partitions() {
        return value(ConfigKeys.PARTITIONS);
    }

    /**
     * True when the user promises that the input topics are already partitioned by series
     * ({@link io.divergent.topology.SeriesPartitioner#bySegments()}): the windows count where the
     * input is read, with no observations repartition, and a record on another partition is
     * dead-lettered ({@code partitioning}).
     */
    public boolean inputPartitionedBySeries() {
        return value(ConfigKeys.INPUT_PARTITIONED_BY_SERIES);
    }

    /**
     * How far ahead of stream time (or of the wall clock) a record may be before it is
     * dead-lettered; {@link ConfigKeys#NO_BOUND} ({@code Long.MAX_VALUE} ms) when
     * {@code max.future=0}, so {@code toMillis()} is always the bound to compare with.
     */
    public Duration maxFuture() {
        return value(ConfigKeys.MAX_FUTURE);
    }

    /**
     * Distinct categories kept per series per window before the rest count as __other__;
     * {@link Long#MAX_VALUE} when {@code max.categories=0} (no cap), so it is always the cap to
     * compare with.
     */
    public long maxCategories() {
        return value(ConfigKeys.MAX_CATEGORIES);
    }

    /**
     * Off-heap memory, in bytes, that all RocksDB state stores of this process share (block cache
     * and memtables together); empty when {@code rocksdb.memory.mb=0}: Kafka Streams' defaults,
     * which grow with the number of stores.
     */
    public OptionalLong rocksDbMemoryBytes() {
        return value(ConfigKeys.ROCKSDB_MEMORY);
    }

    /**
     * How long a window task may process no event before its stream time follows the wall clock
     * (docs/streaming.md, "Extended (issue 15)"); {@link Duration#ZERO} when disabled
     * ({@code idle.timeout=0} or {@code off}).
     */
    public Duration idleTimeout() {
        return value(ConfigKeys.IDLE_TIMEOUT);
    }

    /**
     * How many windows (hops of {@code window.advance}) after its last window with events a series
     * is still expected (a silent window gets a {@code no_data} event) before it is forgotten;
     * 0: forgotten at its first silent window. Counted in windows, so the work a silent series
     * costs is bounded whatever the window size.
     */
    public int seriesHorizonWindows() {
        return value(ConfigKeys.SERIES_HORIZON);
    }

    /** Past non-overlapping windows whose counts make a series' expected volume, {@code >= 1}. */
    public int volumeWindows() {
        return value(ConfigKeys.VOLUME_WINDOWS);
    }

    /** Recent events kept per series for the live view ({@code history.events}), >= 1. */
    public int historyEvents() {
        return value(ConfigKeys.HISTORY_EVENTS);
    }

    /** Port of the HTTP server; empty when {@code http.port} is not set (no server). 0 = any free port. */
    public OptionalInt httpPort() {
        return value(ConfigKeys.HTTP_PORT);
    }

    /** Host name other instances reach this one at; empty = the local host name. */
    public Optional<String> httpAdvertisedHost() {
        return value(ConfigKeys.HTTP_ADVERTISED_HOST);
    }

    /** Series whose latest divergence {@code /metrics} exports per instance, >= 0. */
    public int metricsMaxSeries() {
        return value(ConfigKeys.METRICS_MAX_SERIES);
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

    /**
     * Kafka Streams and client properties: {@link ConfigKeys#KAFKA_DEFAULTS} and
     * {@link ConfigKeys#STREAM_THREADS} (the processors the JVM sees), {@link ConfigKeys#TASK_IDLE}
     * {@code -1} when every monitor reads one topic, then every {@code kafka.*} key without its prefix; {@code application.id} is always Divergent's.
     */
    public Map<String, Object> kafkaProperties() {
        final Map<String, Object> kafka = new TreeMap<>();
        kafka.put("application.id", applicationId());
        kafka.put("bootstrap.servers", bootstrapServers());
        kafka.putAll(ConfigKeys.KAFKA_DEFAULTS);
        kafka.put(ConfigKeys.STREAM_THREADS, Integer.toString(ConfigKeys.defaultStreamThreads()));
        if (inputTopics().size() == 1) {
            kafka.put(ConfigKeys.TASK_IDLE, "-1");
        }
        settings.properties().forEach((k, v) -> {
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
        return SerdeKeys.properties(settings, schemaRegistryUrl());
    }

    /** Every key in effect, sorted, with secrets masked: for the startup log. */
    public Map<String, String> effectiveProperties() {
        final Map<String, String> shown = new TreeMap<>();
        settings.properties().forEach((k, v) -> shown.put(k, isSecret(k) ? "********" : v));
        return shown;
    }

    private static boolean isSecret(final String key) {
        final String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("user.info") || k.contains("token") || k.contains("secret")
                || k.contains("jaas");
    }
}
