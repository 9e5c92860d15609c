package io.divergent.serde;

import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * How a serializer names the registry subject of a record, as Confluent's strategies do.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} or {@code <topic>-value}: one schema lineage per topic (the default). */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name: one lineage per record type, across topics. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<record full name>}: one lineage per record type within a topic. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String shortName;

    SubjectNameStrategy(final String shortName) {
        this.shortName = shortName;
    }

    /** Confluent's simple class name, for example {@code TopicNameStrategy}. */
    public String shortName() {
        return shortName;
    }

    /** Confluent's fully qualified class name of the equivalent strategy. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + shortName;
    }

    /**
     * The subject for a record of {@code schema} on {@code topic}.
     *
     * @throws SerializationException if the strategy needs a topic and {@code topic} is null, or
     *         needs a record name and {@code schema} is not a record
     */
    public String subject(final String topic, final boolean isKey, final Schema schema) {
        switch (this) {
            case TOPIC_NAME:
                return requireTopic(topic) + (isKey ? "-key" : "-value");
            case RECORD_NAME:
                return recordName(schema);
            case TOPIC_RECORD_NAME:
                return requireTopic(topic) + "-" + recordName(schema);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Parses a configured strategy: our short names ({@code TopicNameStrategy}), Confluent's class
     * names ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}), the constant
     * names of this enum (case-insensitive), or a {@link Class} with one of those names.
     *
     * @param value the configured value; null gives {@link #TOPIC_NAME}
     * @throws IllegalArgumentException naming the value and the accepted names otherwise
     */
    public static SubjectNameStrategy parse(final Object value) {
        if (value == null) {
            return TOPIC_NAME;
        }
        if (value instanceof SubjectNameStrategy strategy) {
            return strategy;
        }
        final String text = (value instanceof Class<?> type ? type.getName() : value.toString()).trim();
        final String simple = text.startsWith(CONFLUENT_PACKAGE) ? text.substring(CONFLUENT_PACKAGE.length()) : text;
        for (final SubjectNameStrategy strategy : values()) {
            if (strategy.shortName.equals(simple) || strategy.name().equals(simple.toUpperCase(Locale.ROOT))) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + text
                + "': use TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (optionally with the "
                + CONFLUENT_PACKAGE + " prefix)");
    }

    private static String requireTopic(final String topic) {
        if (topic == null) {
            throw new SerializationException("a topic is needed to name the subject");
        }
        return topic;
    }

    private String recordName(final Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new SerializationException(shortName + " needs a record schema, got " + schema.getType());
        }
        return schema.getFullName();
    }
}
