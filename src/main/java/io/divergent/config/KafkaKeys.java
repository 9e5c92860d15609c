package io.divergent.config;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tells a typo in a {@code kafka.*} key from a key a plugin reads.
 *
 * <p>Known keys are the names Kafka itself defines: {@code StreamsConfig.configDef()}, the
 * consumer, producer and admin client configs, each also under the prefix Kafka Streams routes
 * to that client ({@code consumer.}, {@code main.consumer.}, {@code restore.consumer.},
 * {@code global.consumer.}, {@code producer.}, {@code admin.}), and the topic configs of
 * {@link TopicConfig} under {@code topic.}. A key is a typo when it is not known, is not in a
 * plugin's space ({@code config.providers.*}, {@code sasl.*}, {@code ssl.*},
 * {@code metrics.context.*}, after any client prefix), and is a near miss of a known key
 * ({@link DidYouMean}). Any other unknown key (an interceptor's, a metric reporter's) is a
 * plugin's and passes: Kafka hands every client property to its plugins.
 */
final class KafkaKeys {

    private static final List<String> PLUGIN_SPACES = List.of("config.providers.", "sasl.", "ssl.", "metrics.context.");
    private static final Map<String, Set<String>> PREFIXED = Map.of(
            StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configNames(),
            StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configNames(),
            StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configNames(),
            StreamsConfig.TOPIC_PREFIX, topicConfigNames());
    private static final Set<String> KNOWN = known();

    private KafkaKeys() {
    }

    /**
     * @param key a Kafka property name, without Divergent's {@code kafka.} prefix
     * @return the known name {@code key} is a typo of, or empty if it is known or may be a plugin's
     */
    static Optional<String> typoOf(final String key) {
        if (KNOWN.contains(key) || inPluginSpace(withoutClientPrefix(key))) {
            return Optional.empty();
        }
        return DidYouMean.nearest(key, KNOWN);
    }

    private static String withoutClientPrefix(final String key) {
        // The longest prefix first: main.consumer. before consumer.
        return PREFIXED.keySet().stream().filter(key::startsWith).max((a, b) -> a.length() - b.length())
                .map(prefix -> key.substring(prefix.length())).orElse(key);
    }

    private static boolean inPluginSpace(final String key) {
        return PLUGIN_SPACES.stream().anyMatch(key::startsWith);
    }

    private static Set<String> known() {
        final Set<String> known = new TreeSet<>(StreamsConfig.configDef().names());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(ProducerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        PREFIXED.forEach((prefix, names) -> names.forEach(name -> known.add(prefix + name)));
        return Set.copyOf(known);
    }

    /** {@link TopicConfig} has no config definition, only one public constant per name. */
    private static Set<String> topicConfigNames() {
        final Set<String> names = new TreeSet<>();
        for (final Field field : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && field.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) field.get(null));
                } catch (final IllegalAccessException e) {
                    throw new IllegalStateException("public constant " + field + " not readable", e);
                }
            }
        }
        return names;
    }
}
