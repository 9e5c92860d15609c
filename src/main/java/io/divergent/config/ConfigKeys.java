package io.divergent.config;

import io.divergent.config.ConfigKey.Scope;
import io.divergent.math.Correction;
import io.divergent.math.Cusum;
import io.divergent.math.Unit;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every key of Divergent, once: each application key and each per-monitor key with its default,
 * parser and meaning ({@link ConfigKey}), and the open namespaces ({@code kafka.*},
 * {@code schema.registry.*} and the serde keys, the alert thresholds) as the README documents
 * them. {@link DivergentConfig} validates and reads through this table, unknown keys are
 * matched against its names, environment variables map to its keys by {@link #keyOfEnvironment},
 * and the README's "Configuration" table is {@link #markdownTable()} (a test keeps them equal).
 */
public final class ConfigKeys {

    /** Environment variables with this prefix set Divergent's keys. */
    public static final String ENV_PREFIX = "DIVERGENT_";
    /** Environment variables with this prefix set {@code kafka.*} keys. */
    public static final String KAFKA_ENV_PREFIX = "KAFKA_";
    /**
     * Kafka Streams properties Divergent sets unless a {@code kafka.*} key says otherwise:
     * exactly-once, and zstd compression of everything the application produces (changelogs,
     * repartition topic, events, alerts). Compressed batches of the panes journal, the volume
     * histories and the observations are 2.5-3x smaller on the broker and on restore, for 2-4%
     * more CPU at most (issue 16, {@code docs/benchmarks.md}).
     * A {@code kafka.producer.compression.type} overrides it for the producer alone. (Under
     * at-least-once it was not applied from issue 16's third pass to its fifteenth: see
     * docs/reliability.md.)
     *
     * <p>And producer batches of 64 KiB ({@code batch.size}; the producer's default is 16 KiB): a
     * closing window sends its events in one burst, and with 16 KiB a batch held about sixteen of
     * them; four times fewer batches cost the broker a third less CPU per record and the
     * producer less allocation (issue 16: records/s +32% on tumbling-64, docs/benchmarks.md,
     * twelfth pass). Each partition the producer is writing to holds one batch buffer, so 64 KiB
     * stays well inside the producer's 32 MiB {@code buffer.memory} up to hundreds of partitions.
     * A {@code kafka.batch.size} or {@code kafka.producer.batch.size} key wins.
     */
    public static final Map<String, String> KAFKA_DEFAULTS = Map.of("processing.guarantee", "exactly_once_v2",
            "compression.type", "zstd", "batch.size", "65536");

    /**
     * Kafka Streams' stream threads per instance. Divergent's default is the processors the JVM
     * sees ({@link Runtime#availableProcessors()}, which honours a container's CPU limit), not
     * Kafka Streams' one: the reading tasks and window tasks are separate sub-topologies, and one
     * thread ran them in turn on one core (issue 16: +14-20% records/s on tumbling windows on
     * 2 cores, none on hopping ones; {@code docs/benchmarks.md}, sixth pass). A thread with no
     * task only polls.
     */
    public static final String STREAM_THREADS = "num.stream.threads";

    /**
     * How long a task with an empty input partition waits for it before processing what its
     * other partitions hold. Divergent's default when every monitor reads one topic is {@code -1}
     * (never wait): every task of its topology then reads one partition (the input's, or the
     * observations repartition's; the references are a global store), so there is nothing to
     * wait for, and Kafka Streams 4.3.1 skips its per-record readiness check
     * ({@code PartitionGroup.readyToProcess}, which otherwise builds a set and a string per record:
     * issue 16). With several input topics a reading task reads a partition of each and Kafka
     * Streams' own default (0) keeps ordering their records by time.
     */
    public static final String TASK_IDLE = "max.task.idle.ms";

    /** The default of {@link #STREAM_THREADS}: the processors this JVM sees, at least 1. */
    public static int defaultStreamThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** What {@link #MAX_FUTURE} resolves {@code 0} to: {@link Long#MAX_VALUE} milliseconds. */
    public static final Duration NO_BOUND = Duration.ofMillis(Long.MAX_VALUE);

    private static final String DURATION_FORMS = "such as 500ms, 10s, 1m, 2h, 1d, PT1M, or whole milliseconds";
    private static final Pattern DURATION = Pattern.compile("(-?\\d+)(ms|s|m|h|d)");

    // ---- application keys -------------------------------------------------------------------

    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.of("application.id", Scope.APP, "divergent",
            ConfigKeys::nonEmpty, "Kafka Streams application id (consumer group, internal topic prefix)");
    public static final ConfigKey<String> BOOTSTRAP_SERVERS = ConfigKey.of("bootstrap.servers", Scope.APP,
            "localhost:9092", ConfigKeys::nonEmpty, "Kafka (`kafka.bootstrap.servers` wins if set)");
    public static final ConfigKey<String> SCHEMA_REGISTRY_URL = ConfigKey.of("schema.registry.url", Scope.APP,
            "http://localhost:8081", ConfigKeys::nonEmpty, "Confluent-compatible registry: comma-separated `http(s)://` "
                    + "URLs (fail-over in order), or `mock://scope` for an in-memory one");
    public static final ConfigKey<String> REFERENCE_TOPIC = ConfigKey.of("reference.topic", Scope.APP,
            "divergent-reference", ConfigKeys::nonEmpty, "compacted, keyed by series id");
    public static final ConfigKey<ValueFormat> REFERENCE_FORMAT = ConfigKey.of("reference.format", Scope.APP, "avro",
            ConfigKeys::referenceFormat,
            "`avro` (`ReferenceDistribution`) or `json` (`{\"weights\": {...}, \"source\": \"...\"}`)");
    public static final ConfigKey<String> OUTPUT_TOPIC = ConfigKey.of("output.topic", Scope.APP, "divergent-events",
            ConfigKeys::nonEmpty, "divergence events");
    public static final ConfigKey<String> ALERTS_TOPIC = ConfigKey.of("alerts.topic", Scope.APP, "divergent-alerts",
            ConfigKeys::nonEmpty, "drift alerts");
    /** Empty when set to the empty string: no dead-letter topic. */
    public static final ConfigKey<Optional<String>> DEAD_LETTER_TOPIC = ConfigKey.of("dead.letter.topic", Scope.APP,
            "divergent-dead-letters", t -> t.isBlank() ? Optional.empty() : Optional.of(t),
            "records not counted; empty disables");
    public static final ConfigKey<Integer> PARTITIONS = ConfigKey.of("partitions", Scope.APP, "0", atLeast(0),
            "partitions of the internal repartition topics; 0 = the largest input topic's");
    public static final ConfigKey<Boolean> INPUT_PARTITIONED_BY_SERIES = ConfigKey.of("input.partitioned.by.series",
            Scope.APP, "false", ConfigKeys::bool,
            "`true`: the producers already place each series on the partition Kafka's default partitioner gives the "
                    + "key made of its segment values (joined by a vertical bar; docs/streaming.md): counted "
                    + "where read, no observations repartition; a record on another partition is dead-lettered "
                    + "(`partitioning`). The monitors of a topic must then have the same segment fields, the input "
                    + "topics the same partition count, and a monitor without segment fields a single-partition input");
    /** Resolved: {@code 0} becomes {@link #NO_BOUND}, a duration no record is ahead by. */
    public static final ConfigKey<Duration> MAX_FUTURE = ConfigKey.of("max.future", Scope.APP, "1h",
            t -> {
                final Duration bound = duration(true).parse(t);
                return bound.isZero() ? NO_BOUND : bound;
            },
            "a record further ahead of stream time or of the wall clock is dead-lettered (`future`) instead of "
                    + "closing every open window; 0 = no bound");
    /** Resolved: {@code 0} becomes {@link Long#MAX_VALUE}, a cap no window reaches. */
    public static final ConfigKey<Long> MAX_CATEGORIES = ConfigKey.of("max.categories", Scope.APP, "10000",
            t -> {
                final long cap = atLeast(0).parse(t);
                return cap == 0 ? Long.MAX_VALUE : cap;
            },
            "categories kept per series per window, the most frequent (Space-Saving, cap + 1 counters per "
                    + "pane: any category above N / (cap + 1) events is kept); the rest, and the reference's other "
                    + "categories, fold into `__other__` (see docs/divergence.md); 0 = no cap");
    /** Resolved: {@code off} becomes {@link Duration#ZERO}, as {@code 0}: no wall-clock close. */
    public static final ConfigKey<Duration> IDLE_TIMEOUT = ConfigKey.of("idle.timeout", Scope.APP, "30s",
            t -> t.trim().equalsIgnoreCase("off") ? Duration.ZERO : duration(true).parse(t),
            "an input partition that has sent a window task no event for this long (wall clock) stops holding its "
                    + "monitors' windows back; a window task that has processed no event for this long is idle: its "
                    + "stream time follows the wall clock minus this timeout, so its windows close without new events "
                    + "(docs/streaming.md); 0 or `off` = neither: event time moves with events only");
    public static final ConfigKey<Integer> SERIES_HORIZON = ConfigKey.of("series.horizon.windows", Scope.APP, "1440",
            atLeast(0), "a series is expected in the windows (hops) after its last window with events, up to this many "
                    + "(1440 = 24 h of 1-minute windows): a silent one gets a `no_data` event; silent longer, it is "
                    + "forgotten (its baseline and volume history deleted); 0 = no `no_data` events");
    public static final ConfigKey<Integer> VOLUME_WINDOWS = ConfigKey.of("volume.windows", Scope.APP, "12",
            atLeast(1), "past non-overlapping windows whose event counts make a series' expected volume");
    /** Resolved to bytes: {@code 0} becomes empty, Kafka Streams' own per-store memory. */
    public static final ConfigKey<OptionalLong> ROCKSDB_MEMORY = ConfigKey.of("rocksdb.memory.mb", Scope.APP, "128",
            t -> {
                final long mb = atLeast(0).parse(t);
                return mb == 0 ? OptionalLong.empty() : OptionalLong.of(mb << 20);
            },
            "off-heap memory shared by all RocksDB stores of the process (block cache, index and filter blocks, "
                    + "memtables); 0 = Kafka Streams' per-store defaults; a `kafka.rocksdb.config.setter` of your own wins");

    public static final ConfigKey<Integer> HISTORY_EVENTS = ConfigKey.of("history.events", Scope.APP, "1440",
            atLeast(1), "recent events kept per series for the live view (a changelogged store; 1440 = a day of "
                    + "1-minute windows): the events of the last N window advances");
    /** Empty when not set: no HTTP server. */
    public static final ConfigKey<OptionalInt> HTTP_PORT = new ConfigKey<>("http.port", Scope.APP, "", "off (`demo`: 8080)",
            t -> t.isBlank() ? OptionalInt.empty() : OptionalInt.of(port(t)),
            "port of the live view, its JSON API and `/metrics` (0 = any free port); also sets Kafka Streams' "
                    + "`application.server`, so every instance answers for every series; unset, the recent-events store is "
                    + "not kept either");
    /** Empty when not set: the local host name. */
    public static final ConfigKey<Optional<String>> HTTP_ADVERTISED_HOST = new ConfigKey<>("http.advertised.host",
            Scope.APP, "", "this host's name", t -> t.isBlank() ? Optional.empty() : Optional.of(t.strip()),
            "host name the other instances reach this one's `http.port` at");
    public static final ConfigKey<Integer> METRICS_MAX_SERIES = ConfigKey.of("metrics.max.series", Scope.APP, "500",
            atLeast(0), "series per instance whose latest divergence `/metrics` exports as gauges: those with the "
                    + "largest latest `js_distance` (ties by series id); the others are counted in "
                    + "`divergent_series_unexported`");

    // ---- per-monitor keys (monitor.<name>.<key>) ---------------------------------------------

    public static final ConfigKey<String> INPUT_TOPIC = new ConfigKey<>("input.topic", Scope.MONITOR, null, "required",
            t -> t, "topic read (read once however many monitors use it)");
    public static final ConfigKey<ValueFormat> VALUE_FORMAT = ConfigKey.of("value.format", Scope.MONITOR, "avro",
            ValueFormat::parse,
            "`avro`, `json`, or `string` (the whole value is the category); monitors of one topic must agree");
    public static final ConfigKey<FieldPath> CATEGORY_FIELD = new ConfigKey<>("category.field", Scope.MONITOR, null,
            "required (not for `string`)", FieldPath::parse,
            "dotted path of the categorical field; strings, numbers, booleans and enums count");
    public static final ConfigKey<List<FieldPath>> SEGMENT_FIELDS = new ConfigKey<>("segment.fields", Scope.MONITOR,
            "", "none", ConfigKeys::fieldPaths, "comma-separated paths; their values split the monitor into series");
    public static final ConfigKey<Optional<FieldPath>> TIMESTAMP_FIELD = new ConfigKey<>("timestamp.field",
            Scope.MONITOR, "", "record timestamp",
            t -> t.isBlank() ? Optional.empty() : Optional.of(FieldPath.parse(t)),
            "path of the event time: epoch ms or ISO-8601");
    public static final ConfigKey<Duration> WINDOW_SIZE = ConfigKey.of("window.size", Scope.MONITOR, "60s",
            duration(false), "window length (`500ms`, `10s`, `1m`, `2h`, `1d`, `PT1M`, or ms)");
    /** No default of its own: the window size. */
    public static final ConfigKey<Duration> WINDOW_ADVANCE = new ConfigKey<>("window.advance", Scope.MONITOR, null,
            "`= size`", duration(false), "hop; must divide size; smaller than size gives hopping windows");
    public static final ConfigKey<Duration> WINDOW_GRACE = ConfigKey.of("window.grace", Scope.MONITOR, "0s",
            duration(true), "how long after its end a window accepts out-of-order records");
    public static final ConfigKey<ReferenceMode> REFERENCE_MODE = ConfigKey.of("reference.mode", Scope.MONITOR,
            "topic", ReferenceMode::parse, "`topic`, `previous` (previous non-overlapping window) or `last-n`");
    /** No default of its own: 3 for last-n, else 1. */
    public static final ConfigKey<Integer> REFERENCE_WINDOWS = new ConfigKey<>("reference.windows", Scope.MONITOR,
            null, "`3`", atLeast(1), "N for `last-n`");
    public static final ConfigKey<Double> ALPHA = ConfigKey.of("alpha", Scope.MONITOR, "0", ConfigKeys::alpha,
            "additive smoothing pseudo-count (0.5 Jeffreys, 1 Laplace)");
    public static final ConfigKey<Unit> UNIT = ConfigKey.of("unit", Scope.MONITOR, "bits", Unit::parse,
            "`bits` or `nats` (of the information measures; `psi` is always nats)");
    public static final ConfigKey<Integer> TOP = ConfigKey.of("top", Scope.MONITOR, "5", atLeast(0),
            "top contributing categories per event");
    public static final ConfigKey<Integer> ALERT_MIN_EVENTS = ConfigKey.of("alert.min.events", Scope.MONITOR, "0",
            atLeast(0), "a window needs this many events before it can make an alert condition true");
    public static final ConfigKey<Boolean> ALERT_ENABLED = ConfigKey.of("alert.enabled", Scope.MONITOR, "true",
            ConfigKeys::bool, "`false`: no alerts from this monitor (events still carry every value)");
    public static final ConfigKey<AlertPolicy.Effect> ALERT_EFFECT = ConfigKey.of("alert.effect", Scope.MONITOR,
            "excess", AlertPolicy.Effect::parse,
            "`excess`: a distance threshold applies to the distance minus its no-drift expectation (beyond noise); "
                    + "`raw`: to the distance itself; other measures are always raw");
    public static final ConfigKey<Double> ALERT_SIGNIFICANCE = ConfigKey.of("alert.significance", Scope.MONITOR,
            "0.05", ConfigKeys::probability,
            "a threshold fires only if the window's G-test p-value, corrected across the series closed with it, "
                    + "is at most this (with `bh`: the false discovery rate); 1 = no evidence needed");
    public static final ConfigKey<Correction> ALERT_CORRECTION = ConfigKey.of("alert.correction",
            Scope.MONITOR, "bh", AlertPolicy::correction,
            "`bh` (Benjamini-Hochberg), `bonferroni` or `none`: how the p-values of the series whose windows "
                    + "close together are corrected");
    public static final ConfigKey<Integer> ALERT_FOR = ConfigKey.of("alert.for", Scope.MONITOR, "1", atLeast(1),
            "consecutive windows a condition must hold before its alert is FIRING");
    public static final ConfigKey<Integer> ALERT_REPEAT = ConfigKey.of("alert.repeat", Scope.MONITOR, "0", atLeast(0),
            "windows between reminders of a FIRING alert; 0 = none");
    public static final ConfigKey<Integer> ALERT_RESOLVE_AFTER = ConfigKey.of("alert.resolve.after", Scope.MONITOR,
            "3", atLeast(1), "consecutive windows a condition must be false before a FIRING alert is RESOLVED");
    public static final ConfigKey<Boolean> ALERT_CHANGE = ConfigKey.of("alert.change", Scope.MONITOR, "true",
            ConfigKeys::bool, "the change detector (CUSUM of the windows' G-test scores; sees a small persistent "
                    + "drift no single window shows): alert kind `CHANGE`");
    public static final ConfigKey<Boolean> ALERT_NO_DATA = ConfigKey.of("alert.no.data", Scope.MONITOR, "true",
            ConfigKeys::bool, "an expected series (see `series.horizon.windows`) with no event in a closed window raises "
                    + "alert kind `NO_DATA`");
    public static final ConfigKey<OptionalDouble> ALERT_VOLUME = ConfigKey.of("alert.volume.significance",
            Scope.MONITOR, "off", t -> t.trim().equalsIgnoreCase("off") ? OptionalDouble.empty()
                    : OptionalDouble.of(probability(t)),
            "a window whose `volume_p_value` (a drop or a surge of events against the series' past windows) is at "
                    + "most this raises alert kind `VOLUME`; `off` = none");
    public static final ConfigKey<Double> ALERT_CHANGE_ALLOWANCE = ConfigKey.of("alert.change.allowance",
            Scope.MONITOR, Double.toString(Cusum.DEFAULTS.k()), nonNegative(),
            "CUSUM allowance k, in standard deviations of the score: drift smaller than this is ignored");
    public static final ConfigKey<Double> ALERT_CHANGE_THRESHOLD = ConfigKey.of("alert.change.threshold",
            Scope.MONITOR, Double.toString(Cusum.DEFAULTS.h()), positive(),
            "CUSUM decision threshold h: larger is fewer false alarms and later detection (docs/divergence.md)");

    /** Every application key, in the README's order. */
    public static final List<ConfigKey<?>> APP_KEYS = List.of(APPLICATION_ID, BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL,
            REFERENCE_TOPIC, REFERENCE_FORMAT, OUTPUT_TOPIC, ALERTS_TOPIC, DEAD_LETTER_TOPIC, PARTITIONS,
            INPUT_PARTITIONED_BY_SERIES, MAX_FUTURE,
            MAX_CATEGORIES, ROCKSDB_MEMORY, IDLE_TIMEOUT, SERIES_HORIZON, VOLUME_WINDOWS, HISTORY_EVENTS, HTTP_PORT,
            HTTP_ADVERTISED_HOST, METRICS_MAX_SERIES);
    /** Every per-monitor key but the alert thresholds ({@link AlertKeys}), in the README's order. */
    public static final List<ConfigKey<?>> MONITOR_KEYS = List.of(INPUT_TOPIC, VALUE_FORMAT, CATEGORY_FIELD,
            SEGMENT_FIELDS, TIMESTAMP_FIELD, WINDOW_SIZE, WINDOW_ADVANCE, WINDOW_GRACE, REFERENCE_MODE,
            REFERENCE_WINDOWS, ALPHA, UNIT, TOP, ALERT_ENABLED, ALERT_MIN_EVENTS, ALERT_EFFECT, ALERT_SIGNIFICANCE,
            ALERT_CORRECTION, ALERT_FOR, ALERT_REPEAT, ALERT_RESOLVE_AFTER, ALERT_CHANGE, ALERT_CHANGE_ALLOWANCE,
            ALERT_CHANGE_THRESHOLD, ALERT_NO_DATA, ALERT_VOLUME);

    private ConfigKeys() {
    }

    /** The names of the application keys. */
    static Set<String> appNames() {
        return APP_KEYS.stream().map(ConfigKey::name).collect(Collectors.toUnmodifiableSet());
    }

    /** The names of the per-monitor keys, without {@code monitor.<name>.}. */
    static Set<String> monitorNames() {
        return MONITOR_KEYS.stream().map(ConfigKey::name).collect(Collectors.toUnmodifiableSet());
    }

    // ---- environment ----------------------------------------------------------------------------

    /**
     * The key an environment variable sets: {@code DIVERGENT_*} a Divergent key, {@code KAFKA_*}
     * a {@code kafka.*} key, by {@link #envKey}; empty for any other variable.
     */
    public static Optional<String> keyOfEnvironment(final String variable) {
        if (variable.startsWith(ENV_PREFIX)) {
            return Optional.of(envKey(variable.substring(ENV_PREFIX.length())));
        }
        if (variable.startsWith(KAFKA_ENV_PREFIX)) {
            return Optional.of("kafka." + envKey(variable.substring(KAFKA_ENV_PREFIX.length())));
        }
        return Optional.empty();
    }

    /**
     * The environment-variable rule of the apache/kafka and Confluent images, applied to a variable
     * without its prefix: {@code ___} to {@code -}, {@code __} to {@code _}, {@code _} to {@code .},
     * lower case. {@link ConfigKey#envVariable} is its inverse.
     */
    public static String envKey(final String rest) {
        return rest.replace("___", "\u0001").replace("__", "\u0002").replace('_', '.')
                .replace('\u0001', '-').replace('\u0002', '_').toLowerCase(Locale.ROOT);
    }

    // ---- the README table -----------------------------------------------------------------------

    /**
     * One row of the README's configuration table, as Markdown cells.
     *
     * @param key          the key or namespace
     * @param shownDefault its default
     * @param meaning      what it does
     */
    public record Row(String key, String shownDefault, String meaning) {
    }

    /**
     * The README's configuration table, row by row: the application keys, the open namespaces, the
     * per-monitor keys, then the alert thresholds.
     */
    public static List<Row> rows() {
        final List<Row> rows = new ArrayList<>();
        for (final ConfigKey<?> key : APP_KEYS) {
            rows.add(row(key));
        }
        rows.add(new Row(
                "`schema.registry.*`, " + new TreeSet<>(SerdeKeys.SERDE_KEYS).stream().map(k -> "`" + k + "`")
                        .collect(Collectors.joining(", ")),
                "", "passed to the registry client and Avro serdes, as Confluent names them"));
        rows.add(new Row("`kafka.<any>`", new TreeSet<>(KAFKA_DEFAULTS.keySet()).stream()
                .map(k -> "`" + k + "=" + KAFKA_DEFAULTS.get(k) + "`").collect(Collectors.joining(", "))
                + ", `" + STREAM_THREADS + "` = the processors the JVM sees, `" + TASK_IDLE
                + "=-1` when every monitor reads one topic",
                "Kafka Streams / client properties, prefix removed; near misses of Kafka's names refused (above)"));
        for (final ConfigKey<?> key : MONITOR_KEYS) {
            rows.add(row(key));
        }
        rows.add(AlertKeys.row());
        return List.copyOf(rows);
    }

    /** {@link #rows()} as a Markdown table with a header. */
    public static String markdownTable() {
        final StringBuilder table = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        for (final Row row : rows()) {
            for (final String cell : List.of(row.key(), row.shownDefault(), row.meaning())) {
                table.append(cell.isEmpty() ? "| " : "| " + cell + " ");
            }
            table.append("|\n");
        }
        return table.toString();
    }

    private static Row row(final ConfigKey<?> key) {
        return new Row("`" + key.shownName() + "`", key.shownDefault(), key.doc());
    }

    // ---- parsers ----------------------------------------------------------------------------------

    private static String nonEmpty(final String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text;
    }

    private static ValueFormat referenceFormat(final String text) {
        final ValueFormat format = ValueFormat.parse(text);
        if (format == ValueFormat.STRING) {
            throw new IllegalArgumentException("allowed are avro, json");
        }
        return format;
    }

    private static ConfigKey.Parser<Integer> atLeast(final int min) {
        return text -> {
            try {
                final int value = Integer.parseInt(text.trim());
                if (value >= min) {
                    return value;
                }
            } catch (final NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("an integer >= " + min);
        };
    }

    private static int port(final String text) {
        final int port = atLeast(0).parse(text);
        if (port > 65535) {
            throw new IllegalArgumentException("a port, 0 to 65535");
        }
        return port;
    }

    /** A number parser for any key (the alert thresholds use it too). */
    static double number(final String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("a number");
        }
    }

    private static boolean bool(final String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new IllegalArgumentException("true or false");
        };
    }

    private static double probability(final String text) {
        final double p = number(text);
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("a number in (0, 1]");
        }
        return p;
    }

    private static ConfigKey.Parser<Double> nonNegative() {
        return text -> {
            final double value = number(text);
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("a finite number >= 0");
            }
            return value;
        };
    }

    private static ConfigKey.Parser<Double> positive() {
        return text -> {
            final double value = number(text);
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("a finite number > 0");
            }
            return value;
        };
    }

    private static double alpha(final String text) {
        final double alpha = number(text);
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("a finite number >= 0 (0 = no smoothing, 0.5 Jeffreys, 1 Laplace)");
        }
        return alpha;
    }

    private static List<FieldPath> fieldPaths(final String text) {
        if (text.isBlank()) {
            return List.of();
        }
        final List<FieldPath> paths = new ArrayList<>();
        for (final String part : text.split(",")) {
            paths.add(FieldPath.parse(part.strip()));
        }
        return List.copyOf(paths);
    }

    private static ConfigKey.Parser<Duration> duration(final boolean zeroAllowed) {
        return text -> {
            final Duration value = parseDuration(text);
            if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
                throw new IllegalArgumentException("a duration " + (zeroAllowed ? ">= 0" : "> 0") + " " + DURATION_FORMS);
            }
            return value;
        };
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
            final Matcher m = DURATION.matcher(t);
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
}
