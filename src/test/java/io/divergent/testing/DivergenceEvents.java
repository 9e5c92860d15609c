package io.divergent.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.DivergenceEvent;
import io.divergent.serde.AvroDeserializer;
import io.divergent.serde.AvroJson;
import io.divergent.serde.WireFormat;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reading back the divergence events an application wrote, as a test compares them with
 * {@code replay}: every committed record, keyed {@code series@windowStart}, duplicates kept.
 */
public final class DivergenceEvents {

    private DivergenceEvents() {
    }

    /**
     * The key under which {@link #readCommitted} files an event, and under which tests file
     * replayed events: {@code series_id@window_start} (epoch milliseconds).
     *
     * @param event an event as {@code AvroJson} renders it (or as {@code replay} emits it)
     * @return the key
     */
    public static String key(final ObjectNode event) {
        return event.get("series_id").asText() + "@" + event.get("window_start").asLong();
    }

    /**
     * A deserializer of events in the Confluent wire format that needs no registry: it checks
     * the header and decodes the payload with this build's {@code DivergenceEvent} schema. For
     * events written by another JVM whose registry was an in-memory {@code mock://} scope, whose
     * schema ids mean nothing here; the writer schema is this build's by construction.
     *
     * @return a deserializer throwing {@link SerializationException} for bytes that are not a
     *         wire-format event
     */
    public static Deserializer<DivergenceEvent> withoutRegistry() {
        return withoutRegistry(DivergenceEvent.class, DivergenceEvent.getClassSchema());
    }

    /** {@link #withoutRegistry()} for another generated record, e.g. {@code DriftAlert}. */
    public static <T extends org.apache.avro.specific.SpecificRecord> Deserializer<T> withoutRegistry(final Class<T> type,
                                                                                                      final org.apache.avro.Schema schema) {
        // Avro 1.12.2 refuses to load generated classes it was not told to trust; constructing
        // our specific deserializer is what trusts them (AvroClassTrust).
        new AvroDeserializer<>(type).close();
        final SpecificDatumReader<T> reader = new SpecificDatumReader<>(schema);
        return (topic, data) -> {
            WireFormat.readSchemaId(data, topic);
            try {
                return reader.read(null, DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                        data.length - WireFormat.HEADER_SIZE, null));
            } catch (final IOException | RuntimeException e) {
                throw new SerializationException("topic " + topic + ": not a " + type.getSimpleName() + ": " + e, e);
            }
        };
    }

    /**
     * Reads a topic from the beginning with {@code isolation.level=read_committed} until at least
     * {@code expected} events have been read and every partition has been read up to its last
     * stable offset: then every event committed so far is in the result, however many copies.
     *
     * @param bootstrap    the broker
     * @param topic        the events topic
     * @param deserializer how values are decoded
     * @param expected     the number of events to wait for at least
     * @param bound        how long to wait at most
     * @return {@link #key} to every copy read, in topic order per partition; sorted by key
     * @throws AssertionError if fewer than {@code expected} events are committed within the bound
     */
    public static Map<String, List<ObjectNode>> readCommitted(final String bootstrap, final String topic,
                                                              final Deserializer<DivergenceEvent> deserializer,
                                                              final int expected, final Duration bound) {
        return readCommitted(bootstrap, topic, deserializer, DivergenceEvents::key, expected, bound);
    }

    /** {@link #readCommitted(String, String, Deserializer, int, Duration)} of any record, filed by {@code key}. */
    public static <T extends org.apache.avro.specific.SpecificRecord> Map<String, List<ObjectNode>> readCommitted(
            final String bootstrap, final String topic, final Deserializer<T> deserializer,
            final java.util.function.Function<ObjectNode, String> key, final int expected, final Duration bound) {
        final int[] read = {0};
        return readCommitted(bootstrap, topic, deserializer, key, events -> {
            read[0] = events.values().stream().mapToInt(List::size).sum();
            return read[0] >= expected;
        }, () -> "expected at least " + expected + " committed events on " + topic + ", read " + read[0], bound);
    }

    /**
     * {@link #readCommitted(String, String, Deserializer, int, Duration)} until what has been read
     * satisfies {@code enough} (for a topic that keeps growing, e.g. with {@code no_data} events
     * of later windows) and every partition has been read up to its last stable offset.
     *
     * @param enough   tested on everything read so far, by key, after each poll
     * @param describe the awaited state, for the failure message
     * @throws AssertionError if {@code enough} does not hold within the bound
     */
    public static <T extends org.apache.avro.specific.SpecificRecord> Map<String, List<ObjectNode>> readCommitted(
            final String bootstrap, final String topic, final Deserializer<T> deserializer,
            final java.util.function.Function<ObjectNode, String> key,
            final java.util.function.Predicate<Map<String, List<ObjectNode>>> enough,
            final java.util.function.Supplier<String> describe, final Duration bound) {
        final Map<String, Object> props = KafkaProbes.readCommittedConsumer(bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final Map<String, List<ObjectNode>> events = new TreeMap<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer)) {
            final List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Waits.waitUntil(bound, () -> {
                for (final ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                    final ObjectNode event = AvroJson.toJson(r.value());
                    events.computeIfAbsent(key.apply(event), k -> new ArrayList<>()).add(event);
                }
                if (!enough.test(events)) {
                    return false;
                }
                // Under read_committed the end offsets are the last stable offsets.
                final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            }, describe);
        }
        return events;
    }
}
