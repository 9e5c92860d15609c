package io.divergent.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics Divergent owns and checks the ones it reads, with messages a user can act on.
 *
 * <p>Every Admin call is bounded by the timeout given at construction; a call that does not
 * finish in time, or fails for another reason than the one being checked, becomes a
 * {@link TopicException} naming the topic and the cluster. Thread-safe if the {@link Admin} is.
 */
public final class TopicManager implements AutoCloseable {

    /** The per-call timeout of {@link #connect(Map)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final long VISIBILITY_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Admin admin;
    private final boolean ownsAdmin;
    private final String cluster;
    private final Duration timeout;

    /**
     * A manager over an Admin client the caller keeps and closes.
     *
     * @param admin   the client; not closed by {@link #close()}
     * @param cluster how messages name the cluster, usually its bootstrap servers
     * @param timeout the bound of every Admin call; positive
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public TopicManager(final Admin admin, final String cluster, final Duration timeout) {
        this(admin, false, cluster, timeout);
    }

    private TopicManager(final Admin admin, final boolean ownsAdmin, final String cluster, final Duration timeout) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.ownsAdmin = ownsAdmin;
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("timeout must be positive and below 24 days: " + timeout);
        }
        this.timeout = timeout;
    }

    /**
     * A manager with its own Admin client, closed by {@link #close()}, and
     * {@link #DEFAULT_TIMEOUT} per call.
     *
     * @param adminConfig Kafka client properties; must contain {@code bootstrap.servers}
     * @return the manager
     * @throws IllegalArgumentException if {@code bootstrap.servers} is missing
     */
    public static TopicManager connect(final Map<String, Object> adminConfig) {
        return connect(adminConfig, DEFAULT_TIMEOUT);
    }

