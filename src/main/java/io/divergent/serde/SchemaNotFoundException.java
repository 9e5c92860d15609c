package io.divergent.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A value could not be deserialized because the registry does not know the schema id its
 * bytes name: the registry answered, and will answer the same next time, so the value can
 * never be read (unlike {@link RegistryUnavailableException}).
 *
 * <p>Thrown directly (not wrapped) by {@link AvroDeserializer#deserialize}.
 */
public final class SchemaNotFoundException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    /**
     * @param message  what failed (topic, schema id, registry)
     * @param schemaId the schema id the registry does not know
     * @param cause    the registry client's failure
     */
    public SchemaNotFoundException(final String message, final int schemaId, final Throwable cause) {
        super(message, cause);
        this.schemaId = schemaId;
    }

    /** The schema id the registry does not know. */
    public int schemaId() {
        return schemaId;
    }
}
