package io.divergent.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Merges the sources of the configuration, lowest precedence first: a {@code .properties} file,
 * the environment ({@link ConfigKeys#keyOfEnvironment}), command-line overrides. Values are
 * trimmed; a key set from the environment remembers its variable for messages.
 */
final class ConfigSources {

    private ConfigSources() {
    }

    /**
     * @throws ConfigException for a missing or unreadable file
     */
    static Settings merge(final Path fileOrNull, final Map<String, String> env, final Map<String, String> overrides) {
        final Map<String, String> merged = new LinkedHashMap<>();
        final Map<String, String> origins = new LinkedHashMap<>();
        if (fileOrNull != null) {
            if (!Files.isRegularFile(fileOrNull)) {
                throw new ConfigException("config", "config file " + fileOrNull + " does not exist or is not a file");
            }
            final Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(fileOrNull, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (final IOException | IllegalArgumentException e) {
                throw new ConfigException("config", "cannot read config file " + fileOrNull + ": " + e.getMessage());
            }
            file.stringPropertyNames().forEach(k -> merged.put(k.trim(), file.getProperty(k).trim()));
        }
        new TreeMap<>(env).forEach((variable, value) -> ConfigKeys.keyOfEnvironment(variable).ifPresent(key -> {
            merged.put(key, value.trim());
            origins.put(key, variable);
        }));
        overrides.forEach((k, v) -> {
            merged.put(k.trim(), v == null ? "" : v.trim());
            origins.remove(k.trim());
        });
        return new Settings(merged, origins);
    }

    /** {@code settings} with more keys set; an override forgets the variable its key came from. */
    static Settings with(final Settings settings, final Map<String, String> overrides) {
        final Map<String, String> merged = new LinkedHashMap<>(settings.properties());
        merged.putAll(overrides);
        final Map<String, String> keptOrigins = new LinkedHashMap<>(settings.origins());
        overrides.keySet().forEach(keptOrigins::remove);
        return new Settings(merged, keptOrigins);
    }
}
