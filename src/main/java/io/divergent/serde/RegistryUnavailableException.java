package io.divergent.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A value could not be deserialized because the schema registry could not be asked for its
 * writer schema: no answer, a timeout, or a 5xx after the registry client's own retries.
 * Nothing is known to be wrong with the value: the same bytes may deserialize once the registry
 * answers, so a caller should retry, not set the record aside.
 *
 * <p>Thrown directly (not wrapped) by {@link AvroDeserializer#deserialize}, so that callers
 * above the serde layer tell an outage from a bad value without knowing the registry client.
 */
public final class RegistryUnavailableException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String reason;

    /**
     * @param message what failed, for the record at hand (topic, schema id, registry)
     * @param url     the registry URL that did not answer, without credentials
     * @param reason  the registry client's explanation (for example "connection refused")
     * @param cause   the registry client's failure
     */
    public RegistryUnavailableException(final String message, final String url, final String reason,
                                        final Throwable cause) {
        super(message, cause);
        this.url = url;
        this.reason = reason;
    }

    /** The registry URL that did not answer, without credentials. */
    public String url() {
        return url;
    }

    /** The registry client's explanation of the failure. */
    public String reason() {
        return reason;
    }
}
