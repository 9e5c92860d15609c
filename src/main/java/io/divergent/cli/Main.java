package io.divergent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code divergent}: wires the subcommands and exits with their code. */
@Command(name = "divergent", mixinStandardHelpOptions = true, version = "divergent 0.1.0",
        description = "Streaming divergence processor for Apache Kafka.",
        subcommands = {CommandLine.HelpCommand.class, ComputeCommand.class},
        modelTransformer = OneLineErrors.class)
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(final String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
