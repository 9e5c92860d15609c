package io.divergent.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain JSON views of Avro data, both ways, for the replay files and outputs: field names as
 * in the schema, unions without Avro's type wrappers, timestamps as epoch milliseconds, and
 * non-finite doubles as the strings {@code "Infinity"}, {@code "-Infinity"} and {@code "NaN"}.
 */
public final class AvroJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {
    }

    /** A JSON object with the fields of a record (specific or generic), in schema order. */
    public static ObjectNode toJson(final IndexedRecord record) {
        final ObjectNode node = NODES.objectNode();
        for (final Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode value(final Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof IndexedRecord record) {
            return toJson(record);
        }
        if (value instanceof Double d) {
            return JsonNumbers.node(d);
        }
        if (value instanceof Float f) {
            return JsonNumbers.node(f);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Instant instant) {
            return NODES.numberNode(instant.toEpochMilli());
        }
        if (value instanceof ByteBuffer buffer) {
            final ByteBuffer copy = buffer.duplicate();
            final byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Map<?, ?> map) {
            final ObjectNode node = NODES.objectNode();
            map.forEach((k, v) -> node.set(k.toString(), value(v)));
            return node;
        }
        if (value instanceof Collection<?> items) {
            final ArrayNode array = NODES.arrayNode();
            items.forEach(item -> array.add(value(item)));
            return array;
        }
        return NODES.textNode(value.toString());
    }

    /**
     * Converts parsed JSON (maps, lists, strings, numbers, booleans, null: what Jackson reads into
     * {@code Object}) to a {@link GenericRecord} of the schema. Lenient the way a person writes
     * JSON: union branches are chosen by the value, missing fields take their defaults, and a
     * timestamp may be epoch milliseconds or an ISO-8601 instant.
     *
     * @throws IllegalArgumentException naming the field path that does not fit the schema
     */
    public static GenericRecord toRecord(final Schema schema, final Object json) {
        final Object record = convert(schema, json, schema.getName());
        if (!(record instanceof GenericRecord generic)) {
            throw new IllegalArgumentException("expected a JSON object for record " + schema.getFullName());
        }
        return generic;
    }

    private static Object convert(final Schema schema, final Object json, final String path) {
        switch (schema.getType()) {
            case NULL:
                if (json != null) {
                    throw mismatch(path, "null", json);
                }
                return null;
            case UNION:
                if (json == null) {
                    if (schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
                        return null;
                    }
                    throw mismatch(path, schema.toString(), null);
                }
                IllegalArgumentException last = null;
                for (final Schema branch : schema.getTypes()) {
                    if (branch.getType() == Schema.Type.NULL) {
                        continue;
                    }
                    try {
                        return convert(branch, json, path);
                    } catch (final IllegalArgumentException e) {
                        last = e;
                    }
                }
                throw last == null ? mismatch(path, schema.toString(), json) : last;
            case RECORD:
                if (!(json instanceof Map<?, ?> map)) {
                    throw mismatch(path, "an object", json);
                }
                final GenericData.Record record = new GenericData.Record(schema);
                for (final Schema.Field field : schema.getFields()) {
                    if (map.containsKey(field.name())) {
                        record.put(field.pos(), convert(field.schema(), map.get(field.name()), path + "." + field.name()));
                    } else if (field.hasDefaultValue()) {
                        record.put(field.pos(), GenericData.get().getDefaultValue(field));
                    } else {
                        throw new IllegalArgumentException("field '" + path + "." + field.name() + "' is required");
                    }
                }
                return record;
            case STRING:
                if (json instanceof String || json instanceof Number || json instanceof Boolean) {
                    return json.toString();
                }
                throw mismatch(path, "a string", json);
            case ENUM:
                if (json instanceof String s && schema.hasEnumSymbol(s)) {
                    return new GenericData.EnumSymbol(schema, s);
                }
                throw mismatch(path, "one of " + schema.getEnumSymbols(), json);
            case BOOLEAN:
                if (json instanceof Boolean) {
                    return json;
                }
                throw mismatch(path, "a boolean", json);
            case INT:
                if (json instanceof Integer || json instanceof Short || json instanceof Byte) {
                    return ((Number) json).intValue();
                }
                throw mismatch(path, "an int", json);
            case LONG:
                if (json instanceof Integer || json instanceof Long) {
                    return ((Number) json).longValue();
                }
                if (json instanceof String s && schema.getLogicalType() != null) {
                    try {
                        return Timestamps.parseInstant(s);
                    } catch (final IllegalArgumentException e) {
                        throw mismatch(path, Timestamps.EXPECTED.substring("expected ".length()), json);
                    }
                }
                throw mismatch(path, "a long", json);
            case FLOAT:
            case DOUBLE:
                if (json instanceof Number n) {
                    return schema.getType() == Schema.Type.FLOAT ? (Object) n.floatValue() : (Object) n.doubleValue();
                }
                if ("Infinity".equals(json) || "-Infinity".equals(json) || "NaN".equals(json)) {
                    final double d = Double.parseDouble((String) json);
                    return schema.getType() == Schema.Type.FLOAT ? (Object) (float) d : (Object) d;
                }
                throw mismatch(path, "a number", json);
            case MAP:
                if (!(json instanceof Map<?, ?> entries)) {
                    throw mismatch(path, "an object", json);
                }
                final Map<String, Object> map = new LinkedHashMap<>();
                entries.forEach((k, v) -> map.put(k.toString(), convert(schema.getValueType(), v, path + "." + k)));
                return map;
            case ARRAY:
                if (!(json instanceof List<?> items)) {
                    throw mismatch(path, "an array", json);
                }
                final List<Object> list = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    list.add(convert(schema.getElementType(), items.get(i), path + "[" + i + "]"));
                }
                return list;
            case BYTES:
                if (json instanceof String s) {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(s));
                }
                throw mismatch(path, "base64 text", json);
            default:
                throw new IllegalArgumentException("field '" + path + "': Avro type " + schema.getType() + " is not supported in JSON input");
        }
    }

    private static IllegalArgumentException mismatch(final String path, final String expected, final Object json) {
        return new IllegalArgumentException("field '" + path + "' must be " + expected + ", got "
                + (json == null ? "null" : "'" + json + "'"));
    }
}
