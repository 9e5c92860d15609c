package io.divergent.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Read-only looks at a broker for tests that wait on progress: consumer-group lag, committed
 * and end offsets, and which group member owns which partitions. Every method answers from one
 * round of Admin calls (10 s bound each) and never waits for a state: combine them with
 * {@link Waits#waitUntil}.
 */
public final class KafkaProbes {

    private KafkaProbes() {
    }

    /**
     * Settings of a consumer that reads what a test's application wrote: its own group (a
     * unique id), from the earliest offset, only committed transactions.
     *
     * @param bootstrap the broker
     * @return a mutable map
     */
    public static Map<String, Object> readCommittedConsumer(final String bootstrap) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedBroker.uniqueName("reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    /**
     * Waits, up to {@code bound}, until a {@code run} of {@code config} has consumed its input
     * topic and its observations repartition topic to their ends (consumer lag 0).
     *
     * @throws AssertionError naming the lag when the bound passes
     */
    public static void awaitCaughtUp(final Admin admin, final io.divergent.config.DivergentConfig config,
                                     final String input, final Duration bound) {
        final List<String> consumed = List.of(input, config.applicationId() + "-divergent-observation-batches-repartition");
        Waits.waitUntil(bound, () -> lag(admin, config.applicationId(), consumed) == 0,
                () -> "lag of " + consumed + ": " + lag(admin, config.applicationId(), consumed));
    }

    /**
     * Records of some topics not yet committed by a consumer group: data records a
     * {@code read_committed} reader finds after the group's committed offsets. Transaction
     * markers and aborted records do not count: under exactly-once Kafka Streams commits the
     * offset after the last record it processed, and the commit marker behind that record is
     * only covered by the task's next commit, which an idle task never makes (a lag of 1 on
     * offsets that never goes). Records in transactions still open count as not consumed.
     *
     * @param admin  a client of the broker
     * @param group  the consumer group (a Kafka Streams application id)
     * @param topics the topics to sum over; a partition without a commit is read from offset 0
     * @return the summed lag, or {@link Long#MAX_VALUE} if the broker could not answer
     */
    public static long lag(final Admin admin, final String group, final List<String> topics) {
        try {
            final Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(admin, group);
            final Map<TopicPartition, Long> from = new HashMap<>();
            final Map<TopicPartition, Long> ends = endOffsets(admin, topics);
            ends.forEach((partition, end) -> {
                final OffsetAndMetadata done = committed.get(partition);
                final long offset = done == null ? 0 : done.offset();
                if (offset < end) {
                    from.put(partition, offset);
                }
            });
            return from.isEmpty() ? 0 : recordsBefore(admin, from, ends);
        } catch (final Exception e) {
            return Long.MAX_VALUE;
        }
    }

    /** Reads each partition from its offset up to its end offset (at most 2 s); what it could not reach counts whole. */
    private static long recordsBefore(final Admin admin, final Map<TopicPartition, Long> from,
                                      final Map<TopicPartition, Long> ends) throws Exception {
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                .map(node -> node.host() + ":" + node.port()).collect(Collectors.joining(",")));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long records = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline && from.keySet().stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                records += consumer.poll(Duration.ofMillis(50)).count();
            }
            for (final TopicPartition partition : from.keySet()) {
                records += Math.max(0, ends.get(partition) - consumer.position(partition));
            }
            return records;
        }
    }

    /**
     * The offsets a consumer group committed on some topics, summed: how many records it has
     * consumed and committed, when the topics are read from offset 0.
     *
     * @return the sum, or -1 if the broker could not answer
     */
    public static long committed(final Admin admin, final String group, final List<String> topics) {
        try {
            long sum = 0;
            for (final Map.Entry<TopicPartition, OffsetAndMetadata> entry : committedOffsets(admin, group).entrySet()) {
                if (topics.contains(entry.getKey().topic())) {
                    sum += entry.getValue().offset();
                }
            }
            return sum;
        } catch (final Exception e) {
            return -1;
        }
    }

    /**
     * The end offsets (high watermarks: records of open and aborted transactions and
     * transaction markers included) of some topics, summed. It grows as soon as a producer
     * writes, committed or not.
     *
     * @return the sum, or -1 if the broker could not answer
     */
    public static long written(final Admin admin, final List<String> topics) {
        try {
            return endOffsets(admin, topics).values().stream().mapToLong(Long::longValue).sum();
        } catch (final Exception e) {
            return -1;
        }
    }

    /**
     * Records of some topics written in transactions still open: the end offsets minus the
     * last stable offsets, summed. Zero for topics written without transactions.
     *
     * @return the sum, or -1 if the broker could not answer
     */
    public static long uncommitted(final Admin admin, final List<String> topics) {
        try {
            final Map<TopicPartition, Long> stable = endOffsets(admin, topics, IsolationLevel.READ_COMMITTED);
            long open = 0;
            for (final Map.Entry<TopicPartition, Long> end : endOffsets(admin, topics, IsolationLevel.READ_UNCOMMITTED).entrySet()) {
                open += end.getValue() - stable.getOrDefault(end.getKey(), end.getValue());
            }
            return open;
        } catch (final Exception e) {
            return -1;
        }
    }

    /**
     * Every transaction the broker's coordinator knows that is not complete (state other than
     * {@code CompleteCommit}, {@code CompleteAbort} or {@code Empty}): its id, state, age and
     * partitions. For failure messages of tests that wait on progress.
     *
     * @return one line per transaction, or why the broker could not answer
     */
    public static String openTransactions(final Admin admin) {
        try {
            final List<String> ids = admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .filter(t -> !Set.of(TransactionState.COMPLETE_COMMIT, TransactionState.COMPLETE_ABORT,
                            TransactionState.EMPTY).contains(t.state()))
                    .map(TransactionListing::transactionalId).toList();
            if (ids.isEmpty()) {
                return "no open transactions";
            }
            final StringBuilder text = new StringBuilder();
            final long now = System.currentTimeMillis();
            admin.describeTransactions(ids).all().get(10, TimeUnit.SECONDS).forEach((id, t) -> text
                    .append(id).append(' ').append(t.state()).append(" producer ").append(t.producerId())
                    .append(" epoch ").append(t.producerEpoch()).append(", open ")
                    .append(t.transactionStartTimeMs().isPresent() ? (now - t.transactionStartTimeMs().getAsLong()) + " ms" : "?")
                    .append(" of ").append(t.transactionTimeoutMs()).append(" ms, partitions ")
                    .append(t.topicPartitions()).append(System.lineSeparator()));
            return text.toString();
        } catch (final Exception e) {
            return "transactions unknown: " + e;
        }
    }

    /**
     * The partitions assigned to each member of a classic consumer group (one member per
     * Kafka Streams thread), by client id.
     *
     * @return client id to assigned partitions; empty while the group rebalances or if the
     *         broker could not answer
     */
    public static Map<String, Set<TopicPartition>> assignments(final Admin admin, final String group) {
        try {
            final ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups().get(group).get(10, TimeUnit.SECONDS);
            if (description.groupState() != GroupState.STABLE) {
                return Map.of();
            }
            final Map<String, Set<TopicPartition>> owned = new TreeMap<>();
            for (final MemberDescription member : description.members()) {
                owned.put(member.clientId(), member.assignment().topicPartitions());
            }
            return owned;
        } catch (final Exception e) {
            return Map.of();
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(final Admin admin, final String group)
            throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    }

    private static Map<TopicPartition, Long> endOffsets(final Admin admin, final List<String> topics) throws Exception {
        return endOffsets(admin, topics, IsolationLevel.READ_UNCOMMITTED);
    }

    private static Map<TopicPartition, Long> endOffsets(final Admin admin, final List<String> topics,
                                                        final IsolationLevel isolation) throws Exception {
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (final var description : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
            description.partitions().forEach(p -> latest.put(new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
        }
        final Map<TopicPartition, Long> ends = new HashMap<>();
        for (final Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end
                : admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get(10, TimeUnit.SECONDS).entrySet()) {
            ends.put(end.getKey(), end.getValue().offset());
        }
        return ends;
    }
}
