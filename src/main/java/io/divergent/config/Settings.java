package io.divergent.config;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The keys as set (file, environment, flags already merged), where each came from, and the
 * one-line {@link ConfigException}s that name them. Every part of the configuration reads and
 * complains through this, so that all messages have one shape.
 */
final class Settings {

    private final Map<String, String> properties;
    /** Where a key's value came from, for messages: the env variable, or null. */
    private final Map<String, String> origins;

    Settings(final Map<String, String> properties, final Map<String, String> origins) {
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
        this.origins = Map.copyOf(origins);
    }

    /** Every key set, sorted, with its text. */
    Map<String, String> properties() {
        return properties;
    }

    Map<String, String> origins() {
        return origins;
    }

    Set<String> keys() {
        return properties.keySet();
    }

    boolean has(final String key) {
        return properties.containsKey(key);
    }

    /** The text of a key as set, or {@code fallback} if it is not set. */
    String text(final String key, final String fallback) {
        return properties.getOrDefault(key, fallback);
    }

    /** An application key's value: its text, else its default, parsed. */
    <T> T value(final ConfigKey<T> key) {
        return value(key, null);
    }

    /**
     * A key's value for one monitor (ignored for application keys): its text, else its default,
     * parsed.
     *
     * @throws IllegalStateException if the key is not set and has no default of its own
     */
    <T> T value(final ConfigKey<T> key, final String monitor) {
        final String name = key.fullName(monitor);
        final String text = properties.containsKey(name) ? properties.get(name) : key.defaultText();
        if (text == null) {
            throw new IllegalStateException(name + " is not set and has no default: the caller decides");
        }
        return parse(name, text, key.parser());
    }

    /** {@code text} as the value of {@code key}, or a one-line message naming both. */
    <T> T parse(final String key, final String text, final ConfigKey.Parser<T> parser) {
        try {
            return parser.parse(text);
        } catch (final IllegalArgumentException e) {
            throw badValue(key, text, e.getMessage());
        }
    }

    /** A key that is set has a value that is not allowed. */
    ConfigException bad(final String key, final String allowed) {
        return new ConfigException(key, origins.get(key), properties.getOrDefault(key, ""), allowed);
    }

    /** A parser refused {@code text}; its message says what is allowed, perhaps after the value it quotes. */
    ConfigException badValue(final String key, final String text, final String message) {
        final String allowed = message != null && message.contains(": allowed")
                ? message.substring(message.indexOf(": allowed") + 2) : message;
        return new ConfigException(key, origins.get(key), text, allowed);
    }

    /** A key no part of the configuration knows. */
    ConfigException unknown(final String key, final String hint) {
        final String origin = origins.get(key);
        return new ConfigException(key, "unknown key '" + key + "'" + (origin == null ? "" : " (from " + origin + ")")
                + ": " + hint);
    }
}
