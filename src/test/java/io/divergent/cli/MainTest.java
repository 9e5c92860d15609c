package io.divergent.cli;

import io.divergent.testing.CommandRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The top level of {@code divergent}: its usage and its errors for a mistyped command line. */
class MainTest {

    private final CommandRun cli = new CommandRun();

    @Test
    void aMistypedSubcommandGetsASuggestion() {
        assertThat(cli.run("repaly")).isEqualTo(2);
        assertThat(cli.err().lines().toList()).singleElement().asString()
                .startsWith("error: Unmatched argument at index 0: 'repaly'").contains("did you mean 'replay'");
    }

    @Test
    void aMistypedOptionGetsASuggestion() {
        assertThat(cli.run("run", "--confg", "x.properties")).isEqualTo(2);
        assertThat(cli.err().lines().toList()).singleElement().asString()
                .startsWith("error: Unknown options: '--confg'").contains("did you mean '--config'");
    }

    @Test
    void anUnknownBenchContenderListsTheKnownOnes() {
        assertThat(cli.run("bench", "--contenders", "B9")).as(cli::err).isEqualTo(2);
        assertThat(cli.err().lines().toList()).containsExactly("error: unknown contender 'B9'; known: "
                + String.join(", ", java.util.Arrays.stream(io.divergent.bench.Contender.values()).map(Enum::name).toList()));
        assertThat(io.divergent.bench.Contender.values()).extracting(Enum::name).contains("B0", "B1", "B2", "B3", "B4H", "B4R", "P");
    }

    @Test
    void aMistypedBenchSettingIsRefusedBeforeAnythingRuns() {
        assertThat(cli.run("bench", "--set", "partitons=2")).as(cli::err).isEqualTo(2);
        assertThat(cli.err()).contains("partitons").contains("did you mean 'partitions'");
        assertThat(cli.out()).doesNotContain("a JVM of its own");
    }

    /**
     * Every subcommand's help formats cleanly: picocli reads a description as a format string and
     * warns on standard error (not the command's) for a bare {@code %}, printing it unformatted.
     */
    @Test
    void everySubcommandsHelpFormatsWithoutAWarning() {
        final java.io.PrintStream stderr = System.err;
        final java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (final String sub : Main.commandLine().getSubcommands().keySet()) {
                final CommandRun help = new CommandRun();
                assertThat(help.run(sub, "--help")).as(sub).isZero();
                assertThat(help.out()).as(sub).contains("Usage: divergent " + sub).doesNotContain("%n");
            }
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }

    /** Each subcommand's line in the usage is a whole sentence, not the first line of its description. */
    @Test
    void theUsageListsWholeSentences() {
        assertThat(cli.run("--help")).isZero();
        final String usage = cli.out().replaceAll("\\s+", " ");
        assertThat(usage)
                .contains("run Runs Divergent against a Kafka cluster and a Schema Registry, from a config file with "
                        + "overrides from the environment (KAFKA_*, DIVERGENT_*) and --set.")
                .contains("and the G-test between an observed histogram P and a reference Q, smoothed over the union "
                        + "of their categories.")
                .contains("(no Kafka needed) and writes every emitted divergence event as JSON Lines.");
        final CommandRun bare = new CommandRun();
        assertThat(bare.run()).isZero();
        assertThat(bare.out()).isEqualTo(cli.out());
    }
}
