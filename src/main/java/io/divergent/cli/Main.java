package io.divergent.cli;

import io.divergent.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code divergent}: wires the subcommands and exits with their code. */
@Command(name = "divergent", mixinStandardHelpOptions = true, version = "divergent 0.1.0",
        description = "Streaming divergence processor for Apache Kafka.",
        subcommands = {ReplayCommand.class, RunCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code of a usage or configuration error. */
    public static final int USAGE = 2;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * The command line with Divergent's error handling: a bad option or configuration value is
     * one line on stderr and exit code 2; any other failure one line and exit code 1.
     */
    public static CommandLine commandLine() {
        final CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see: divergent "
                    + e.getCommandLine().getCommandName() + " --help)");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("error: " + e.getMessage());
            return e instanceof ConfigException ? USAGE : 1;
        });
        return cli;
    }

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }
}
