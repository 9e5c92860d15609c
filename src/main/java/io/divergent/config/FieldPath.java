package io.divergent.config;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

import java.util.List;
import java.util.Map;

/** A dotted path to a field of an event value, e.g. {@code genre} or {@code prediction.label}. */
public final class FieldPath {

    private final List<String> parts;
    private final String[] steps;
    private final String text;
    /**
     * The field positions last found for each step, with the record schema each was found in:
     * the records of one topic share their schemas, so most walks skip the schema's name lookup.
     * Replaced whole (never changed in place), so threads sharing the path see a consistent pair.
     */
    private volatile Positions positions;

    /** Positions by step; a null schema: not found yet. */
    private record Positions(Schema[] schemas, int[] positions) {
    }

    private FieldPath(final List<String> parts, final String text) {
        this.parts = parts;
        this.steps = parts.toArray(String[]::new);
        this.text = text;
        this.positions = new Positions(new Schema[steps.length], new int[steps.length]);
    }

    /**
     * @throws IllegalArgumentException if the path is empty or has an empty segment
     */
    public static FieldPath parse(final String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a dotted field path such as 'genre' or 'prediction.label'");
        }
        final List<String> parts = List.of(text.trim().split("\\.", -1));
        if (parts.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a dotted field path without empty segments, such as 'prediction.label'");
        }
        return new FieldPath(parts, text.trim());
    }

    public List<String> parts() {
        return parts;
    }

    /**
     * Walks the path through nested {@link Map}s (parsed JSON) and Avro {@link GenericRecord}s.
     *
     * @return the value at the path, or null when a step is missing, null, or not a map/record
     */
    public Object resolve(final Object root) {
        Object current = root;
        final Positions known = positions;
        for (int i = 0; i < steps.length; i++) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(steps[i]);
            } else if (current instanceof GenericRecord record) {
                final Schema schema = record.getSchema();
                if (known.schemas[i] == schema) {
                    current = record.get(known.positions[i]);
                } else {
                    final Schema.Field field = schema.getField(steps[i]);
                    if (field == null) {
                        return null;
                    }
                    remember(i, schema, field.pos());
                    current = record.get(field.pos());
                }
            } else {
                return null;
            }
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    private void remember(final int step, final Schema schema, final int position) {
        final Positions before = positions;
        final Schema[] schemas = before.schemas.clone();
        final int[] at = before.positions.clone();
        schemas[step] = schema;
        at[step] = position;
        positions = new Positions(schemas, at);
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof FieldPath other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
