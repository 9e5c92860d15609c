package io.divergent.bench;

import io.divergent.avro.DivergenceEvent;
import io.divergent.config.DivergentConfig;
import io.divergent.runtime.DivergentApp;
import io.divergent.runtime.NewTopicSpec;
import io.divergent.runtime.TopicManager;
import io.divergent.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency of live traffic (event time = wall clock): for each divergence event, the wall-clock
 * time from its window's {@code end + grace} to the moment a {@code read_committed} consumer
 * receives it, for windows that end while traffic flows and for the windows after it stops
 * (closed by the idle rule). One monitor, 1 s tumbling windows, no grace, {@code idle.timeout}
 * 1 s, exactly-once with Kafka Streams' default commit interval (100 ms).
 */
final class LatencyBench {

    /** The figures of one phase, milliseconds. */
    record Figures(int windows, long p50, long p99, long max) {
        static Figures of(final List<Long> latencies) {
            if (latencies.isEmpty()) {
                return new Figures(0, -1, -1, -1);
            }
            final List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return new Figures(sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.get(sorted.size() - 1));
        }

        private static long percentile(final List<Long> sorted, final double q) {
            return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
        }
    }

    /** Flowing: windows that ended while the producer ran; stopped: the windows after it stopped. */
    record Result(Figures flowing, Figures stopped) {
    }

    private static final long WINDOW_MS = 1_000;
    private static final long IDLE_MS = 1_000;

    private LatencyBench() {
    }

    /**
     * Produces {@code ratePerSecond} records a second for {@code flowSeconds}, stops, and waits
     * a few idle timeouts more for the last windows.
     */
    static Result run(final String bootstrap, final int flowSeconds, final int ratePerSecond, final PrintStream log) {
        final String id = "bench-latency-" + UUID.randomUUID().toString().substring(0, 8);
        final String input = id + "-input";
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("application.id", id);
        keys.put("bootstrap.servers", bootstrap);
        keys.put("schema.registry.url", "mock://" + id);
        keys.put("reference.topic", id + "-reference");
        keys.put("output.topic", id + "-events");
        keys.put("alerts.topic", id + "-alerts");
        keys.put("dead.letter.topic", "");
        keys.put("partitions", "1");
        keys.put("idle.timeout", IDLE_MS + "ms");
        keys.put("kafka.state.dir", System.getProperty("java.io.tmpdir") + "/" + id);
        keys.put("monitor.m.input.topic", input);
        keys.put("monitor.m.value.format", "json");
        keys.put("monitor.m.category.field", "c");
        keys.put("monitor.m.window.size", WINDOW_MS + "ms");
        final DivergentConfig config = DivergentConfig.fromMap(keys);
        try (TopicManager topics = TopicManager.connect(Map.of("bootstrap.servers", bootstrap))) {
            topics.ensureTopic(NewTopicSpec.of(input, 1));
            topics.ensureTopic(NewTopicSpec.compacted(config.referenceTopic(), 1));
        }
        final List<Long> flowing = new ArrayList<>();
        final List<Long> stopped = new ArrayList<>();
        final Map<String, Object> consumerProps = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (DivergentApp app = DivergentApp.start(config);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, DivergenceEvent> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                     AvroSerdes.specific(DivergenceEvent.class, config.serdeProperties(), false).deserializer())) {
            BenchRunner.await(Duration.ofSeconds(60), () -> app.streams().state() == KafkaStreams.State.RUNNING, "RUNNING");
            // Assigned, not subscribed, and polled once before the traffic: a group join would delay the first reads by seconds.
            final TopicPartition events = new TopicPartition(config.outputTopic(), 0);
            consumer.assign(List.of(events));
            consumer.seekToBeginning(List.of(events));
            consumer.poll(Duration.ofMillis(100));
            final long gapNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
            final long start = System.currentTimeMillis();
            final long stop = start + flowSeconds * 1_000L;
            final long after = stop + 3 * IDLE_MS + 3 * WINDOW_MS;
            // The reader on a thread of its own, polling all the time: receive times are not held up by the producer.
            final Thread reader = new Thread(() -> {
                while (System.currentTimeMillis() < after) {
                    read(consumer, Duration.ofMillis(20), start, stop, flowing, stopped);
                }
            }, id + "-reader");
            reader.start();
            long next = System.nanoTime();
            long sent = 0;
            while (System.currentTimeMillis() < stop) {
                final long now = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(input, null, now, null, "{\"c\":\"" + (sent++ % 3) + "\"}"));
                next += gapNanos;
                LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
            }
            producer.flush();
            try {
                reader.join();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            log.printf(Locale.ROOT, "latency: %,d records over %d s, %d windows while flowing, %d after the stop%n",
                    sent, flowSeconds, flowing.size(), stopped.size());
        }
        return new Result(Figures.of(flowing), Figures.of(stopped));
    }

    private static void read(final KafkaConsumer<String, DivergenceEvent> consumer, final Duration timeout, final long start,
                             final long stop, final List<Long> flowing, final List<Long> stopped) {
        for (final ConsumerRecord<String, DivergenceEvent> record : consumer.poll(timeout)) {
            final long received = System.currentTimeMillis();
            final long end = record.value().getWindowEnd().toEpochMilli();
            if (end - WINDOW_MS < start) {
                continue; // a window that began before the measured traffic: partial
            }
            (end <= stop ? flowing : stopped).add(received - end);   // grace is 0
        }
    }
}
