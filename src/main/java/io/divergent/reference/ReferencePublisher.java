package io.divergent.reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.avro.ReferenceDistribution;
import io.divergent.avro.WeightsKind;
import io.divergent.config.DivergentConfig;
import io.divergent.config.FieldPath;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ValueFormat;
import io.divergent.runtime.NewTopicSpec;
import io.divergent.runtime.TopicManager;
import io.divergent.serde.AvroSerdes;
import io.divergent.topology.FieldValues;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The Kafka side of {@code divergent reference}: reads a time range of a monitor's input topic
 * into a {@link ReferenceBuilder}, and publishes references to the reference topic in the
 * configured {@code reference.format}, keyed by series id.
 */
public final class ReferencePublisher {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(500);

    private ReferencePublisher() {
    }

    /**
     * What a read of the input topic found.
     *
     * @param read    records in the range
     * @param skipped records in the range the monitor would not count, by reason (the topology
     *                dead-letters them), at most one example reason per kind of problem
     */
    public record TopicRead(long read, Map<String, Long> skipped) {
    }

    /**
     * Counts the records of the monitor's input topic whose event time is in {@code [from, to)},
     * as committed when the read starts (records written later are not read). The event time is
     * the monitor's {@code timestamp.field} when it has one, else the record timestamp.
     *
     * @param config  the configuration (bootstrap servers, registry, Kafka client keys)
     * @param monitor the monitor
     * @param builder where the records are counted
     * @param from    first epoch millisecond included
     * @param to      first epoch millisecond excluded
     * @return how many records were read and skipped
     * @throws IllegalArgumentException if the input topic does not exist
     * @throws org.apache.kafka.common.KafkaException if the broker or the registry cannot be reached
     */
    public static TopicRead readTopic(final DivergentConfig config, final MonitorConfig monitor,
                                      final ReferenceBuilder builder, final long from, final long to) {
        final String topic = monitor.inputTopic();
        final Map<String, Object> props = clientProperties(config, ConsumerConfig.configNames());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        final Deserializer<?> avro = monitor.valueFormat() == ValueFormat.AVRO
                ? AvroSerdes.generic(config.serdeProperties(), false).deserializer() : null;
        final Optional<FieldPath> timeField = monitor.timestampField();
        long read = 0;
        final Map<String, Long> skipped = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = new ArrayList<>();
            final var infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("input topic '" + topic + "' of monitor '" + monitor.name()
                        + "' does not exist on " + config.bootstrapServers());
            }
            infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            consumer.seekToBeginning(partitions);
            if (timeField.isEmpty()) {
                // Record timestamps: skip what is older than the range.
                final Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(p -> query.put(p, from));
                final Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
                starts.forEach((p, start) -> consumer.seek(p, start == null ? ends.get(p) : start.offset()));
            }
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    final Object root;
                    try {
                        root = FieldValues.decode(monitor.valueFormat(), avro, topic, r.value());
                    } catch (final IllegalArgumentException e) {
                        if (timeField.isEmpty() && inRange(r.timestamp(), from, to)) {
                            read++;
                            skipped.merge(e.getMessage(), 1L, Long::sum);
                        }
                        continue;
                    }
                    final long time;
                    if (timeField.isPresent()) {
                        try {
                            time = FieldValues.timestampMillis(timeField.get().toString(), timeField.get().resolve(root));
                        } catch (final IllegalArgumentException e) {
                            skipped.merge(e.getMessage(), 1L, Long::sum);
                            continue;
                        }
                    } else {
                        time = r.timestamp();
                    }
                    if (!inRange(time, from, to)) {
                        continue;
                    }
                    read++;
                    final String problem = builder.offer(root);
                    if (problem != null) {
                        skipped.merge(problem, 1L, Long::sum);
                    }
                }
            }
        } finally {
            if (avro != null) {
                avro.close();
            }
        }
        return new TopicRead(read, skipped);
    }

    private static boolean inRange(final long time, final long from, final long to) {
        return time >= from && time < to;
    }

    /**
     * The value of a reference record in the configured format: an Avro
     * {@code ReferenceDistribution} in the registry's wire format, or JSON
     * {@code {"weights": {...}, "source": "...", "weights_kind": "SAMPLE"}}.
     *
     * @param config     the configuration ({@code reference.format}, {@code reference.topic})
     * @param avro       the Avro serializer, used only for {@code avro}
     * @param reference  the counts
     * @param source     the {@code source} label
     * @param kind       what the weights are: counts of a sample, or a fixed distribution
     * @return the bytes
     */
    static byte[] encode(final DivergentConfig config, final Serializer<ReferenceDistribution> avro,
                         final SeriesReference reference, final String source, final WeightsKind kind) {
        final Map<String, Double> weights = new LinkedHashMap<>();
        reference.counts().forEach((category, count) -> weights.put(category, count.doubleValue()));
        if (config.referenceFormat() == ValueFormat.JSON) {
            final ObjectNode node = JSON.createObjectNode();
            final ObjectNode w = node.putObject("weights");
            reference.counts().forEach(w::put);
            node.put("source", source);
            node.put("weights_kind", kind.name());
            return node.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return avro.serialize(config.referenceTopic(), new ReferenceDistribution(weights, source, kind));
    }

    /**
     * Publishes one reference per series to the reference topic (created compacted, with one
     * partition, if it does not exist; {@code run} accepts any partition count), keyed by series
     * id, with record timestamp {@code timestamp}: windows ending after it use it. Returns once
     * every record is acknowledged.
     *
     * @param config     the configuration
     * @param references the references
     * @param source     the {@code source} label of every reference
     * @param timestamp  the record timestamp, epoch milliseconds
     * @param kind       what the weights are ({@code SAMPLE} for counts of records: the G-test is
     *                   then the two-sample test of homogeneity)
     * @throws org.apache.kafka.common.KafkaException if the broker or the registry refuses or cannot be reached
     * @throws io.divergent.runtime.TopicException if the reference topic cannot be checked or created
     */
    public static void publish(final DivergentConfig config, final List<SeriesReference> references,
                               final String source, final long timestamp, final WeightsKind kind)
            throws InterruptedException {
        final Map<String, Object> admin = clientProperties(config, AdminClientConfig.configNames());
        try (TopicManager topics = TopicManager.connect(admin)) {
            if (topics.partitionsIfExists(config.referenceTopic()).isEmpty()) {
                topics.ensureTopic(NewTopicSpec.compacted(config.referenceTopic(), 1));
            }
        }
        final Map<String, Object> props = clientProperties(config, ProducerConfig.configNames());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        try (Serializer<ReferenceDistribution> avro = AvroSerdes.specific(ReferenceDistribution.class,
                config.serdeProperties(), false).serializer();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                     new ByteArraySerializer())) {
            final List<Future<?>> sent = new ArrayList<>();
            for (final SeriesReference reference : references) {
                sent.add(producer.send(new ProducerRecord<>(config.referenceTopic(), null, timestamp,
                        reference.seriesId(), encode(config, avro, reference, source, kind))));
            }
            for (final Future<?> ack : sent) {
                try {
                    ack.get();
                } catch (final ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException runtime ? runtime
                            : new IllegalStateException(e.getCause());
                }
            }
        }
    }

    /** The {@code kafka.*} keys a client of this kind knows, and the bootstrap servers. */
    private static Map<String, Object> clientProperties(final DivergentConfig config, final java.util.Set<String> known) {
        final Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.keySet().retainAll(known);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return props;
    }
}
