package io.divergent.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject as the registry holds it.
 *
 * @param subject the subject; not null
 * @param id      the registry-wide schema id (not dense, not predictable: read it, never compute it)
 * @param version the version within the subject, from 1
 * @param schema  the parsed Avro schema; not null
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {

    /**
     * @throws NullPointerException if {@code subject} or {@code schema} is null
     */
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
