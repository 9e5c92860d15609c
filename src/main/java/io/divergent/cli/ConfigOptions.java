package io.divergent.cli;

import io.divergent.config.DivergentConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options every command that reads Divergent's configuration shares ({@code --config},
 * {@code --set}), mixed into it, and the one way they become a {@link DivergentConfig}: the file,
 * then the environment ({@code KAFKA_*}, {@code DIVERGENT_*}), then {@code --set}.
 */
final class ConfigOptions {

    @Option(names = {"-c", "--config"}, description = "Config file (.properties) with the monitors.")
    private Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one config key (repeatable); wins over the file and the environment.")
    private Map<String, String> overrides = new LinkedHashMap<>();

    /**
     * @return the validated configuration
     * @throws io.divergent.config.ConfigException naming the key of a bad value (exit code 2)
     */
    DivergentConfig load() {
        return DivergentConfig.load(config, System.getenv(), overrides);
    }
}
