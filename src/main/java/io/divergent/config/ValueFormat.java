package io.divergent.config;

import java.util.Locale;

/** How an input topic's values are encoded. */
public enum ValueFormat {
    /** Confluent wire-format Avro, schemas from the registry. */
    AVRO,
    /** UTF-8 JSON; the category field is a dotted path into it. */
    JSON,
    /** The whole UTF-8 value is the category. */
    STRING;

    /**
     * Parses {@code avro}, {@code json} or {@code string}, case-insensitively.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static ValueFormat parse(final String text) {
        for (final ValueFormat format : values()) {
            if (format.name().toLowerCase(Locale.ROOT).equals(text.trim().toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new IllegalArgumentException("allowed are avro, json, string");
    }
}
