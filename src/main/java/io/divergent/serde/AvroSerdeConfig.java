package io.divergent.serde;

import io.divergent.registry.SchemaRegistries;
import io.divergent.registry.SchemaRegistry;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The configuration keys of {@link AvroSerializer} and {@link AvroDeserializer}, named as in
 * Confluent's serializers. The registry connection keys are those of {@link SchemaRegistries}.
 */
public final class AvroSerdeConfig {

    /** Registry URL(s) or {@code mock://SCOPE}; required. */
    public static final String SCHEMA_REGISTRY_URL = SchemaRegistries.URL;
    /** Whether the serializer registers the record's schema (default true). */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /**
     * Whether the serializer writes with the subject's latest version instead of the record's
     * own schema (default false); needs {@code auto.register.schemas=false}.
     */
    public static final String USE_LATEST_VERSION = "use.latest.version";
    /** Subject name strategy for keys (default {@code TopicNameStrategy}). */
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    /** Subject name strategy for values (default {@code TopicNameStrategy}). */
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";

    private AvroSerdeConfig() {
    }

    /**
     * Checks every key the serializer and deserializer read, as their {@code configure} would,
     * without creating a registry or opening a connection: for validating a configuration at
     * startup.
     *
     * @param config serde configuration
     * @throws ConfigException naming the key and value for an invalid or missing
     *         {@value #SCHEMA_REGISTRY_URL}, registry connection or auth key, boolean, strategy, or
     *         {@code use.latest.version=true} with {@code auto.register.schemas=true}
     */
    public static void validate(final Map<String, ?> config) {
        try {
            SchemaRegistries.validate(config);
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        useLatestVersion(config);
        strategy(config, true);
        strategy(config, false);
    }

    /** {@value #USE_LATEST_VERSION}, checked against {@value #AUTO_REGISTER_SCHEMAS}. */
    static boolean useLatestVersion(final Map<String, ?> config) {
        final boolean autoRegister = bool(config, AUTO_REGISTER_SCHEMAS, true);
        final boolean useLatest = bool(config, USE_LATEST_VERSION, false);
        if (useLatest && autoRegister) {
            throw new ConfigException(USE_LATEST_VERSION + "=true needs " + AUTO_REGISTER_SCHEMAS
                    + "=false (with both, Confluent's serializer registers the record's schema and ignores the latest version)");
        }
        return useLatest;
    }

    /** The configured registry, with configuration errors as {@link ConfigException}. */
    static SchemaRegistry registry(final Map<String, ?> config) {
        try {
            return SchemaRegistries.create(config);
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The configured URL with credentials masked, for messages. */
    static String describeUrl(final Map<String, ?> config) {
        final Object url = config.get(SCHEMA_REGISTRY_URL);
        return url == null ? "(none)" : SchemaRegistries.redact(url.toString().trim());
    }

    static boolean bool(final Map<String, ?> config, final String key, final boolean fallback) {
        final Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        final String text = value.toString().trim().toLowerCase(Locale.ROOT);
        if (text.equals("true")) {
            return true;
        }
        if (text.equals("false")) {
            return false;
        }
        throw new ConfigException(key, value, "must be true or false");
    }

    static SubjectNameStrategy strategy(final Map<String, ?> config, final boolean isKey) {
        final String key = isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY;
        try {
            return SubjectNameStrategy.parse(config.get(key));
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(key, config.get(key), e.getMessage());
        }
    }
}
