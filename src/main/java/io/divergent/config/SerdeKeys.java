package io.divergent.config;

import io.divergent.registry.SchemaRegistries;
import io.divergent.serde.AvroSerdeConfig;

import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry client's and Avro serdes' keys: which keys they receive, and their check at load
 * time, as the serdes would check them, before anything connects.
 */
final class SerdeKeys {

    /** Keys outside {@code schema.registry.*} that the registry client and serdes read. */
    static final Set<String> SERDE_KEYS = Set.of(SchemaRegistries.BASIC_AUTH_SOURCE,
            SchemaRegistries.BASIC_AUTH_USER_INFO, SchemaRegistries.BEARER_AUTH_SOURCE, SchemaRegistries.BEARER_AUTH_TOKEN,
            AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, AvroSerdeConfig.USE_LATEST_VERSION,
            AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY);

    private SerdeKeys() {
    }

    /** Whether a key is the registry client's or the serdes' own (not a plugin's). */
    static boolean known(final String key) {
        return SERDE_KEYS.contains(key) || SchemaRegistries.KEYS.contains(key);
    }

    /** {@code schema.registry.*} and the serde keys as set, with {@code url} as the registry URL. */
    static Map<String, Object> properties(final Settings settings, final String url) {
        final Map<String, Object> serde = new TreeMap<>();
        serde.put(SchemaRegistries.URL, url);
        settings.properties().forEach((k, v) -> {
            if (k.startsWith("schema.registry.") || SERDE_KEYS.contains(k)) {
                serde.put(k, v);
            }
        });
        return serde;
    }

    /** @throws ConfigException naming the key the serdes refuse and where its value came from */
    static void check(final Settings settings, final String url) {
        final Map<String, Object> serde = properties(settings, url);
        try {
            AvroSerdeConfig.validate(serde);
        } catch (final org.apache.kafka.common.config.ConfigException e) {
            // The serdes' messages name the key; add where its value came from (the longest name
            // that matches: schema.registry.retry.backoff.max.ms, not ...retry.backoff.ms).
            final String key = serde.keySet().stream().filter(e.getMessage()::contains)
                    .max(Comparator.comparingInt(String::length)).orElse(SchemaRegistries.URL);
            final String origin = settings.origins().get(key);
            throw new ConfigException(key, "invalid registry setting: " + e.getMessage()
                    + (origin == null ? "" : " (from " + origin + ")"));
        }
    }
}
