package io.divergent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;

/** Entry point of {@code divergent}: wires the subcommands and exits with their code. */
@Command(name = "divergent", mixinStandardHelpOptions = true, version = "divergent 0.1.0",
        description = "Streaming divergence processor for Apache Kafka.",
        subcommands = {ComputeCommand.class, ReplayCommand.class, RunCommand.class, ReferenceCommand.class, DemoCommand.class, BenchCommand.class, SoakCommand.class,
                CommandLine.HelpCommand.class},
        modelTransformer = OneLineErrors.class)
public final class Main implements Runnable {

    /** Exit code of a usage or configuration error. */
    public static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The command line, with {@link OneLineErrors}: one line on stderr, exit code 2 for bad input
     * or configuration, 1 otherwise; its usage lists each subcommand with the first sentence of
     * its description.
     */
    public static CommandLine commandLine() {
        final CommandLine commandLine = new CommandLine(new Main());
        commandLine.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Main::commandList);
        return commandLine;
    }

    /**
     * Picocli lists the first line of each description, which our multi-line descriptions cut
     * mid-sentence: list the first sentence instead, wrapped to the usage width.
     */
    private static String commandList(final Help help) {
        final Map<String, Help> subcommands = help.subcommands();
        if (subcommands.isEmpty()) {
            return "";
        }
        final int nameWidth = subcommands.keySet().stream().mapToInt(String::length).max().orElse(0) + 4;
        final int width = help.commandSpec().usageMessage().width();
        final Help.TextTable table = Help.TextTable.forColumns(help.colorScheme(),
                new Help.Column(nameWidth, 2, Help.Column.Overflow.SPAN),
                new Help.Column(width - nameWidth, 1, Help.Column.Overflow.WRAP));
        subcommands.forEach((name, sub) -> table.addRowValues(name, firstSentence(sub.commandSpec())));
        return table.toString();
    }

    /** The header if there is one, else the description up to its first full stop. */
    static String firstSentence(final CommandSpec spec) {
        final String[] header = spec.usageMessage().header();
        final String text = String.join(" ", header.length > 0 ? header : spec.usageMessage().description()).strip();
        final int end = text.indexOf(". ");
        return end < 0 ? text : text.substring(0, end + 1);
    }

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }
}
