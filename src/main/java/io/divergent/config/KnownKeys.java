package io.divergent.config;

import io.divergent.registry.SchemaRegistries;

import java.util.Optional;
import java.util.TreeSet;

/**
 * Refuses keys nothing reads, with a did-you-mean from the names of {@link ConfigKeys}. Under
 * {@code kafka.} and {@code schema.registry.}, which plugins extend, only near misses of a known
 * key are refused ({@link KafkaKeys}, {@link SerdeKeys}).
 */
final class KnownKeys {

    private static final String MONITOR = "monitor.";

    private KnownKeys() {
    }

    /** @throws ConfigException for the first unknown key, in key order */
    static void check(final Settings settings) {
        for (final String key : settings.keys()) {
            check(settings, key);
        }
    }

    private static void check(final Settings settings, final String key) {
        if (ConfigKeys.appNames().contains(key) || SerdeKeys.known(key)) {
            return;
        }
        if (key.startsWith("kafka.")) {
            KafkaKeys.typoOf(key.substring("kafka.".length())).ifPresent(known -> {
                throw settings.unknown(key, "did you mean 'kafka." + known + "'?");
            });
            return;
        }
        if (key.startsWith("schema.registry.")) {
            DidYouMean.nearest(key, SchemaRegistries.KEYS).ifPresent(known -> {
                throw settings.unknown(key, "did you mean '" + known + "'?");
            });
            return;
        }
        if (key.startsWith(MONITOR)) {
            final int dot = key.indexOf('.', MONITOR.length());
            final String rest = dot < 0 ? "" : key.substring(dot + 1);
            if (ConfigKeys.monitorNames().contains(rest) || AlertKeys.isThreshold(rest)) {
                return;
            }
            final Optional<String> near = DidYouMean.nearest(rest, ConfigKeys.monitorNames());
            if (near.isPresent()) {
                throw settings.unknown(key, "did you mean '" + key.substring(0, dot + 1) + near.get() + "'?");
            }
            throw settings.unknown(key, rest.startsWith(AlertKeys.PREFIX) ? AlertKeys.allowed()
                    : "allowed per monitor: " + new TreeSet<>(ConfigKeys.monitorNames()) + " and alert.<measure>.warning|critical");
        }
        throw settings.unknown(key, DidYouMean.nearest(key, ConfigKeys.appNames()).map(s -> "did you mean '" + s + "'?")
                .orElse("see README, 'Configuration'"));
    }
}
