package io.divergent.testing;

import io.divergent.cli.Main;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code divergent} subcommands in the test JVM as the launcher would, keeping what they print. */
public final class CommandRun {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /**
     * @param args the command line, e.g. {@code "run", "--config", "app.properties"}
     * @return the exit code the launcher would exit with
     */
    public int run(final String... args) {
        final CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** @return all written to standard output so far */
    public String out() {
        return out.toString();
    }

    /** @return all written to standard error so far */
    public String err() {
        return err.toString();
    }
}
