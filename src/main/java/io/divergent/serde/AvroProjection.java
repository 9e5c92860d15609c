package io.divergent.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader schema that keeps only the fields a consumer reads: the writer's schema pruned to
 * some field paths. Avro's schema resolution then skips every other field of each record
 * (strings and bytes by their length, without building them), which costs less than decoding
 * the whole record when a wide event is read for a few fields.
 *
 * <p>A path is a list of field names from the top-level record, through nested records and
 * unions that contain records; its last field is kept whole (a map, an array, an enum, a logical
 * type, whatever it is). A path that names a field the writer does not have keeps nothing (the
 * field reads as absent, as it would with the writer's own schema). Fields and union branches
 * are kept in the writer's order, with the writer's names, so the reader resolves against the
 * writer by name. A string where a path ends (or a union's string branches there) reads as a
 * {@code java.lang.String}, not a {@code Utf8}; what is kept whole below it keeps Avro's types.
 *
 * <p>When the pruned schema would not be a valid reader of the writer's (a named type kept
 * both pruned and whole, for example), the writer's schema itself is the answer: projection is
 * an optimisation, never a change of what is read.
 */
public final class AvroProjection {

    private AvroProjection() {
    }

    /**
     * The writer's schema pruned to {@code paths}.
     *
     * @param writer the writer's schema; only a record is pruned, anything else is returned as is
     * @param paths  field paths from the top-level record; empty: the writer's schema
     * @return a reader schema for data written with {@code writer}: {@code writer} itself, or a
     *         pruned copy
     */
    public static Schema of(final Schema writer, final List<List<String>> paths) {
        if (writer.getType() != Schema.Type.RECORD || paths.isEmpty()) {
            return writer;
        }
        final Schema pruned;
        try {
            pruned = prune(writer, paths, new HashMap<>());
        } catch (final RuntimeException e) {
            return writer;
        }
        if (pruned == writer || !parsesBack(pruned)) {
            return writer;
        }
        final SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(pruned, writer);
        return compatibility.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE ? pruned : writer;
    }

    /** The schema pruned to the paths (each relative to it); itself when every path ends here. */
    private static Schema prune(final Schema schema, final List<List<String>> paths, final Map<String, Schema> named) {
        for (final List<String> path : paths) {
            if (path.isEmpty()) {
                // A path ends here: kept whole (a record kept whole is a definition of its name too).
                if (schema.getType() == Schema.Type.RECORD && named.put(schema.getFullName(), schema) != null) {
                    throw new IllegalStateException("record " + schema.getFullName() + " is on more than one path");
                }
                return asJavaStrings(schema);
            }
        }
        switch (schema.getType()) {
            case RECORD: {
                final List<Schema.Field> fields = new ArrayList<>();
                for (final Schema.Field field : schema.getFields()) {
                    final List<List<String>> below = new ArrayList<>();
                    for (final List<String> path : paths) {
                        if (path.get(0).equals(field.name())) {
                            below.add(path.subList(1, path.size()));
                        }
                    }
                    if (!below.isEmpty()) {
                        fields.add(new Schema.Field(field, prune(field.schema(), below, named)));
                    }
                }
                final Schema record = Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(),
                        schema.isError(), fields);
                if (named.put(schema.getFullName(), record) != null) {
                    // The same record type on two paths: pruned two ways, it would be two types of one name.
                    throw new IllegalStateException("record " + schema.getFullName() + " is on more than one path");
                }
                return record;
            }
            case UNION: {
                final List<Schema> branches = new ArrayList<>();
                for (final Schema branch : schema.getTypes()) {
                    branches.add(branch.getType() == Schema.Type.RECORD ? prune(branch, paths, named) : branch);
                }
                return Schema.createUnion(branches);
            }
            default:
                // A path goes on into something that is not a record: nothing there to read.
                return schema;
        }
    }

    /**
     * A string field at the end of a path (or a union's string branches) read as
     * {@code java.lang.String} rather than Avro's {@code Utf8}: the reader wants a {@code String}
     * anyway, and this way a value costs one object, not a {@code Utf8}, its bytes and then the
     * {@code String} (issue 16). A string with a logical type, and everything else, is kept as is;
     * the writer's schema objects are never changed.
     */
    private static Schema asJavaStrings(final Schema schema) {
        if (schema.getType() == Schema.Type.STRING) {
            return javaString(schema);
        }
        if (schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(branch -> branch.getType() == Schema.Type.STRING)) {
            final List<Schema> branches = new ArrayList<>();
            for (final Schema branch : schema.getTypes()) {
                branches.add(branch.getType() == Schema.Type.STRING ? javaString(branch) : branch);
            }
            return Schema.createUnion(branches);
        }
        return schema;
    }

    private static Schema javaString(final Schema string) {
        if (string.getLogicalType() != null || string.getProp(GenericData.STRING_PROP) != null) {
            return string;
        }
        final Schema copy = Schema.create(Schema.Type.STRING);
        string.getObjectProps().forEach(copy::addProp);
        GenericData.setStringType(copy, GenericData.StringType.String);
        return copy;
    }

    /** Whether the schema is valid as text (no named type defined twice, for one). */
    private static boolean parsesBack(final Schema schema) {
        try {
            new Schema.Parser().parse(schema.toString());
            return true;
        } catch (final RuntimeException e) {
            return false;
        }
    }
}
