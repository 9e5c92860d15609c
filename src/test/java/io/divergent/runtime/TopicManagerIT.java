package io.divergent.runtime;

import static io.divergent.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.divergent.runtime.TopicManager.Outcome;
import io.divergent.testing.SharedBroker;

class TopicManagerIT {

    private static Admin admin;
    private static TopicManager topics;

    @BeforeAll
    static void connect() {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBroker.bootstrapServers()));
        topics = new TopicManager(admin, SharedBroker.bootstrapServers(), Duration.ofSeconds(30));
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void createsTopicWithPartitionsThenFindsItMatching() {
        final NewTopicSpec spec = NewTopicSpec.of(uniqueName("events"), 3);

        assertThat(topics.ensureTopic(spec)).isEqualTo(Outcome.CREATED);
        assertThat(topics.partitionsOf(spec.name())).isEqualTo(3);
        assertThat(topics.ensureTopic(spec)).isEqualTo(Outcome.ALREADY_MATCHING);
    }

    /**
     * Instances of one application started together race to create its topics: the losers get
     * "already exists" from the controller before the broker they ask knows the topic. Each must
     * still find it matching, none fail (this stopped the second of two instances started at once).
     */
    @Test
    void instancesCreatingTheSameTopicsAtOnceAllSucceed() throws Exception {
        final int instances = 4;
        final List<NewTopicSpec> specs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            specs.add(NewTopicSpec.compacted(uniqueName("race"), 2));
        }
        final ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            final CyclicBarrier together = new CyclicBarrier(instances);
            final List<Future<List<Outcome>>> results = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                results.add(pool.submit(() -> {
                    try (TopicManager own = TopicManager.connect(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                            SharedBroker.bootstrapServers()))) {
                        own.partitionsIfExists(specs.get(0).name());
                        together.await(30, TimeUnit.SECONDS);
                        final List<Outcome> outcomes = new ArrayList<>();
                        for (final NewTopicSpec spec : specs) {
                            outcomes.add(own.ensureTopic(spec));
                        }
                        return outcomes;
                    }
                }));
            }
            final List<Outcome> all = new ArrayList<>();
            for (final Future<List<Outcome>> result : results) {
                all.addAll(result.get(120, TimeUnit.SECONDS));
            }
            assertThat(all).filteredOn(o -> o == Outcome.CREATED).hasSize(specs.size());
            assertThat(all).filteredOn(o -> o == Outcome.ALREADY_MATCHING).hasSize(specs.size() * (instances - 1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void createsCompactedTopic() throws Exception {
        final NewTopicSpec spec = NewTopicSpec.compacted(uniqueName("reference"), 4)
                .withConfig(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "1000");

        assertThat(topics.ensureTopic(spec)).isEqualTo(Outcome.CREATED);

        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        final Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
        assertThat(config.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG).value()).isEqualTo("1000");
        assertThat(topics.ensureTopic(spec)).isEqualTo(Outcome.ALREADY_MATCHING);
    }

    @Test
    void cleanupPolicyIsComparedAsASet() {
        final String name = uniqueName("both");
        topics.ensureTopic(NewTopicSpec.of(name, 1).withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete"));

        assertThat(topics.ensureTopic(NewTopicSpec.of(name, 1)
                .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, "delete, compact")))
                .isEqualTo(Outcome.ALREADY_MATCHING);
    }

    @Test
    void reportsEveryMismatchInOneMessage() {
        final String name = uniqueName("reference");
        topics.ensureTopic(NewTopicSpec.of(name, 2));

        assertThatThrownBy(() -> topics.ensureTopic(NewTopicSpec.compacted(name, 4)))
                .isInstanceOf(TopicException.class)
                .hasMessage("topic '" + name + "' on " + SharedBroker.bootstrapServers()
                        + " is not as Divergent needs it: it has 2 partitions, expected 4;"
                        + " cleanup.policy is 'delete', expected 'compact'."
                        + " Delete and recreate it with these settings, or configure another topic");
    }

    @Test
    void explainsMissingInputTopicInOneLine() {
        final String name = uniqueName("plays");

        assertThatThrownBy(() -> topics.requireExisting(name, "input of monitor 'genres'",
                "monitor.genres.input.topic"))
                .isInstanceOf(TopicException.class)
                .hasMessage("topic '" + name + "' (input of monitor 'genres') does not exist on "
                        + SharedBroker.bootstrapServers() + ": create it or fix monitor.genres.input.topic");
        assertThatThrownBy(() -> topics.requireExisting(name, "reference"))
                .hasMessageEndingWith(": create it or fix the configuration")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> topics.partitionsOf(name))
                .isInstanceOf(TopicException.class)
                .hasMessage("topic '" + name + "' does not exist on " + SharedBroker.bootstrapServers());
    }

    @Test
    void requireExistingReturnsPartitions() {
        final String name = uniqueName("plays");
        topics.ensureTopic(NewTopicSpec.of(name, 4));

        assertThat(topics.requireExisting(name, "input of monitor 'genres'")).isEqualTo(4);
    }

    @Test
    void unreachableClusterFailsWithinTheTimeout() throws IOException {
        final String nobody;
        try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            nobody = "127.0.0.1:" + probe.getLocalPort();
        }
        try (TopicManager unreachable = TopicManager.connect(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, nobody), Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> unreachable.partitionsOf("plays"))
                    .isInstanceOf(TopicException.class)
                    .hasMessageContaining("no answer from Kafka at " + nobody);
        }
    }
}
