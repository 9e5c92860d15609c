package io.divergent.cli;

import io.divergent.testing.CommandRun;
import io.divergent.testing.LogCapture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code divergent run} refuses every invalid setting before it connects to anything: one line
 * naming the key, the value and what is allowed, exit code 2. (The broker address is a closed
 * port: a check that reached the network would fail differently.)
 */
class RunCommandTest {

    private static final String BASE = String.join("\n",
            "bootstrap.servers=127.0.0.1:1",
            "schema.registry.url=mock://run-command-test",
            "monitor.genres.input.topic=plays",
            "monitor.genres.value.format=json",
            "monitor.genres.category.field=genre",
            "monitor.genres.window.size=60s", "");

    private final CommandRun cli = new CommandRun();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "monitor.genres.windw.size=60s | unknown key 'monitor.genres.windw.size': did you mean 'monitor.genres.window.size'?",
            "monitor.genres.window.advance=25s | invalid value '25s' for 'monitor.genres.window.advance': must divide monitor.genres.window.size (60000 ms) exactly",
            "monitor.genres.window.grace=-5s | invalid value '-5s' for 'monitor.genres.window.grace': a duration >= 0 such as 500ms, 10s, 1m, 2h, 1d, PT1M, or whole milliseconds",
            "monitor.genres.unit=bans | invalid value 'bans' for 'monitor.genres.unit': allowed are bits, nats",
            "monitor.genres.alpha=-0.5 | invalid value '-0.5' for 'monitor.genres.alpha': a finite number >= 0 (0 = no smoothing, 0.5 Jeffreys, 1 Laplace)",
            "monitor.genres.input.topic= | missing value for 'monitor.genres.input.topic': the topic monitor 'genres' reads",
            "monitor.genres.reference.mode=sometimes | invalid value 'sometimes' for 'monitor.genres.reference.mode': allowed are topic, previous, last-n",
            "rocksdb.memory.mb=lots | invalid value 'lots' for 'rocksdb.memory.mb': an integer >= 0",
            "schema.registry.url=ftp://nowhere | invalid registry setting: schema.registry.url 'ftp://nowhere' must be mock://SCOPE or comma-separated http(s):// URLs",
            "schema.registry.url=http://registry:8081,ftp://nowhere | invalid registry setting: schema.registry.url 'http://registry:8081,ftp://nowhere' must be mock://SCOPE or comma-separated http(s):// URLs",
            "schema.registry.retires=3 | unknown key 'schema.registry.retires': did you mean 'schema.registry.retries'?",
            "kafka.procesing.guarantee=at_least_once | unknown key 'kafka.procesing.guarantee': did you mean 'kafka.processing.guarantee'?",
    })
    void everyInvalidSettingIsOneLineAndExitCodeTwo(final String setting, final String message,
                                                    @TempDir final Path dir) throws Exception {
        final Path config = Files.writeString(dir.resolve("divergent.properties"), BASE);
        final int code = cli.run("run", "--config", config.toString(), "--set", setting);
        assertThat(code).as(cli.err()).isEqualTo(2);
        assertThat(cli.err().lines().toList()).containsExactly("error: " + message);
        assertThat(cli.out()).isEmpty();
    }

    /**
     * With no broker, one line naming bootstrap.servers and nothing else: no WARN per
     * connection attempt from a Kafka client before it (the port is closed, so the answer
     * comes at once).
     */
    @Test
    void noBrokerIsOneLineNamingBootstrapServersWithoutClientWarnings(@TempDir final Path dir) throws Exception {
        final Path config = Files.writeString(dir.resolve("divergent.properties"), BASE);
        final int code;
        try (LogCapture log = new LogCapture()) {
            code = cli.run("run", "--config", config.toString());
            assertThat(log.warnings()).isEmpty();
        }
        assertThat(code).as(cli.err()).isEqualTo(1);
        assertThat(cli.err().lines().toList()).singleElement().asString()
                .startsWith("error: cannot reach Kafka: no broker of bootstrap.servers '127.0.0.1:1' accepts connections (127.0.0.1:1 ")
                .endsWith("); start Kafka or set bootstrap.servers");
    }

    @Test
    void aMissingConfigFileIsExitCodeTwo(@TempDir final Path dir) {
        final Path missing = dir.resolve("nope.properties");
        assertThat(cli.run("run", "--config", missing.toString())).isEqualTo(2);
        assertThat(cli.err().lines().toList())
                .containsExactly("error: config file " + missing + " does not exist or is not a file");
    }
}
