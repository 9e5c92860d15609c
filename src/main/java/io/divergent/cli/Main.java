package io.divergent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code divergent}: wires the subcommands and exits with their code. */
@Command(name = "divergent", mixinStandardHelpOptions = true, version = "divergent 0.1.0",
        description = "Streaming divergence processor for Apache Kafka.",
        subcommands = {ComputeCommand.class, ReplayCommand.class, RunCommand.class, ReferenceCommand.class, DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        modelTransformer = OneLineErrors.class)
public final class Main implements Runnable {

    /** Exit code of a usage or configuration error. */
    public static final int USAGE = 2;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The command line, with {@link OneLineErrors}: one line on stderr, exit code 2 for bad input or configuration, 1 otherwise. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }
}
