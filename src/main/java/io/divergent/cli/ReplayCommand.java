package io.divergent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.config.DivergentConfig;
import io.divergent.local.Replayer;
import io.divergent.view.ReplayReport;
import org.apache.avro.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code divergent replay}: the production topology over recorded traffic, on TopologyTestDriver. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replays recorded events and references through the production topology (no Kafka needed)",
                "and writes every emitted divergence event as JSON Lines. File formats: README, 'Replay'.",
                "Exit code 2 for a bad input line (file:line: problem), including a reference the topology would refuse."})
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOptions configOptions;

    @Option(names = "--events", required = true, description = "Events file, JSON Lines, in arrival order.")
    private Path events;

    @Option(names = "--references", description = "Reference file, JSON Lines (fed before the events).")
    private Path references;

    @Option(names = "--input-schema", description = "Avro writer schema (.avsc) for Avro event values given as JSON; default: the example PlayEvent.")
    private Path inputSchema;

    @Option(names = {"-o", "--output"}, defaultValue = "-", description = "Where to write the divergence events ('-' = stdout).")
    private String output;

    @Option(names = "--alerts", description = "Also write the drift alerts, to this file ('-' = stdout).")
    private String alerts;

    @Option(names = "--dead-letters", description = "Also write the dead letters (records not counted, with the reason), to this file ('-' = stdout).")
    private String deadLetters;

    @Option(names = "--report", description = "Also write a self-contained HTML report (the live view's pictures of the "
            + "replayed series, no network needed to open it) to this file.")
    private Path report;

    @Option(names = "--close-at-end", description = "After the last event, let the wall clock run on (idle.timeout) until "
            + "the windows holding the last event close, as a live deployment would once traffic stops.")
    private boolean closeAtEnd;

    @Override
    public Integer call() throws IOException {
        final DivergentConfig cfg = configOptions.load();
        final Schema schema = inputSchema == null ? null : new Schema.Parser().parse(inputSchema.toFile());
        final Replayer.Result result;
        try {
            result = Replayer.replay(cfg, events, references, schema, closeAtEnd);
        } catch (final Replayer.ReplayException e) {
            // A bad input file is bad input, like a bad setting: exit code 2, so that CI fails on it.
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        write(output, result.events());
        if (alerts != null) {
            write(alerts, result.alerts());
        }
        if (deadLetters != null) {
            write(deadLetters, result.deadLetters());
        }
        if (report != null) {
            Files.writeString(report, ReplayReport.html(cfg, result.events(), result.alerts()), StandardCharsets.UTF_8);
        }
        return 0;
    }

    private void write(final String target, final List<ObjectNode> lines) throws IOException {
        final ObjectMapper json = new ObjectMapper();
        if ("-".equals(target)) {
            final PrintWriter out = spec.commandLine().getOut();
            for (final ObjectNode line : lines) {
                out.println(json.writeValueAsString(line));
            }
            out.flush();
            return;
        }
        try (Writer out = Files.newBufferedWriter(Path.of(target), StandardCharsets.UTF_8)) {
            for (final ObjectNode line : lines) {
                out.write(json.writeValueAsString(line));
                out.write('\n');
            }
        }
    }
}
