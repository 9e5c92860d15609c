package io.divergent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.config.DivergentConfig;
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
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test of the idle close (issue 15): {@code divergent run} in its own JVM with
 * {@code exactly_once_v2}, live traffic that stops, and a SIGKILL while the wall-clock
 * punctuator is writing the events of the windows it closes; restarted on the same state
 * directory, the application closes the same windows again, and {@code read_committed} sees
 * each (series, window) exactly once with the plays sent into it.
 *
 * <p>Traffic: {@value #PLAYS} plays for {@value #SERIES_COUNT} series, stamped over the
 * {@value #SPAN_MS} ms of wall clock before the burst is sent, in time order on one input
 * partition (two window tasks): windows of 5 s, no grace, so the burst's earlier windows close
 * on its own records and its last one only on the idle rule ({@code idle.timeout} 2 s), followed
 * by a {@code no_data} window every 5 s. Commits every 1.25 s instead of 100 ms, so that the idle
 * close's transaction stays open long enough for the kill to land in it: not a multiple of the
 * punctuation interval (500 ms), or every other punctuation would be followed at once by a commit
 * (with 1 s, the kill landed after the commit in two runs of three). The figures line says
 * whether it landed mid-transaction; a kill after the commit still tests that the restart emits
 * nothing twice.
 */
class IdleCloseCrashIT {

    private static final int PLAYS = 600;
    private static final int SERIES_COUNT = 6;
    private static final long SPAN_MS = 9_000;
    private static final long WINDOW_MS = 5_000;
    private static final String[] COUNTRIES = {"BR", "DE", "FR", "IN", "JP", "US"};
    private static final String[] GENRES = {"action", "comedy", "drama", "horror"};
    /** Limits how long a broken run hangs; never asserted. */
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every (series, window) from the series' first window with plays up to the last window
     * read: once; {@code observed_total} the plays sent into it (0 and {@code no_data} for the
     * silent windows after the burst); no window missing in between, none before.
     */
    @Test
    void aKillDuringTheIdleCloseEmitsEachWindowExactlyOnce() throws Exception {
        final long began = System.nanoTime();
        // at_least_once here makes the test fail: the idle-closed windows are emitted twice.
        final String guarantee = "exactly_once_v2";
        final String scope = SharedBroker.uniqueName("idle-crash");
        final Path dir = Paths.get("target", "crash-it", scope).toAbsolutePath();
        Files.createDirectories(dir);
        final Map<String, String> keys = RunKeys.base("idle-crash", SharedBroker.bootstrapServers(), "mock://" + scope,
                dir.resolve("state"));
        final String app = keys.get("application.id");
        final String input = app + "-plays";
        keys.put("partitions", "2");
        keys.put("idle.timeout", "2s");
        keys.put("kafka.processing.guarantee", guarantee);
        keys.put("kafka.commit.interval.ms", "1250");
        RunKeys.shortSession(keys);
        keys.put("rocksdb.memory.mb", "32");
        RunKeys.monitor(keys, "genres", input, "json", "genre", "5s");
        keys.put("monitor.genres.segment.fields", "country");
        keys.put("monitor.genres.window.grace", "0s");
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        final Path file = dir.resolve("run.properties");
        final Properties props = new Properties();
        props.putAll(keys);
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(writer, "IdleCloseCrashIT");
        }
        final Path log = dir.resolve("run.log");
        final List<String> consumed = List.of(input, app + "-divergent-observation-batches-repartition");
        final List<String> output = List.of(config.outputTopic());
        final List<DivergentProcess> processes = new ArrayList<>();

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                     new StringSerializer(), new StringSerializer())) {
            final TopicManager topics = new TopicManager(admin, SharedBroker.bootstrapServers(), Duration.ofSeconds(30));
            topics.ensureTopic(NewTopicSpec.of(input, 1));
            topics.ensureTopic(NewTopicSpec.compacted(config.referenceTopic(), 1));
            final BoundedWait await = (condition, describe) -> Waits.waitUntil(BOUND, condition,
                    () -> describe.get() + System.lineSeparator() + KafkaProbes.openTransactions(admin)
                            + System.lineSeparator() + DivergentProcess.tail(log));

            processes.add(DivergentProcess.run(file, log));
            await.until(() -> !KafkaProbes.assignments(admin, app).isEmpty(), () -> "the group is stable");

            // The burst, stamped with the wall clock of the last 9 s, in time order; then nothing.
            final Map<String, Long> sent = new TreeMap<>();
            final long now = System.currentTimeMillis();
            final Random random = new Random(15);
            final List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < PLAYS; i++) {
                final long time = now - SPAN_MS + i * SPAN_MS / PLAYS;
                final String country = COUNTRIES[i % SERIES_COUNT];
                final ObjectNode value = JSON.createObjectNode();
                value.put("genre", GENRES[random.nextInt(GENRES.length)]);
                value.put("country", country);
                acks.add(producer.send(new ProducerRecord<>(input, null, time, "user-" + i, JSON.writeValueAsString(value))));
                sent.merge(series(country) + "@" + Math.floorDiv(time, WINDOW_MS) * WINDOW_MS, 1L, Long::sum);
            }
            producer.flush();
            for (final Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
            final long lastBurstWindow = Math.floorDiv(now - SPAN_MS + (PLAYS - 1) * SPAN_MS / PLAYS, WINDOW_MS) * WINDOW_MS;

            // Consumed and committed: from now on only the idle punctuator writes events.
            await.until(() -> KafkaProbes.lag(admin, app, consumed) == 0, () -> "the burst consumed, lag "
                    + KafkaProbes.lag(admin, app, consumed));
            final long before = KafkaProbes.written(admin, output);
            final DivergentProcess first = processes.get(0);
            // Kill mid-transaction if the probe sees one open; else once a whole close (an event per
            // series and a marker) is committed: one task's close may commit before the other's starts.
            // Without transactions (to see this test fail): at the close's first record.
            final boolean transactional = !"at_least_once".equals(guarantee);
            final long[] openSeen = {0};
            final BooleanSupplier closing = transactional ? () -> {
                openSeen[0] = KafkaProbes.uncommitted(admin, output);
                return openSeen[0] > 0 || KafkaProbes.written(admin, output) - before > SERIES_COUNT;
            } : () -> KafkaProbes.written(admin, output) > before;
            await.until(() -> !first.isAlive() || closing.getAsBoolean(),
                    () -> "the idle close writes past offset " + before + ", now "
                            + KafkaProbes.written(admin, output));
            assertThat(first.isAlive()).as("the application runs until it is killed%n%s", first.logTail()).isTrue();
            first.kill();
            // An open transaction of the killed process stays open until the restart fences it (none
            // although the probe saw one: its commit was under way).
            final long writtenAtKill = KafkaProbes.written(admin, output);
            final long openAtKill = KafkaProbes.uncommitted(admin, output);

            processes.add(DivergentProcess.run(file, log));
            // Caught up and the idle close done: every series has the silent window after the burst.
            final Map<String, List<ObjectNode>> live = DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(),
                    config.outputTopic(), DivergenceEvents.withoutRegistry(), DivergenceEvents::key,
                    events -> Arrays.stream(COUNTRIES)
                            .allMatch(c -> events.containsKey(series(c) + "@" + (lastBurstWindow + WINDOW_MS))),
                    () -> "every series' window " + (lastBurstWindow + WINDOW_MS) + " committed"
                            + System.lineSeparator() + DivergentProcess.tail(log), BOUND);

            final Map<String, Long> expected = new TreeMap<>();
            for (final String country : COUNTRIES) {
                final String series = series(country);
                final long firstWindow = sent.keySet().stream().filter(k -> k.startsWith(series + "@"))
                        .mapToLong(IdleCloseCrashIT::windowOf).min().orElseThrow();
                final long lastRead = live.keySet().stream().filter(k -> k.startsWith(series + "@"))
                        .mapToLong(IdleCloseCrashIT::windowOf).max().orElseThrow();
                for (long w = firstWindow; w <= lastRead; w += WINDOW_MS) {
                    expected.put(series + "@" + w, sent.getOrDefault(series + "@" + w, 0L));
                }
            }
            final String kill = String.format(Locale.ROOT, "kill at events topic end %d (%d before the idle close), "
                    + "%d in open transactions (%d just before)", writtenAtKill, before, openAtKill, openSeen[0]);
            assertThat(live.keySet()).as("(series, window) keys; %s", kill).isEqualTo(expected.keySet());
            // Every difference at once: whether one window or many went wrong tells a lot.
            final List<String> wrong = new ArrayList<>();
            expected.forEach((key, plays) -> {
                final List<ObjectNode> copies = live.get(key);
                final boolean silent = plays == 0;
                if (copies.size() != 1 || copies.get(0).get("observed_total").asLong() != plays
                        || copies.get(0).get("no_data").asBoolean() != silent) {
                    wrong.add(key + ": " + plays + " plays sent, got observed_total "
                            + copies.stream().map(e -> e.get("observed_total").asText()
                            + (e.get("no_data").asBoolean() ? " (no_data)" : "")).toList());
                }
            });
            assertThat(wrong).as("events not exactly once with the plays sent; %s", kill).isEmpty();
            assertThat(expected.values()).as("the idle-closed burst window and silent windows are covered")
                    .contains(0L).anyMatch(p -> p > 0);
            final long copies = live.values().stream().mapToLong(List::size).sum();
            System.out.printf(Locale.ROOT, "IDLE-CRASH-FIGURES guarantee=%s plays=%d events=%d copies=%d "
                            + "mid-transaction=%s %s seconds=%.1f%n", guarantee, PLAYS, live.size(), copies,
                    openAtKill > 0, kill, (System.nanoTime() - began) / 1e9);
        } finally {
            processes.forEach(DivergentProcess::kill);
        }
    }

    private static String series(final String country) {
        return "genres|country=" + country;
    }

    private static long windowOf(final String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('@') + 1));
    }

    /** {@link Waits#waitUntil} with {@link #BOUND}, failure messages ending with the broker's transactions and the log. */
    @FunctionalInterface
    private interface BoundedWait {
        void until(BooleanSupplier condition, Supplier<String> describe);
    }
}
