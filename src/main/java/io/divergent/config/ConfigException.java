package io.divergent.config;

/**
 * A configuration value Divergent cannot run with. The message is one line naming the key (and
 * the environment variable it came from, if any), the value, and what is allowed.
 */
public final class ConfigException extends RuntimeException {

    private final String key;
    private final String value;
    private final String allowed;

    public ConfigException(final String key, final String value, final String allowed) {
        this(key, null, value, allowed);
    }

    /**
     * @param origin the environment variable the value came from, or null
     */
    public ConfigException(final String key, final String origin, final String value, final String allowed) {
        super((value == null ? "missing value for '" + key + "'" : "invalid value '" + value + "' for '" + key + "'")
                + (origin == null ? "" : " (from " + origin + ")") + ": " + allowed);
        this.key = key;
        this.value = value;
        this.allowed = allowed;
    }

    /** For problems that are not one bad value (unknown key, missing file): the whole line. */
    public ConfigException(final String key, final String message) {
        super(message);
        this.key = key;
        this.value = null;
        this.allowed = null;
    }

    public String key() {
        return key;
    }

    public String value() {
        return value;
    }

    public String allowed() {
        return allowed;
    }
}
