package io.divergent.cli;

import io.divergent.config.DivergentConfig;
import io.divergent.runtime.DivergentApp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code divergent run}: the topology against a real cluster, until SIGTERM / Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs Divergent against a Kafka cluster and a Schema Registry, from a config file",
                "with overrides from the environment (KAFKA_*, DIVERGENT_*) and --set. Stops cleanly on SIGTERM / Ctrl-C."})
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    private ConfigOptions configOptions;

    @Override
    public Integer call() throws InterruptedException {
        final DivergentConfig cfg = configOptions.load();
        LOG.info("Configuration: {}", cfg.effectiveProperties());
        final DivergentApp app = DivergentApp.start(cfg);
        final Thread hook = new Thread(app::close, "divergent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final Throwable failure = app.awaitStop();
        if (failure != null) {
            System.err.println("error: Divergent stopped: " + failure);
            return 1;
        }
        return 0;
    }
}