    /**
     * A manager with its own Admin client, closed by {@link #close()}.
     *
     * @param adminConfig Kafka client properties; must contain {@code bootstrap.servers}
     * @param timeout     the bound of every Admin call; positive
     * @return the manager
     * @throws IllegalArgumentException if {@code bootstrap.servers} is missing or the timeout is
     *                                  not positive
     */
    public static TopicManager connect(final Map<String, Object> adminConfig, final Duration timeout) {
        final Object servers = adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null) {
            throw new IllegalArgumentException(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG + " is required");
        }
        final Map<String, Object> config = new HashMap<>(adminConfig);
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        return new TopicManager(Admin.create(config), true, servers.toString(), timeout);
    }

    /** What {@link #ensureTopic(NewTopicSpec)} did. */
    public enum Outcome {
        /** The topic did not exist and was created as specified. */
        CREATED,
        /** The topic existed and matches the spec's partition count and cleanup policy. */
        ALREADY_MATCHING
    }

    /**
     * Creates the topic if it does not exist; otherwise checks that its partition count equals
     * the spec's and, if the spec sets {@code cleanup.policy}, that the topic's policy is the
     * same set of policies. The replication factor and other configs of an existing topic are
     * not checked. The topic (created, or created by someone else a moment ago) is visible with a
     * leader on every partition when this returns.
     *
     * @param spec what Divergent needs
     * @return whether the topic was created or already matched
     * @throws TopicException if the existing topic differs (all differences in one message), or
     *                        a call fails or times out
     */
    public Outcome ensureTopic(final NewTopicSpec spec) {
        final NewTopic newTopic = new NewTopic(spec.name(), Optional.of(spec.partitions()),
                spec.replicationFactor() == NewTopicSpec.BROKER_DEFAULT_REPLICATION_FACTOR
                        ? Optional.empty() : Optional.of(spec.replicationFactor()))
                .configs(spec.configs());
        final boolean created = await(admin.createTopics(List.of(newTopic),
                        new CreateTopicsOptions().timeoutMs(timeoutMs())).values().get(spec.name()).thenApply(ignored -> Boolean.TRUE),
                "create topic '" + spec.name() + "'", TopicExistsException.class).isPresent();
        // Also when it already exists: another instance may have just created it, and the
        // controller says so before the broker we describe it on has the metadata.
        awaitVisible(spec.name());
        if (created) {
            return Outcome.CREATED;
        }
        final List<String> mismatches = mismatches(spec);
        if (mismatches.isEmpty()) {
            return Outcome.ALREADY_MATCHING;
        }
        throw new TopicException("topic '" + spec.name() + "' on " + cluster + " is not as Divergent needs it: "
                + String.join("; ", mismatches)
                + ". Delete and recreate it with these settings, or configure another topic");
    }

    /**
     * Checks that a topic Divergent reads exists.
     *
     * @param topic   the topic name
     * @param purpose what the topic is for, shown in parentheses, e.g. {@code input of monitor 'genres'}
     * @return its partition count
     * @throws TopicException if it does not exist, with one line such as
     *                        {@code topic 'plays' (input of monitor 'genres') does not exist on
     *                        localhost:9092: create it or fix the configuration}; or if the check
     *                        fails or times out
     */
    public int requireExisting(final String topic, final String purpose) {
        return requireExisting(topic, purpose, null);
    }

    /**
     * Checks that a topic Divergent reads exists, naming the configuration key that chose it.
     *
     * @param topic     the topic name
     * @param purpose   what the topic is for, shown in parentheses, e.g. {@code input of monitor 'genres'}
     * @param configKey the key whose value named the topic, e.g. {@code monitor.genres.input.topic};
     *                  {@code null} for none
     * @return its partition count
     * @throws TopicException if it does not exist, with one line such as
     *                        {@code topic 'plays' (input of monitor 'genres') does not exist on
     *                        localhost:9092: create it or fix monitor.genres.input.topic}; or if the
     *                        check fails or times out
     */
    public int requireExisting(final String topic, final String purpose, final String configKey) {
        final String what = "topic '" + topic + "' (" + purpose + ")";
        final Optional<TopicDescription> description = describe(topic, what);
        if (description.isEmpty()) {
            throw new TopicException(what + " does not exist on " + cluster + ": create it or fix "
                    + (configKey == null ? "the configuration" : configKey));
        }
        return description.get().partitions().size();
    }

    /**
     * The partition count of a topic, if it exists.
     *
     * @param topic the topic name
     * @return its partition count, or empty when the cluster has no such topic
     * @throws TopicException if the check fails or times out
     */
    public Optional<Integer> partitionsIfExists(final String topic) {
        return describe(topic, "topic '" + topic + "'").map(d -> d.partitions().size());
    }

    /**
     * The partition count of an existing topic.
     *
     * @param topic the topic name
     * @return its partition count
     * @throws TopicException if it does not exist, or the call fails or times out
     */
    public int partitionsOf(final String topic) {
        final String what = "topic '" + topic + "'";
        return describe(topic, what)
                .orElseThrow(() -> new TopicException(what + " does not exist on " + cluster))
                .partitions().size();
    }

    /** Closes the Admin client if this manager created it (see {@link #connect(Map)}). */
    @Override
    public void close() {
        if (ownsAdmin) {
            admin.close(timeout);
        }
    }

    private List<String> mismatches(final NewTopicSpec spec) {
        final String what = "topic '" + spec.name() + "'";
        final List<String> mismatches = new ArrayList<>();
        final int partitions = describe(spec.name(), what)
                .orElseThrow(() -> new TopicException(what + " on " + cluster
                        + " was reported as existing but then not found; retry"))
                .partitions().size();
        if (partitions != spec.partitions()) {
            mismatches.add("it has " + partitions + " partition" + (partitions == 1 ? "" : "s")
                    + ", expected " + spec.partitions());
        }
        final String wantedPolicy = spec.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (wantedPolicy != null) {
            final String actualPolicy = cleanupPolicyOf(spec.name());
            if (!policySet(actualPolicy).equals(policySet(wantedPolicy))) {
                mismatches.add(TopicConfig.CLEANUP_POLICY_CONFIG + " is '" + actualPolicy + "', expected '"
                        + wantedPolicy + "'");
            }
        }
        return mismatches;
    }

    private String cleanupPolicyOf(final String topic) {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        final Config config = await(admin.describeConfigs(List.of(resource),
                        new DescribeConfigsOptions().timeoutMs(timeoutMs())).values().get(resource),
                "read the configs of topic '" + topic + "'", null)
                .orElseThrow(() -> new TopicException("Kafka at " + cluster + " returned no configs for topic '"
                        + topic + "'"));
        final ConfigEntry entry = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return entry == null || entry.value() == null ? TopicConfig.CLEANUP_POLICY_DELETE : entry.value();
    }

    private static Set<String> policySet(final String policy) {
        return Arrays.stream(policy.split(","))
                .map(p -> p.trim().toLowerCase(Locale.ROOT))
                .filter(p -> !p.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Optional<TopicDescription> describe(final String topic, final String what) {
        return await(admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMs()))
                .topicNameValues().get(topic), "describe " + what, UnknownTopicOrPartitionException.class);
    }

    /** Topic metadata reaches brokers after the controller commits the creation: wait for it. */
    private void awaitVisible(final String topic) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final Optional<TopicDescription> description = describe(topic, "topic '" + topic + "'");
            if (description.isPresent()
                    && description.get().partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TopicException("topic '" + topic + "' was created on " + cluster
                        + " but has no leader on every partition after " + timeout);
            }
            LockSupport.parkNanos(VISIBILITY_PARK_NANOS);
        }
    }

    /**
     * The future's value, or empty if it failed with {@code absentOn}, which the caller expects
     * (the topic exists, or does not). Any other failure becomes a {@link TopicException}.
     * A successful future of {@code Void} also yields empty: use {@link KafkaFuture#thenApply}
     * when presence matters.
     */
    private <T> Optional<T> await(final KafkaFuture<T> future, final String action,
                                  final Class<? extends Throwable> absentOn) {
        try {
            return Optional.ofNullable(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (final ExecutionException e) {
            final Throwable cause = e.getCause();
            if (absentOn != null && absentOn.isInstance(cause)) {
                return Optional.empty();
            }
            if (cause instanceof AuthorizationException) {
                throw new TopicException("not authorized to " + action + " on " + cluster + ": "
                        + cause.getMessage(), cause);
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw timedOut(action, cause);
            }
            throw new TopicException("could not " + action + " on " + cluster + ": " + cause, cause);
        } catch (final TimeoutException e) {
            throw timedOut(action, e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicException("interrupted while trying to " + action + " on " + cluster, e);
        }
    }

    private TopicException timedOut(final String action, final Throwable cause) {
        return new TopicException("could not " + action + ": no answer from Kafka at " + cluster + " within "
                + timeout + " (is it running and reachable?)", cause);
    }

    private int timeoutMs() {
        return (int) timeout.toMillis();
    }
}
