package io.divergent.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every error of {@code divergent} as one line on stderr, {@code error: <what is wrong>}, without
 * usage help or stack trace (a mistyped subcommand or option ends with picocli's
 * "did you mean" suggestions): exit code 2 for bad input (picocli's parse errors, the
 * {@link ParameterException}s commands throw for invalid values, and configuration errors),
 * 1 for anything else.
 *
 * <p>Installed as {@link Main}'s model transformer, so that it applies to every
 * {@code new CommandLine(new Main())}, whoever builds it: picocli runs the transformer once the
 * top-level {@link CommandLine} exists, and the handlers of the top level handle the errors of
 * every subcommand.
 */
public final class OneLineErrors implements IModelTransformer, IParameterExceptionHandler, IExecutionExceptionHandler {

    /** Picocli's factory instantiates it. */
    public OneLineErrors() {
    }

    @Override
    public CommandSpec transform(final CommandSpec spec) {
        final CommandLine commandLine = spec.commandLine();
        if (commandLine != null) {
            commandLine.setParameterExceptionHandler(this);
            commandLine.setExecutionExceptionHandler(this);
        }
        return spec;
    }

    @Override
    public int handleParseException(final ParameterException ex, final String[] args) {
        final CommandLine commandLine = ex.getCommandLine();
        print(commandLine, ex.getMessage() + suggestion(ex));
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(final Exception ex, final CommandLine commandLine,
                                        final ParseResult parseResult) {
        print(commandLine, ex.getMessage() == null ? ex.toString() : ex.getMessage());
        // A bad configuration value is bad input too, whichever command loaded it.
        return ex instanceof io.divergent.config.ConfigException ? commandLine.getCommandSpec().exitCodeOnInvalidInput()
                : commandLine.getCommandSpec().exitCodeOnExecutionException();
    }

    /** Picocli's near matches of a mistyped subcommand or option, as "; did you mean ...?", or "". */
    private static String suggestion(final ParameterException ex) {
        if (!(ex instanceof UnmatchedArgumentException unmatched)) {
            return "";
        }
        final List<String> near = unmatched.getSuggestions();
        if (near.isEmpty()) {
            return "";
        }
        return "; did you mean " + near.stream().limit(3).map(s -> "'" + s + "'").collect(Collectors.joining(" or ")) + "?";
    }

    private static void print(final CommandLine commandLine, final String message) {
        // Some picocli messages (argument groups) already start with "Error: ".
        final String text = message.strip().replaceAll("\\s*\\R\\s*", " ").replaceFirst("^(?i)error:\\s*", "");
        commandLine.getErr().println("error: " + text);
        commandLine.getErr().flush();
    }
}
