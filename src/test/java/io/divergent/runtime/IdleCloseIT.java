package io.divergent.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.config.DivergentConfig;
import io.divergent.serde.AvroSerdes;
import io.divergent.testing.DivergenceEvents;
import io.divergent.testing.KafkaProbes;
import io.divergent.testing.RunKeys;
import io.divergent.testing.SharedBroker;
import io.divergent.testing.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live traffic on a real broker (event time = wall clock), then the producer stops: the last
 * window's event still comes, closed by the idle rule, and the silent window after it gets a
 * no-data event. Windows of 2 s, no grace, idle.timeout 2 s, commits every 100 ms: the
 * documented bound is end + grace + idle.timeout + punctuation (0.5 s) + commit interval, about
 * 2.6 s after the window ends; the wait below allows 60 s more (a loaded machine), a limit, not
 * a timed assertion.
 */
class IdleCloseIT {

    /**
     * A run of monitor {@code genres} (JSON, 2 s windows, no grace, idle.timeout 2 s, one window
     * task) on a new input topic of {@code inputPartitions}.
     */
    private static DivergentConfig config(final String prefix, final String input, final int inputPartitions)
            throws Exception {
        final Map<String, String> keys = RunKeys.base(prefix, SharedBroker.bootstrapServers(),
                "mock://" + prefix + "-" + UUID.randomUUID(), Files.createTempDirectory("divergent-" + prefix));
        keys.put("partitions", "1");
        keys.put("idle.timeout", "2s");
        RunKeys.monitor(keys, "genres", input, "json", "genre", "2s");
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, inputPartitions, (short) 1),
                    new NewTopic(config.referenceTopic(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        return config;
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    private static void awaitRunning(final DivergentApp app) {
        Waits.waitUntil(Duration.ofSeconds(60), () -> app.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING,
                () -> "app state " + app.streams().state());
    }

    @Test
    void theLastWindowClosesAfterTheProducerStops() throws Exception {
        final String input = SharedBroker.uniqueName("idle-plays");
        final DivergentConfig config = config("idle", input, 1);
        try (DivergentApp app = DivergentApp.start(config);
             KafkaProducer<String, String> producer = producer()) {
            awaitRunning(app);
            // One burst, stamped now, then nothing: no later record will ever close its window.
            final long now = System.currentTimeMillis();
            for (int i = 0; i < 25; i++) {
                producer.send(new ProducerRecord<>(input, null, now, "u" + i, "{\"genre\":\"" + (i % 2 == 0 ? "rock" : "jazz") + "\"}"));
            }
            producer.flush();
            final long windowStart = now / 2_000 * 2_000;

            final Map<String, List<ObjectNode>> events = DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(),
                    config.outputTopic(), AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false)
                            .deserializer(), 2, Duration.ofSeconds(2 + 2 + 60));
            final List<ObjectNode> last = events.get("genres@" + windowStart);
            assertThat(last).as("the burst's window, once, in %s", events.keySet()).hasSize(1);
            assertThat(last.get(0).get("observed_total").asLong()).isEqualTo(25);
            final List<ObjectNode> silent = events.get("genres@" + (windowStart + 2_000));
            assertThat(silent).as("the silent window after it, in %s", events.keySet()).hasSize(1);
            assertThat(silent.get(0).get("no_data").asBoolean()).isTrue();
            assertThat(silent.get(0).get("expected_total").asDouble()).isEqualTo(25.0);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()))) {
                assertThat(KafkaProbes.lag(admin, config.applicationId(), List.of(input))).isZero();
            }
        }
    }

    /**
     * An input of two partitions, live traffic on partition 0 only, partition 1 never written:
     * the window task awaits both (run knows the count), and partition 1, silent since the start
     * for idle.timeout (2 s), stops holding the windows, so they close while traffic flows (the
     * task is never idle: a record every poll, about every 100 ms). Without partition idleness
     * no window would close until partition 1 sent something.
     */
    @Test
    void anInputPartitionThatNeverSendsStopsHoldingTheWindowsAfterTheIdleTimeout() throws Exception {
        final String input = SharedBroker.uniqueName("idle-partition");
        final DivergentConfig config = config("idle-partition", input, 2);
        try (DivergentApp app = DivergentApp.start(config);
             Admin admin = Admin.create(Map.of("bootstrap.servers", SharedBroker.bootstrapServers()));
             KafkaProducer<String, String> producer = producer()) {
            awaitRunning(app);
            final java.util.concurrent.atomic.AtomicLong first = new java.util.concurrent.atomic.AtomicLong(-1);
            // A record stamped now on partition 0 at every poll, until an event is written.
            Waits.waitUntil(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
                final long now = System.currentTimeMillis();
                first.compareAndSet(-1, now);
                producer.send(new ProducerRecord<>(input, 0, now, "u", "{\"genre\":\"rock\"}"));
                producer.flush();
                return KafkaProbes.written(admin, List.of(config.outputTopic())) > 0;
            }, () -> "an event while partition 0 sends and partition 1 never has");
            final Map<String, List<ObjectNode>> events = DivergenceEvents.readCommitted(SharedBroker.bootstrapServers(),
                    config.outputTopic(), AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false)
                            .deserializer(), 1, Duration.ofSeconds(60));
            assertThat(events.keySet()).as("the first window of the traffic")
                    .contains("genres@" + first.get() / 2_000 * 2_000);
        }
    }
}
