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
