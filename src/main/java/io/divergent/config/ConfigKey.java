package io.divergent.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One configuration key of Divergent: its name, its default, how its text becomes a value, and
 * what it means. Every key is listed once in {@link ConfigKeys}, which drives validation, the
 * did-you-mean of unknown keys, the environment-variable names and the README's configuration
 * table.
 *
 * <p>A parser returns the value as the program uses it, already resolved: a rule such as
 * "0 means no bound" is applied here and documented in {@link #doc()}, so no caller interprets
 * the configured text again.
 *
 * @param name         the key; for {@link Scope#MONITOR} the part after {@code monitor.<name>.}
 * @param scope        whether the key is set once ({@link Scope#APP}) or per monitor
 * @param defaultText  the text used when the key is not set, or null when there is none or it
 *                     depends on other keys (the builder of the monitor decides)
 * @param shownDefault the default as the README shows it (Markdown)
 * @param parser       the text to the value; throws {@link IllegalArgumentException} saying what
 *                     is allowed
 * @param doc          the meaning, one line of Markdown for the README table
 * @param <T>          the value's type
 */
public record ConfigKey<T>(String name, Scope scope, String defaultText, String shownDefault, Parser<T> parser,
                           String doc) {

    /** Whether a key is set once for the application or once per monitor. */
    public enum Scope {
        /** Set once: {@code name}. */
        APP,
        /** Set per monitor: {@code monitor.<monitor>.name}. */
        MONITOR
    }

    /**
     * Text to value.
     *
     * @param <T> the value's type
     */
    @FunctionalInterface
    public interface Parser<T> {
        /**
         * @param text the configured text, never null
         * @throws IllegalArgumentException whose message says what is allowed
         */
        T parse(String text);
    }

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(shownDefault, "shownDefault");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(doc, "doc");
    }

    /** A key with a plain default, shown as {@code `default`}. */
    static <T> ConfigKey<T> of(final String name, final Scope scope, final String defaultText, final Parser<T> parser,
                               final String doc) {
        return new ConfigKey<>(name, scope, defaultText, "`" + defaultText + "`", parser, doc);
    }

    /** The full key for a monitor ({@code monitor.<monitor>.<name>}); an app key's name as is. */
    public String fullName(final String monitor) {
        return scope == Scope.APP ? name : "monitor." + monitor + "." + name;
    }

    /** The key as the README shows it: {@code monitor.<m>.name} for per-monitor keys. */
    public String shownName() {
        return fullName("<m>");
    }

    /**
     * The environment variable that sets this key ({@link ConfigKeys#keyOfEnvironment} reads it
     * back): {@code DIVERGENT_MAX_FUTURE}, {@code DIVERGENT_MONITOR_<MONITOR>_WINDOW_SIZE}.
     *
     * @param monitor the monitor's name; ignored for app keys
     */
    public String envVariable(final String monitor) {
        return ConfigKeys.ENV_PREFIX + fullName(monitor).replace("_", "__").replace("-", "___").replace('.', '_')
                .toUpperCase(Locale.ROOT);
    }
}
