package io.divergent.config;

import org.apache.avro.generic.GenericRecord;

import java.util.List;
import java.util.Map;

/** A dotted path to a field of an event value, e.g. {@code genre} or {@code prediction.label}. */
public final class FieldPath {

    private final List<String> parts;
    private final String text;

    private FieldPath(final List<String> parts, final String text) {
        this.parts = parts;
        this.text = text;
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
        for (final String part : parts) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(part);
            } else if (current instanceof GenericRecord record) {
                final org.apache.avro.Schema.Field field = record.getSchema().getField(part);
                current = field == null ? null : record.get(field.pos());
            } else {
                return null;
            }
            if (current == null) {
                return null;
            }
        }
        return current;
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
