package io.divergent.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.PlayEvent;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ValueFormat;
import io.divergent.registry.MockSchemaRegistry;
import io.divergent.runtime.DivergentApp;
import io.divergent.serde.AvroJson;
import io.divergent.serde.AvroSerdes;
import io.divergent.serde.ReferenceJson;
import io.divergent.serde.StrictJson;
import io.divergent.serde.Timestamps;
import io.divergent.topology.DeadLetter;
import io.divergent.topology.DivergentTopology;
import io.divergent.topology.ReferenceRules;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Runs the production topology on {@link TopologyTestDriver} over recorded traffic, the way
 * users test their monitors in CI. Reference records are fed first (they are versioned by
 * timestamp and never advance stream time), then events in file order, which is their arrival
 * order: out-of-order timestamps are kept, so late records replay exactly as they happened.
 *
 * <p>Input files are JSON Lines. An event line: {@code {"timestamp": 1000 | "2026-01-01T00:00:00Z",
 * "key": "u1" | null, "topic": "plays" (optional with one input topic), "value": {...} | "text"}}
 * where the value is encoded in the topic's value format (Avro through an in-memory registry
 * scope, with the given writer schema), or {@code "value_base64": "..."} for the exact recorded
 * bytes. A reference line: {@code {"timestamp": 0, "key": "<series id>", "value":
 * {"weights": {"a": 3}, "source": "..."} | null}} (null is a tombstone).
 *
 * <p><b>Wall clock.</b> The driver's wall clock follows the events' record timestamps, as if each
 * record arrived when it was produced (live traffic): it starts at the first event's timestamp
 * and moves to each event's timestamp before that event is piped, never backwards and never past
 * the real clock at the start of the replay (so a record from the future is still rejected as
 * today). The idle rule of {@code docs/streaming.md} ("Extended (issue 15)") then closes windows
 * across a gap in the input exactly as a live task would, deterministically. With
 * {@code closeAtEnd} the clock is moved on after the last event until every window holding the
 * last stream time has closed.
 */
