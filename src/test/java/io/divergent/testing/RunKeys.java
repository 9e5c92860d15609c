package io.divergent.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Config keys of a {@code divergent run} in an integration test: every test its own application
 * id and its own topics, so tests sharing a broker never see each other's records.
 */
public final class RunKeys {

    private RunKeys() {
    }

    /**
     * The keys every run sets: application id, bootstrap servers, registry, the reference,
     * output, alerts and dead-letter topics (all named {@code <application id>-<role>}),
     * commits every 100 ms and the state directory.
     *
     * @param prefix      readable prefix of the application id (made unique)
     * @param bootstrap   the broker
     * @param registryUrl a registry URL or a {@code mock://} scope
     * @param state       the Kafka Streams state directory
     * @return a mutable map, in insertion order
     */
    public static Map<String, String> base(final String prefix, final String bootstrap, final String registryUrl,
                                           final Path state) {
        final String app = SharedBroker.uniqueName(prefix);
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("application.id", app);
        keys.put("bootstrap.servers", bootstrap);
        keys.put("schema.registry.url", registryUrl);
        keys.put("reference.topic", app + "-reference");
        keys.put("output.topic", app + "-events");
        keys.put("alerts.topic", app + "-alerts");
        keys.put("dead.letter.topic", app + "-dead");
        keys.put("kafka.commit.interval.ms", "100");
        keys.put("kafka.state.dir", state.toString());
        // These tests send history (event times near 1970) to an app on the real wall clock: an
        // idle task would jump its stream time to now, closing everything and making the later
        // records late. The idle rule is tested where traffic is live (IdleCloseIT); set it there.
        keys.put("idle.timeout", "off");
        return keys;
    }

    /**
     * Adds monitor {@code name}: its input topic, value format, category field and window size.
     *
     * @return {@code keys}
     */
    public static Map<String, String> monitor(final Map<String, String> keys, final String name, final String topic,
                                              final String format, final String categoryField, final String windowSize) {
        final String prefix = "monitor." + name + ".";
        keys.put(prefix + "input.topic", topic);
        keys.put(prefix + "value.format", format);
        keys.put(prefix + "category.field", categoryField);
        keys.put(prefix + "window.size", windowSize);
        return keys;
    }

    /**
     * A short session (3 s, heartbeat 500 ms; the shared broker allows it, see
     * {@link SharedBroker#OVERRIDES}) and a short transaction timeout (5 s) for tests that kill
     * or restart an instance: a killed member, or one closed by Kafka Streams (which does not
     * leave the group), is replaced only when its session expires, and the open transaction
     * of a killed instance that is not restarted (its successor has another transactional id)
     * holds back {@code read_committed} readers of the partitions it wrote until it times out.
     *
     * @return {@code keys}
     */
    public static Map<String, String> shortSession(final Map<String, String> keys) {
        keys.put("kafka.session.timeout.ms", "3000");
        keys.put("kafka.heartbeat.interval.ms", "500");
        keys.put("kafka.transaction.timeout.ms", "5000");
        return keys;
    }
}
