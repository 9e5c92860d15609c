package io.divergent.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry protocol Divergent needs, for Avro schemas.
 *
 * <p>Implementations are thread-safe. Every failure the registry reports is a
 * {@link RegistryException} typed by the registry's {@code error_code}; no method returns null.
 * Ids are registry-wide and not dense: always use the id a method returns. Every method also
 * throws {@link IllegalArgumentException} for a null or empty subject and
 * {@link NullPointerException} for a null schema, and {@link IllegalStateException} once the
 * handle is closed (see {@link #close()}).
 *
 * <p>Two implementations: {@link HttpSchemaRegistryClient} (a real registry: Confluent, or
 * Apicurio's {@code /apis/ccompat/v7}) and {@link MockSchemaRegistry} (in memory,
 * {@code mock://SCOPE}); {@link SchemaRegistries#create} picks one from configuration.
 */
public interface SchemaRegistry extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject}, or finds it if already registered there
     * (idempotent: the same schema always yields the same id). The subject's compatibility
     * rule is checked against its earlier versions.
     *
     * @return the schema id the registry answered with
     * @throws RegistryException {@link RegistryException.Kind#INCOMPATIBLE} if the rule rejects
     *         the schema, {@link RegistryException.Kind#INVALID_SCHEMA} if the registry rejects
     *         its text, or any other kind the call failed with
     */
    int register(String subject, Schema schema);

    /**
     * Finds the id of {@code schema} under {@code subject} without registering anything.
     *
     * @return the schema id
     * @throws RegistryException {@link RegistryException.Kind#SUBJECT_NOT_FOUND} if the subject
     *         does not exist, {@link RegistryException.Kind#SCHEMA_NOT_FOUND} if the schema is
     *         not one of its versions, or any other kind the call failed with
     */
    int lookup(String subject, Schema schema);

    /**
     * The schema with this registry-wide id.
     *
     * @throws RegistryException {@link RegistryException.Kind#SCHEMA_NOT_FOUND} if no schema
     *         has that id, {@link RegistryException.Kind#OTHER} if it is not an Avro schema
     */
    Schema schemaById(int id);

    /**
     * The latest version of {@code subject}.
     *
     * @throws RegistryException {@link RegistryException.Kind#SUBJECT_NOT_FOUND} if the subject
     *         does not exist
     */
    RegisteredSchema latest(String subject);

    /**
     * One version of {@code subject}.
     *
     * @param version the version number, from 1 ({@link #latest} for the latest)
     * @throws IllegalArgumentException if {@code version} is below 1
     * @throws RegistryException {@link RegistryException.Kind#SUBJECT_NOT_FOUND} if the subject
     *         does not exist, {@link RegistryException.Kind#VERSION_NOT_FOUND} if the version
     *         does not
     */
    RegisteredSchema version(String subject, int version);

    /**
     * All subjects, in the registry's order.
     *
     * @throws RegistryException if the call fails
     */
    List<String> subjects();

    /**
     * The versions of {@code subject}, ascending.
     *
     * @throws RegistryException {@link RegistryException.Kind#SUBJECT_NOT_FOUND} if the subject
     *         does not exist
     */
    List<Integer> versions(String subject);

    /**
     * Whether {@code schema} could be registered under {@code subject} as its next version,
     * according to the subject's compatibility rule. A subject without versions accepts any
     * schema (true).
     *
     * @throws RegistryException if the call fails
     */
    boolean isCompatible(String subject, Schema schema);

    /**
     * The compatibility level that applies to {@code subject}: its own level if one is set,
     * otherwise the registry's global level. Levels are upper case, for example
     * {@code BACKWARD}, {@code FULL_TRANSITIVE} or {@code NONE}.
     *
     * @throws RegistryException if the call fails
     */
    String compatibility(String subject);

    /**
     * Sets the subject-level compatibility; the subject need not exist yet.
     *
     * @param level one of {@code NONE}, {@code BACKWARD}, {@code BACKWARD_TRANSITIVE},
     *              {@code FORWARD}, {@code FORWARD_TRANSITIVE}, {@code FULL},
     *              {@code FULL_TRANSITIVE} (case-insensitive)
     * @throws RegistryException {@link RegistryException.Kind#INVALID_COMPATIBILITY_LEVEL} if
     *         the registry does not know the level, or any other kind the call failed with
     */
    void setCompatibility(String subject, String level);

    /**
     * Releases this handle. Later calls throw {@link IllegalStateException}, except on
     * {@link MockSchemaRegistry}, whose scopes live until {@link MockSchemaRegistry#dropScope}.
     * Closing twice is harmless.
     */
    @Override
    void close();
}
