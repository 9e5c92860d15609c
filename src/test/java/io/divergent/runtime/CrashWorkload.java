package io.divergent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DriftAlert;
import io.divergent.config.DivergentConfig;
import io.divergent.local.Replayer;
import io.divergent.testing.DivergenceEvents;
import io.divergent.testing.DivergentProcess;
import io.divergent.testing.KafkaProbes;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import io.divergent.testing.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The traffic and the plumbing shared by the tests that kill {@code divergent run} processes
 * ({@link CrashRecoveryIT}, {@link FailoverIT}): one application id, its topics, a config file
 * per instance (distinct state directories), the instances' processes, and what an
 * uninterrupted run emits for the same input ({@code replay}).
 *
 * <p>Traffic: {@value #EVENTS} JSON plays over a 4-partition topic, {@value #WINDOWS} tumbling
 * windows of 10 s for {@value #SERIES} countries (50 plays per series and window), some series
 * drifting from the middle to four fifths of the span (their alerts fire, then resolve), some with
 * a category the reference does not have in the last fifth, some with a reference that changes
 * mid-stream, some with none. The grace is an hour and the traffic spans {@value #WINDOWS} windows
 * of event time, so no window closes before the closers (one per series and partition, an hour and more ahead) arrive,
 * whatever the order in which partitions, instances and restarts deliver the plays: the output
 * cannot depend on timing, and must equal {@code replay}'s.
 */
final class CrashWorkload implements AutoCloseable {

    /**
     * 30 windows (300 s of event time): each kind of series and alert the workload has needs a
     * few windows, not 50 (which had the same schedule, scaled); every play costs the instances
     * and the replay (about 1 ms a record in the test driver).
     */
    static final int WINDOWS = 30;
    static final int SERIES = 16;
    static final int EVENTS = WINDOWS * SERIES * 50;
    static final int PARTITIONS = 4;
    /**
     * Every window of every series, and for each series the no-data event of the window after the
     * traffic (the window starting at {@value #WINDOWS} times 10 s closes, silent: issue 15); the closers' own windows stay open.
     */
    static final int EXPECTED_EVENTS = WINDOWS * SERIES + SERIES;
    static final Duration BOUND = Duration.ofSeconds(120);
    /**
     * How often a wait probes the broker: a probe is several admin requests, and the lag probe
     * reads the backlog of every partition not caught up; at 50 probes a second they took CPU
     * from the instances (2 shared cores) whose progress they wait for.
     */
    static final Duration POLL = Duration.ofMillis(200);

    private static final long WINDOW_MS = 10_000;
    private static final long CLOSE_AT = WINDOWS * WINDOW_MS + 3_600_000 + WINDOW_MS;
    private static final String[] COUNTRIES = {"AR", "AU", "BR", "CA", "DE", "ES", "FR", "GB", "IN", "IT", "JP", "KR",
        "MX", "NL", "SE", "US"};
    private static final String[] GENRES = {"action", "comedy", "drama", "horror", "documentary", "anime"};
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What an uninterrupted run emits: the same for every workload, so replayed once per JVM.
     * The replay (about 1 ms of one core a record: the test driver commits after every record) starts in
     * the background when the first workload is created, and runs while the instances start,
     * count and wait for takeovers, instead of after them.
     */
    private static CompletableFuture<Replayed> replayed;

    /** An uninterrupted run's events by {@code series@windowStart}, and its alert events by {@link #alertKey}. */
    private record Replayed(Map<String, ObjectNode> events, Map<String, ObjectNode> alerts) {
    }

    private final Path dir;
    private final DivergentConfig config;
    private final Map<String, String> keys;
    private final List<ProducerRecord<String, String>> events = new ArrayList<>();
    private final List<ProducerRecord<String, String>> closers = new ArrayList<>();
    private final List<String> eventLines = new ArrayList<>();
    private final List<String> referenceLines = new ArrayList<>();
    private final List<DivergentProcess> processes = new ArrayList<>();
    private final Admin admin;
    private final KafkaProducer<String, String> producer;

    private CrashWorkload(final Path dir, final Map<String, String> keys) throws Exception {
        this.dir = dir;
        this.keys = keys;
        this.config = DivergentConfig.fromMap(keys);
        this.admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()));
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "5"), new StringSerializer(), new StringSerializer());
        traffic();
    }

    /**
     * A fresh application: unique id and topics, the input and reference topics created (4
     * partitions) and the references published; nothing running yet.
     *
     * @param name      readable prefix of the application id and the work directory under target/
     * @param guarantee {@code exactly_once_v2} or {@code at_least_once}
     * @param extra     more config keys (may override the ones here)
     */
    static CrashWorkload create(final String name, final String guarantee, final Map<String, String> extra) throws Exception {
        final String scope = SharedBroker.uniqueName(name);
        final Path dir = Paths.get("target", "crash-it", scope).toAbsolutePath();
        Files.createDirectories(dir);
        // Values are JSON and the references too: the only registry use is writing the events,
        // which an in-memory scope of the child serves (the test decodes them without ids).
        final Map<String, String> keys = RunKeys.base(name, SharedBroker.bootstrapServers(), "mock://" + scope,
                dir.resolve("state"));
        final String app = keys.get("application.id");
        keys.put("reference.format", "json");
        keys.put("partitions", Integer.toString(PARTITIONS));
        keys.put("max.future", "0");
        keys.put("rocksdb.memory.mb", "32");
        keys.put("kafka.processing.guarantee", guarantee);
        RunKeys.shortSession(keys);
        RunKeys.monitor(keys, "genres", app + "-plays", "json", "genre", "10s");
        keys.put("monitor.genres.segment.fields", "country");
        keys.put("monitor.genres.window.grace", "1h");
        keys.put("monitor.genres.alert.js_distance.warning", "0.1");
        keys.putAll(extra);
        final CrashWorkload workload = new CrashWorkload(dir, keys);
        // Created with leaders known before the first send: producing into a topic created a
        // moment ago got NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE on the retried first
        // batch, which the idempotent producer retried until its delivery timeout and dropped.
        final TopicManager topics = new TopicManager(workload.admin, SharedBroker.bootstrapServers(), Duration.ofSeconds(30));
        topics.ensureTopic(NewTopicSpec.of(workload.input(), PARTITIONS));
        topics.ensureTopic(NewTopicSpec.compacted(workload.config.referenceTopic(), PARTITIONS));
        workload.publishReferences();
        workload.startReplay();
        return workload;
    }

    DivergentConfig config() {
        return config;
    }

    String input() {
        return config.inputTopics().get(0);
    }

    /** Every topic the application's tasks consume: the input and the observations repartition (the global reference store commits no offsets). */
    List<String> consumed() {
        return List.of(input(), config.applicationId() + "-divergent-observation-batches-repartition");
    }

    Admin admin() {
        return admin;
    }

    /** Input records committed by the application so far (offsets summed over the partitions). */
    long inputCommitted() {
        return KafkaProbes.committed(admin, config.applicationId(), List.of(input()));
    }

    /** Records written to the events topic so far, uncommitted and aborted ones (and markers) included. */
    long outputWritten() {
        return KafkaProbes.written(admin, List.of(config.outputTopic()));
    }

    /** Records on the events topic in transactions still open (0 without exactly-once). */
    long outputUncommitted() {
        return KafkaProbes.uncommitted(admin, List.of(config.outputTopic()));
    }

    /** Whether the application has consumed and committed everything it was given. */
    boolean caughtUp() {
        return KafkaProbes.lag(admin, config.applicationId(), consumed()) == 0;
    }

    /** Produces every play (not the closers), in event-time order. */
    void produceEvents() throws Exception {
        send(events);
    }

    /** Produces the closers of series {@code from} (inclusive) to {@code to}, on every partition. */
    void produceClosers(final int from, final int to) throws Exception {
        send(closers.subList(from * PARTITIONS, to * PARTITIONS));
    }

    /**
     * Starts instance {@code instance} of the application in its own JVM: its own config file
     * and state directory (the same on every restart of that instance), its log appended to
     * {@code instance-N.log} of the work directory.
     */
    DivergentProcess start(final int instance) throws IOException {
        return start(instance, List.of());
    }

    /** As {@link #start(int)}, with system properties for the child (see {@link DivergentProcess#run(Path, Path, List)}). */
    DivergentProcess start(final int instance, final List<String> properties) throws IOException {
        final Path file = dir.resolve("instance-" + instance + ".properties");
        if (!Files.exists(file)) {
            final Properties props = new Properties();
            props.putAll(keys);
            props.put("kafka.state.dir", dir.resolve("state-" + instance).toString());
            try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                props.store(writer, "CrashWorkload instance " + instance);
            }
        }
        final DivergentProcess process = DivergentProcess.run(file, dir.resolve("instance-" + instance + ".log"), properties);
        processes.add(process);
        return process;
    }

    /** Waits until the application has consumed and committed everything it was given. */
    void awaitCaughtUp() {
        // Per topic, with the records in transactions still open: a stall behind a dead
        // instance's transaction shows as open records that never go.
        await(this::caughtUp, () -> consumed().stream().map(t -> t + ": lag "
                + KafkaProbes.lag(admin, config.applicationId(), List.of(t)) + ", in open transactions "
                + KafkaProbes.uncommitted(admin, List.of(t))).toList().toString());
    }

    /**
     * Waits until the group is stable with exactly {@code instances} instances among its members
     * (an instance has a member per stream thread, the threads' client ids sharing the instance's
     * prefix), each instance owning some partitions, together owning every partition the
     * application consumes.
     *
     * @return instance (client id prefix) to owned partitions
     */
    Map<String, Set<TopicPartition>> awaitOwners(final int instances) {
        final int partitions = consumed().size() * PARTITIONS;
        final AtomicReference<Map<String, Set<TopicPartition>>> seen = new AtomicReference<>(Map.of());
        await(() -> {
            final Map<String, Set<TopicPartition>> owners = new TreeMap<>();
            KafkaProbes.assignments(admin, config.applicationId()).forEach((member, owned) -> owners
                    .computeIfAbsent(instanceOf(member), k -> new HashSet<>()).addAll(owned));
            seen.set(owners);
            return owners.size() == instances && owners.values().stream().noneMatch(Set::isEmpty)
                    && owners.values().stream().mapToInt(Set::size).sum() == partitions;
        }, () -> instances + " instances owning all " + partitions + " partitions, seen " + seen.get());
        return seen.get();
    }

    /** The instance of a stream thread's consumer: its client id up to {@code -StreamThread-}. */
    private static String instanceOf(final String clientId) {
        final int thread = clientId.indexOf("-StreamThread-");
        return thread < 0 ? clientId : clientId.substring(0, thread);
    }

    /**
     * {@link Waits#waitUntil} with {@link #BOUND}, polling every {@link #POLL}, the failure message
     * ending with the logs of every instance.
     */
    void await(final BooleanSupplier condition, final Supplier<String> describe) {
        Waits.waitUntil(BOUND, POLL, condition, () -> describe.get() + System.lineSeparator()
                + KafkaProbes.openTransactions(admin) + System.lineSeparator() + logs());
    }

    /** The tail of every instance's log, for failure messages. */
    String logs() {
        final StringBuilder text = new StringBuilder();
        try (var files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted()
                    .forEach(f -> text.append(DivergentProcess.tail(f)).append(System.lineSeparator()));
        } catch (final IOException e) {
            text.append("(cannot list ").append(dir).append(": ").append(e).append(')');
        }
        return text.toString();
    }

    /** Every committed event on the events topic, by {@code series@windowStart}, duplicates kept. */
    Map<String, List<ObjectNode>> readCommitted() {
        try {
            return DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(), config.outputTopic(),
                    DivergenceEvents.withoutRegistry(), EXPECTED_EVENTS, BOUND);
        } catch (final AssertionError e) {
            throw new AssertionError(e.getMessage() + System.lineSeparator() + logs(), e);
        }
    }

    /** What an uninterrupted run emits, by {@code series@windowStart}. */
    Map<String, ObjectNode> expected() {
        return replayed().events();
    }

    /** The alert events an uninterrupted run emits, by {@link #alertKey}. */
    Map<String, ObjectNode> expectedAlerts() {
        return replayed().alerts();
    }

    private Replayed replayed() {
        try {
            return startReplay().join();
        } catch (final CompletionException e) {
            throw new AssertionError("the replay of the uninterrupted run failed: " + e.getCause(), e.getCause());
        }
    }

    /** Starts the replay of this traffic on a daemon thread unless a workload of this JVM has; idempotent. */
    private CompletableFuture<Replayed> startReplay() {
        synchronized (CrashWorkload.class) {
            if (replayed == null) {
                final DivergentConfig replayConfig = config;
                final List<String> events = List.copyOf(eventLines);
                final List<String> references = List.copyOf(referenceLines);
                final CompletableFuture<Replayed> future = new CompletableFuture<>();
                final Thread thread = new Thread(() -> {
                    try {
                        future.complete(replay(replayConfig, events, references));
                    } catch (final Throwable e) {
                        future.completeExceptionally(e);
                    }
                }, "crash-workload-replay");
                thread.setDaemon(true);
                thread.start();
                replayed = future;
            }
            return replayed;
        }
    }

    private static Replayed replay(final DivergentConfig config, final List<String> events, final List<String> references) {
        final Map<String, ObjectNode> byKey = new TreeMap<>();
        final Replayer.Result result = Replayer.replay(config, events, "crash-events", references, "crash-references", null);
        result.events().forEach(e -> byKey.put(DivergenceEvents.key(e), e));
        final Map<String, ObjectNode> alerts = new TreeMap<>();
        result.alerts().forEach(a -> {
            if (alerts.put(alertKey(a), a) != null) {
                throw new AssertionError("two alert events of one key in the replay: " + alertKey(a));
            }
        });
        return new Replayed(Collections.unmodifiableMap(byKey), Collections.unmodifiableMap(alerts));
    }

    /** An alert event's identity: series, window, kind, measure, state, reminder. */
    static String alertKey(final ObjectNode alert) {
        return alert.get("series_id").asText() + "@" + alert.get("window_start").asLong() + "/" + alert.get("kind").asText()
                + "/" + alert.get("measure").asText() + "/" + alert.get("state").asText()
                + (alert.get("reminder").asBoolean() ? "/reminder" : "");
    }

    /**
     * Asserts that the committed alert events are those of an uninterrupted run, each exactly
     * once and equal field by field: no FIRING lost or doubled, every RESOLVED once (their
     * lifecycle state commits with the output). The replay has some of both, or this would
     * prove nothing.
     */
    void assertAlertsExactlyOnce(final String context) {
        final Map<String, ObjectNode> wanted = expectedAlerts();
        assertThat(wanted.values()).as("the uninterrupted run's alerts")
                .anySatisfy(a -> assertThat(a.get("state").asText()).isEqualTo("FIRING"))
                .anySatisfy(a -> assertThat(a.get("state").asText()).isEqualTo("RESOLVED"));
        final Map<String, List<ObjectNode>> live = readCommittedAlerts();
        assertThat(live.keySet()).as("alert events; %s", context).isEqualTo(wanted.keySet());
        final List<String> wrong = new ArrayList<>();
        wanted.forEach((key, alert) -> {
            if (!List.of(alert).equals(live.get(key))) {
                wrong.add(key + ": " + live.get(key).size() + " copies or fields differ");
            }
        });
        assertThat(wrong).as("alert events not exactly once and equal field by field; %s", context).isEmpty();
    }

    /** Every committed alert event, by {@link #alertKey}, duplicates kept. */
    Map<String, List<ObjectNode>> readCommittedAlerts() {
        try {
            return DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(), config.alertsTopic(),
                    DivergenceEvents.withoutRegistry(DriftAlert.class, DriftAlert.getClassSchema()), CrashWorkload::alertKey,
                    expectedAlerts().size(), BOUND);
        } catch (final AssertionError e) {
            throw new AssertionError(e.getMessage() + System.lineSeparator() + logs(), e);
        }
    }

    /** Kills every instance still running, then closes the clients. */
    @Override
    public void close() {
        try {
            processes.forEach(DivergentProcess::kill);
        } finally {
            producer.close(Duration.ofSeconds(10));
            admin.close(Duration.ofSeconds(10));
        }
    }

    /** Sends and checks every record: a record the broker did not take must fail the test, not vanish from the input. */
    private void send(final List<ProducerRecord<String, String>> records) throws Exception {
        final List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (final ProducerRecord<String, String> record : records) {
            sent.add(producer.send(record));
        }
        producer.flush();
        for (final Future<RecordMetadata> future : sent) {
            future.get(30, TimeUnit.SECONDS);
        }
    }

    private void publishReferences() throws Exception {
        final List<ProducerRecord<String, String>> references = new ArrayList<>();
        for (int c = 0; c < SERIES; c++) {
            // The last four series have no reference: their events come with has_reference false.
            if (c >= SERIES - 4) {
                continue;
            }
            final String series = "genres|country=" + COUNTRIES[c];
            references.add(reference(series, 0, Map.of("action", 4.0, "comedy", 3.0, "drama", 2.0, "horror", 1.0)));
            if (c < 4) {
                // As of window end: windows ending after the middle of the traffic use this version.
                references.add(reference(series, WINDOWS / 2 * WINDOW_MS, Map.of("action", 3.0, "comedy", 3.0, "drama", 2.0,
                        "horror", 1.0, "documentary", 1.0)));
            }
        }
        send(references);
    }

    private ProducerRecord<String, String> reference(final String series, final long time, final Map<String, Double> weights)
            throws IOException {
        final ObjectNode value = JSON.createObjectNode();
        value.set("weights", JSON.valueToTree(new TreeMap<>(weights)));
        value.put("source", "crash-workload");
        referenceLines.add(line(time, series, value));
        return new ProducerRecord<>(config.referenceTopic(), null, time, series, JSON.writeValueAsString(value));
    }

    private void traffic() throws IOException {
        final Random random = new Random(42);
        for (int i = 0; i < EVENTS; i++) {
            final long time = (long) i * WINDOWS * WINDOW_MS / EVENTS;
            final int c = i % SERIES;
            final int window = (int) (time / WINDOW_MS);
            final double[] weights = {4, 3, 2, 1, 0, 0};
            if (c % 3 == 0 && window >= WINDOWS / 2 && window < WINDOWS * 4 / 5) {
                // Drift for 3 tenths of the windows: fewer action plays, documentaries appear; its alerts fire, then resolve.
                weights[0] = 2;
                weights[4] = 2;
            }
            if (c % 5 == 0 && window >= WINDOWS * 4 / 5) {
                // A category no reference has: KL is infinite.
                weights[5] = 1;
            }
            events.add(play(input(), time, "user-" + (i % 101), GENRES[pick(random, weights)], COUNTRIES[c], eventLines));
        }
        // A closer per series on every partition: a window task closes by the least event time of
        // the input partitions it hears from (InputWatermark), so each must pass the windows.
        for (final String country : COUNTRIES) {
            for (int p = 0; p < PARTITIONS; p++) {
                closers.add(play(input(), p, CLOSE_AT, "closer-" + country, "action", country, eventLines));
            }
        }
    }

    private static int pick(final Random random, final double[] weights) {
        double total = 0;
        for (final double w : weights) {
            total += w;
        }
        double r = random.nextDouble() * total;
        for (int g = 0; g < weights.length; g++) {
            r -= weights[g];
            if (r < 0) {
                return g;
            }
        }
        return 0;
    }

    private static ProducerRecord<String, String> play(final String topic, final long time, final String key,
                                                       final String genre, final String country, final List<String> lines)
            throws IOException {
        return play(topic, null, time, key, genre, country, lines);
    }

    /** A play on {@code partition} (null: by key). */
    private static ProducerRecord<String, String> play(final String topic, final Integer partition, final long time,
                                                       final String key, final String genre, final String country,
                                                       final List<String> lines) throws IOException {
        final ObjectNode value = JSON.createObjectNode();
        value.put("genre", genre);
        value.put("country", country);
        lines.add(line(time, key, value));
        return new ProducerRecord<>(topic, partition, time, key, JSON.writeValueAsString(value));
    }

    private static String line(final long time, final String key, final ObjectNode value) throws IOException {
        final ObjectNode line = JSON.createObjectNode();
        line.put("timestamp", time);
        line.put("key", key);
        line.set("value", value);
        return JSON.writeValueAsString(line);
    }
}
