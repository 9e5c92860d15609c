package io.divergent.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.config.TopicConfig;

/**
 * What Divergent needs of a topic it owns: name, partition count, replication factor and
 * topic configs. Immutable; the {@code with...} methods return a copy.
 *
 * @param name              the topic name; not blank
 * @param partitions        the partition count; at least 1
 * @param replicationFactor the replication factor, at least 1, or
 *                          {@link #BROKER_DEFAULT_REPLICATION_FACTOR} for the broker's
 *                          {@code default.replication.factor}
 * @param configs           topic configs applied at creation, such as
 *                          {@code cleanup.policy=compact}; copied
 */
public record NewTopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    /** Lets the broker choose the replication factor ({@code default.replication.factor}). */
    public static final short BROKER_DEFAULT_REPLICATION_FACTOR = -1;

    /**
     * Validates and copies the arguments.
     *
     * @throws NullPointerException     if {@code name} or {@code configs} is null
     * @throws IllegalArgumentException if the name is blank, {@code partitions < 1}, or the
     *                                  replication factor is neither positive nor
     *                                  {@link #BROKER_DEFAULT_REPLICATION_FACTOR}
     */
    public NewTopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configs, "configs");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic '" + name + "' needs at least 1 partition, got " + partitions);
        }
        if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT_REPLICATION_FACTOR) {
            throw new IllegalArgumentException("topic '" + name + "' needs a replication factor of at least 1, got "
                    + replicationFactor);
        }
        configs = Map.copyOf(configs);
    }

    /**
     * A topic with the broker's default replication factor and no topic configs.
     *
     * @param name       the topic name
     * @param partitions the partition count
     * @return the spec
     */
    public static NewTopicSpec of(final String name, final int partitions) {
        return new NewTopicSpec(name, partitions, BROKER_DEFAULT_REPLICATION_FACTOR, Map.of());
    }

    /**
     * A log-compacted topic ({@code cleanup.policy=compact}), such as the reference topic,
     * with the broker's default replication factor.
     *
     * @param name       the topic name
     * @param partitions the partition count
     * @return the spec
     */
    public static NewTopicSpec compacted(final String name, final int partitions) {
        return of(name, partitions).withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * This spec with one more topic config, replacing any value for the same key.
     *
     * @param key   a topic config key, such as {@code retention.ms}
     * @param value its value
     * @return a new spec
     */
    public NewTopicSpec withConfig(final String key, final String value) {
        final Map<String, String> copy = new LinkedHashMap<>(configs);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new NewTopicSpec(name, partitions, replicationFactor, copy);
    }

    /**
     * This spec with another replication factor.
     *
     * @param factor at least 1, or {@link #BROKER_DEFAULT_REPLICATION_FACTOR}
     * @return a new spec
     */
    public NewTopicSpec withReplicationFactor(final short factor) {
        return new NewTopicSpec(name, partitions, factor, configs);
    }
}
