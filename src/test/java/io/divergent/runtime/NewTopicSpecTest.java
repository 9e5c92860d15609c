package io.divergent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NewTopicSpecTest {

    @Test
    void compactedSetsTheCleanupPolicyAndLeavesReplicationToTheBroker() {
        final NewTopicSpec spec = NewTopicSpec.compacted("divergent-reference", 4);

        assertThat(spec.configs()).containsExactly(Map.entry("cleanup.policy", "compact"));
        assertThat(spec.partitions()).isEqualTo(4);
        assertThat(spec.replicationFactor()).isEqualTo(NewTopicSpec.BROKER_DEFAULT_REPLICATION_FACTOR);
    }

    @Test
    void withMethodsCopyAndLeaveTheOriginalAlone() {
        final NewTopicSpec original = NewTopicSpec.of("events", 2);

        final NewTopicSpec changed = original.withConfig("retention.ms", "1000").withReplicationFactor((short) 3);

        assertThat(original.configs()).isEmpty();
        assertThat(original.replicationFactor()).isEqualTo(NewTopicSpec.BROKER_DEFAULT_REPLICATION_FACTOR);
        assertThat(changed.configs()).containsExactly(Map.entry("retention.ms", "1000"));
        assertThat(changed.replicationFactor()).isEqualTo((short) 3);
    }

    @Test
    void configsAreCopiedOnConstruction() {
        final Map<String, String> configs = new HashMap<>();
        final NewTopicSpec spec = new NewTopicSpec("t", 1, (short) 1, configs);

        configs.put("cleanup.policy", "compact");

        assertThat(spec.configs()).isEmpty();
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> NewTopicSpec.of(" ", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NewTopicSpec.of("t", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 partition");
        assertThatThrownBy(() -> NewTopicSpec.of("t", 1).withReplicationFactor((short) 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor");
        assertThatThrownBy(() -> NewTopicSpec.of(null, 1)).isInstanceOf(NullPointerException.class);
    }
}
