package io.divergent.serde;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Makes Avro 1.12.2 accept our own generated classes when reading.
 *
 * <p>Since 1.12.2, {@code SpecificData.getClass(Schema)} runs every class it loads by name
 * through the JVM-wide {@link ClassSecurityValidator}, which by default trusts only a few
 * {@code java.lang} / {@code java.math} classes, so a {@code SpecificDatumReader} for a
 * generated class fails with "Forbidden ... not trusted" (AVRO-4189 regression). Constructing
 * a specific deserializer for a class is an explicit statement of trust in that class, so we
 * trust exactly the generated types its schema names (records, enums, fixed), by class
 * identity, and add them to whatever validator is installed rather than replacing it.
 */
final class AvroClassTrust {

    private static final Set<Class<?>> TRUSTED = ConcurrentHashMap.newKeySet();
    private static final ClassSecurityValidator.ClassSecurityPredicate OURS = TRUSTED::contains;
    // The composite we installed last; if the global differs, someone replaced it since and we
    // wrap their validator instead of discarding it.
    private static ClassSecurityValidator.ClassSecurityPredicate installed;

    private AvroClassTrust() {
    }

    /** Trusts {@code type} and every generated named type reachable from {@code schema}. */
    static synchronized void trust(final Class<?> type, final Schema schema) {
        TRUSTED.add(type);
        collect(schema, type.getClassLoader(), new HashSet<>());
        ensureInstalled();
    }

    /** Re-adds our trusted types if the global validator was replaced since we installed them. */
    static synchronized void ensureInstalled() {
        final ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (current != installed) {
            installed = ClassSecurityValidator.composite(current, OURS);
            ClassSecurityValidator.setGlobal(installed);
        }
    }

    private static void collect(final Schema schema, final ClassLoader loader, final Set<String> seen) {
        switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                final Class<?> generated = load(SpecificData.getClassName(schema), loader);
                if (generated != null && (SpecificRecord.class.isAssignableFrom(generated) || generated.isEnum()
                        || GenericFixed.class.isAssignableFrom(generated))) {
                    TRUSTED.add(generated);
                }
                if (schema.getType() == Schema.Type.RECORD) {
                    for (final Schema.Field field : schema.getFields()) {
                        collect(field.schema(), loader, seen);
                    }
                }
            }
            case UNION -> {
                for (final Schema branch : schema.getTypes()) {
                    collect(branch, loader, seen);
                }
            }
            case ARRAY -> collect(schema.getElementType(), loader, seen);
            case MAP -> collect(schema.getValueType(), loader, seen);
            default -> {
            }
        }
    }

    private static Class<?> load(final String name, final ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (final ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