public final class Replayer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<String> NUMERIC_HEADERS = java.util.Set.of(DeadLetter.PARTITION, DeadLetter.OFFSET,
            DeadLetter.TIMESTAMP, DeadLetter.EVENT_TIME, DeadLetter.ORIGINAL_SIZE);

    /** What the topology emitted, as JSON objects, in emission order per output topic. */
    public record Result(List<ObjectNode> events, List<ObjectNode> alerts, List<ObjectNode> deadLetters) {
    }

    /**
     * Bad input: a file that cannot be read, or a line of it that cannot be replayed, including
     * a reference the topology would refuse. The message names the file and line.
     */
    public static final class ReplayException extends RuntimeException {
        public ReplayException(final String message) {
            super(message);
        }
    }

    private record Line(String topic, long timestamp, byte[] key, byte[] value) {
    }

    private Replayer() {
    }

    /**
     * Replays files.
     *
     * @param inputSchema writer schema for Avro event values given as JSON; null uses the example {@code PlayEvent}
     * @throws ReplayException for an unreadable file or a malformed line, before anything is run
     * @throws UncheckedIOException if the driver's temporary state directory cannot be created
     */
    public static Result replay(final DivergentConfig config, final Path events, final Path references,
                                final Schema inputSchema) {
        return replay(config, events, references, inputSchema, false);
    }

    /**
     * Replays files, optionally closing the last windows at the end of the input.
     *
     * @param inputSchema writer schema for Avro event values given as JSON; null uses the example {@code PlayEvent}
     * @param closeAtEnd  after the last event, move the wall clock on until the idle rule closes
     *                    every window holding the last stream time
     * @throws ReplayException for an unreadable file or a malformed line, before anything is run, or
     *                         for {@code closeAtEnd} with {@code idle.timeout} disabled
     * @throws UncheckedIOException if the driver's temporary state directory cannot be created
     */
    public static Result replay(final DivergentConfig config, final Path events, final Path references,
                                final Schema inputSchema, final boolean closeAtEnd) {
        return replay(config, read(events), events.toString(), references == null ? List.of() : read(references),
                references == null ? "" : references.toString(), inputSchema, closeAtEnd);
    }

    /** Replays lines already read; the names are used in error messages. */
    public static Result replay(final DivergentConfig config, final List<String> eventLines, final String eventsName,
                                final List<String> referenceLines, final String referencesName, final Schema inputSchema) {
        return replay(config, eventLines, eventsName, referenceLines, referencesName, inputSchema, false);
    }

    /** Replays lines already read, optionally closing the last windows ({@link #replay(DivergentConfig, Path, Path, Schema, boolean)}). */
    public static Result replay(final DivergentConfig config, final List<String> eventLines, final String eventsName,
                                final List<String> referenceLines, final String referencesName, final Schema inputSchema,
                                final boolean closeAtEnd) {
        return replay(config, eventLines, eventsName, referenceLines, referencesName, inputSchema, closeAtEnd,
                Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Replays lines already read, with the driver's state in a new directory under
     * {@code stateParent}, deleted when the replay ends, whether it succeeds or fails.
     */
    static Result replay(final DivergentConfig config, final List<String> eventLines, final String eventsName,
                         final List<String> referenceLines, final String referencesName, final Schema inputSchema,
                         final boolean closeAtEnd, final Path stateParent) {
        if (closeAtEnd && config.idleTimeout().isZero()) {
            throw new ReplayException("--close-at-end closes the last windows by the idle rule: it needs idle.timeout > 0");
        }
        final String scope = "replay-" + UUID.randomUUID();
        final Map<String, Object> serdeConfig = new HashMap<>(config.serdeProperties());
        serdeConfig.put("schema.registry.url", "mock://" + scope);
        try {
            final List<Line> refs = parseReferences(config, referenceLines, referencesName, serdeConfig);
            final List<Line> evts = parseEvents(config, eventLines, eventsName, serdeConfig,
                    inputSchema == null ? PlayEvent.getClassSchema() : inputSchema);
            final Path stateDir = StateDirs.create(stateParent, "replay");
            try {
                return run(config, serdeConfig, refs, evts, stateDir, closeAtEnd);
            } finally {
                StateDirs.delete(stateDir);   // run closed the driver
            }
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    private static Result run(final DivergentConfig config, final Map<String, Object> serdeConfig,
                              final List<Line> references, final List<Line> events, final Path stateDir,
                              final boolean closeAtEnd) {
        // The settings `run` uses, so a replay behaves as the deployment does; only what the
        // test driver needs differs: no broker is contacted, and the state is a throwaway.
        final Properties props = DivergentApp.streamsProperties(config);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        final long realNow = System.currentTimeMillis();
        long wall = events.isEmpty() ? realNow : Math.min(events.get(0).timestamp(), realNow);
        try (TopologyTestDriver driver = new TopologyTestDriver(DivergentTopology.forReplay(config, serdeConfig), props,
                Instant.ofEpochMilli(wall))) {
            final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
            for (final Line line : references) {
                pipe(driver, inputs, line);
            }
            for (final Line line : events) {
                final long arrival = Math.min(line.timestamp(), realNow);
                if (arrival > wall) {
                    driver.advanceWallClockTime(Duration.ofMillis(arrival - wall));
                    wall = arrival;
                }
                pipe(driver, inputs, line);
            }
            if (closeAtEnd) {
                closeAtEnd(config, driver, wall);
            }
            final TestOutputTopic<String, DivergenceEvent> eventsOut = driver.createOutputTopic(config.outputTopic(),
                    new StringDeserializer(), AvroSerdes.specific(DivergenceEvent.class, serdeConfig, false).deserializer());
            final TestOutputTopic<String, DriftAlert> alertsOut = driver.createOutputTopic(config.alertsTopic(),
                    new StringDeserializer(), AvroSerdes.specific(DriftAlert.class, serdeConfig, false).deserializer());
            final List<ObjectNode> emitted = new ArrayList<>();
            eventsOut.readValuesToList().forEach(e -> emitted.add(AvroJson.toJson(e)));
            final List<ObjectNode> alerts = new ArrayList<>();
            alertsOut.readValuesToList().forEach(a -> alerts.add(AvroJson.toJson(a)));
            final List<ObjectNode> dead = new ArrayList<>();
            config.deadLetterTopic().ifPresent(topic -> driver.createOutputTopic(topic, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()).readRecordsToList().forEach(r -> dead.add(deadLetterJson(r))));
            return new Result(emitted, alerts, dead);
        }
    }

    /**
     * Moves the wall clock on until the idle rule sets stream time to the last stream time plus
     * the largest window size and grace: every window holding the last stream time closes.
     */
    private static void closeAtEnd(final DivergentConfig config, final TopologyTestDriver driver, final long wall) {
        final KeyValueStore<String, Long> meta = driver.getKeyValueStore(DivergentTopology.META_STORE);
        final Long streamTime = meta.get(DivergentTopology.STREAM_TIME_KEY);
        if (streamTime == null || streamTime < 0) {
            return;
        }
        long span = 0;
        for (final MonitorConfig monitor : config.monitors()) {
            span = Math.max(span, monitor.windowSize().toMillis() + monitor.grace().toMillis());
        }
        final long idle = config.idleTimeout().toMillis();
        // At least one punctuation interval (at most 1 s), so that the punctuator runs.
        final long end = Math.max(streamTime + span + idle, wall + Math.max(idle, 1_000));
        driver.advanceWallClockTime(Duration.ofMillis(end - wall));
    }

    private static void pipe(final TopologyTestDriver driver, final Map<String, TestInputTopic<byte[], byte[]>> inputs,
                             final Line line) {
        inputs.computeIfAbsent(line.topic(), t -> driver.createInputTopic(t, new ByteArraySerializer(), new ByteArraySerializer()))
                .pipeInput(new TestRecord<>(line.key(), line.value(), null, line.timestamp()));
    }

    /**
     * A dead letter as JSON: its headers without the {@code divergent.error.} prefix (dots become
     * underscores; partition, offset, timestamps and sizes as numbers), its key as text and its
     * value as base64.
     */
    private static ObjectNode deadLetterJson(final TestRecord<byte[], byte[]> record) {
        final ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (final String header : List.of(DeadLetter.KIND, DeadLetter.REASON, DeadLetter.MONITOR, DeadLetter.TOPIC,
                DeadLetter.PARTITION, DeadLetter.OFFSET, DeadLetter.TIMESTAMP, DeadLetter.EVENT_TIME,
                DeadLetter.TRUNCATED, DeadLetter.ORIGINAL_SIZE)) {
            final Header h = record.headers().lastHeader(header);
            if (h != null) {
                final String name = header.substring("divergent.error.".length()).replace('.', '_');
                final String text = new String(h.value(), StandardCharsets.UTF_8);
                if (NUMERIC_HEADERS.contains(header)) {
                    node.put(name, Long.parseLong(text));
                } else {
                    node.put(name, text);
                }
            }
        }
        node.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        node.put("value_base64", record.value() == null ? null : Base64.getEncoder().encodeToString(record.value()));
        return node;
    }

    private static List<Line> parseReferences(final DivergentConfig config, final List<String> lines, final String name,
                                              final Map<String, Object> serdeConfig) {
        final Serializer<ReferenceDistribution> avro = AvroSerdes.specific(ReferenceDistribution.class, serdeConfig, false).serializer();
        final List<Line> parsed = new ArrayList<>();
        for (final Parsed line : parse(lines, name)) {
            final String where = line.where();
            final JsonNode node = line.node();
            final long timestamp = line.timestamp();
            final JsonNode key = node.get("key");
            if (key == null || !key.isTextual() || key.asText().isEmpty()) {
                throw new ReplayException(where + ": \"key\" must be the series id (a non-empty string)");
            }
            final JsonNode value = node.get("value");
            byte[] bytes = null;
            if (value != null && !value.isNull()) {
                if (!value.isObject() || !value.has("weights") || !value.get("weights").isObject()) {
                    throw new ReplayException(where + ": \"value\" must be {\"weights\": {category: weight, ...}} or null");
                }
                final Map<String, Double> weights = validWeights(value, where);
                try {
                    bytes = config.referenceFormat() == ValueFormat.JSON
                            ? JSON.writeValueAsBytes(value)
                            : avro.serialize(config.referenceTopic(), new ReferenceDistribution(weights, ReferenceJson.source(value), ReferenceJson.weightsKind(value)));
                } catch (final JsonProcessingException e) {
                    throw new ReplayException(where + ": " + e.getOriginalMessage());
                }
            }
            parsed.add(new Line(config.referenceTopic(), timestamp, key.asText().getBytes(StandardCharsets.UTF_8), bytes));
        }
        return parsed;
    }

    /**
     * The weights of a reference line, checked by the rules the topology applies to a reference
     * record: a line it would dead-letter as {@code invalid-reference} is a bad input file, and
     * a CI run must fail on it rather than test monitors against a reference that never applied.
     */
    private static Map<String, Double> validWeights(final JsonNode value, final String where) {
        try {
            final Map<String, Double> weights = ReferenceJson.weights(value);
            ReferenceRules.histogramOf(weights);
            ReferenceJson.weightsKind(value);
            return weights;
        } catch (final IllegalArgumentException e) {
            throw new ReplayException(where + ": " + e.getMessage());
        }
    }

    /** A non-blank line of an input file: where it is, its JSON object and its timestamp. */
    private record Parsed(String where, JsonNode node, long timestamp) {
    }

    private static List<Parsed> parse(final List<String> lines, final String name) {
        final List<Parsed> parsed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            final String where = name + ":" + (i + 1);
            final JsonNode node = parseLine(lines.get(i), where);
            if (node != null) {
                parsed.add(new Parsed(where, node, timestamp(node, where)));
            }
        }
        return parsed;
    }

    private static List<Line> parseEvents(final DivergentConfig config, final List<String> lines, final String name,
                                          final Map<String, Object> serdeConfig, final Schema schema) {
        final Serializer<GenericRecord> avro = AvroSerdes.generic(serdeConfig, false).serializer();
        final List<String> topics = config.inputTopics();
        final List<Line> parsed = new ArrayList<>();
        for (final Parsed line : parse(lines, name)) {
            final String where = line.where();
            final JsonNode node = line.node();
            final long timestamp = line.timestamp();
            final String topic;
            if (node.hasNonNull("topic")) {
                topic = node.get("topic").asText();
                if (!topics.contains(topic)) {
                    throw new ReplayException(where + ": topic '" + topic + "' is not an input topic of any monitor " + topics);
                }
            } else if (topics.size() == 1) {
                topic = topics.get(0);
            } else {
                throw new ReplayException(where + ": \"topic\" is required: the monitors read " + topics);
            }
            final JsonNode key = node.get("key");
            final byte[] keyBytes = key == null || key.isNull() ? null : key.asText().getBytes(StandardCharsets.UTF_8);
            final byte[] value;
            if (node.has("value_base64")) {
                try {
                    value = Base64.getDecoder().decode(node.get("value_base64").asText());
                } catch (final IllegalArgumentException e) {
                    throw new ReplayException(where + ": \"value_base64\" is not base64: " + e.getMessage());
                }
            } else if (node.has("value")) {
                value = encode(config.monitorsOf(topic).get(0).valueFormat(), node.get("value"), topic, schema, avro, where);
            } else {
                throw new ReplayException(where + ": a line needs \"value\" or \"value_base64\"");
            }
            parsed.add(new Line(topic, timestamp, keyBytes, value));
        }
        return parsed;
    }

    private static byte[] encode(final ValueFormat format, final JsonNode value, final String topic, final Schema schema,
                                 final Serializer<GenericRecord> avro, final String where) {
        if (value.isNull()) {
            return null;
        }
        try {
            switch (format) {
                case STRING:
                    return (value.isTextual() ? value.asText() : value.toString()).getBytes(StandardCharsets.UTF_8);
                case JSON:
                    return JSON.writeValueAsBytes(value);
                case AVRO:
                default:
                    return avro.serialize(topic, AvroJson.toRecord(schema, JSON.treeToValue(value, Object.class)));
            }
        } catch (final JsonProcessingException e) {
            throw new ReplayException(where + ": " + e.getOriginalMessage());
        } catch (final IllegalArgumentException e) {
            throw new ReplayException(where + ": value does not fit schema " + schema.getFullName() + ": " + e.getMessage());
        }
    }

    private static JsonNode parseLine(final String line, final String where) {
        if (line.isBlank()) {
            return null;
        }
        final JsonNode node;
        try {
            node = StrictJson.readTree(line);
        } catch (final IOException e) {
            throw new ReplayException(where + ": not valid JSON: " + StrictJson.describe(e));
        }
        if (!node.isObject()) {
            throw new ReplayException(where + ": a line must be a JSON object");
        }
        return node;
    }

    private static long timestamp(final JsonNode node, final String where) {
        final JsonNode ts = node.get("timestamp");
        if (ts == null || ts.isNull()) {
            throw new ReplayException(where + ": \"timestamp\" is required (" + Timestamps.EXPECTED + ")");
        }
        try {
            return Timestamps.epochMillis(ts.isTextual() ? ts.asText()
                    : ts.isIntegralNumber() ? ts.bigIntegerValue() : ts.isNumber() ? ts.decimalValue() : ts.toString());
        } catch (final IllegalArgumentException e) {
            throw new ReplayException(where + ": \"timestamp\" " + e.getMessage());
        }
    }

    private static List<String> read(final Path path) {
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return reader.lines().toList();
        } catch (final IOException e) {
            throw new ReplayException("cannot read " + path + ": " + e.getMessage());
        }
    }
}
