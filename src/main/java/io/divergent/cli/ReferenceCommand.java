package io.divergent.cli;

import io.divergent.avro.WeightsKind;
import io.divergent.config.DivergentConfig;
import io.divergent.config.MonitorConfig;
import io.divergent.config.ReferenceMode;
import io.divergent.reference.ReferenceBuilder;
import io.divergent.reference.ReferencePublisher;
import io.divergent.reference.SeriesReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code divergent reference}: builds a monitor's reference distributions from data and publishes them. */
@Command(name = "reference", mixinStandardHelpOptions = true,
        description = {"Builds the reference of every series of a monitor from records you have (a CSV file with a",
                "header row, a JSON Lines file, or a time range of the input topic) and publishes it to the",
                "reference topic in the configured format, keyed by series id. --dry-run only prints it."})
public final class ReferenceCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOptions configOptions;

    @Option(names = {"-m", "--monitor"}, description = "The monitor; may be left out when only one is configured.")
    private String monitorName;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "Records to count (repeatable): .csv with a header row, else JSON Lines.")
    private List<Path> files = new ArrayList<>();

    @Option(names = "--from-topic", description = "Count the records of the monitor's input topic in [--from, --to).")
    private boolean fromTopic;

    @Option(names = "--from", paramLabel = "TIME", description = "With --from-topic: first event time included, epoch ms or ISO-8601 (default: the beginning).")
    private String from;

    @Option(names = "--to", paramLabel = "TIME", description = "With --from-topic: first event time excluded, epoch ms or ISO-8601 (default: now).")
    private String to;

    @Option(names = "--timestamp", paramLabel = "TIME",
            description = "Record timestamp of the references, epoch ms or ISO-8601 (default: now): windows ending after it use them; 0 applies them to all history.")
    private String timestamp;

    @Option(names = "--source", description = "The references' source label (default: where the records came from).")
    private String source;

    @Option(names = "--weights-kind", defaultValue = "SAMPLE", paramLabel = "SAMPLE|FIXED",
            description = {"What the published weights are: SAMPLE (default: counts of the records read, so the",
                    "G-test is the two-sample test of homogeneity) or FIXED (a distribution known exactly)."})
    private WeightsKind weightsKind;

    @Option(names = "--dry-run", description = "Print what would be published; publish nothing.")
    private boolean dryRun;

    @Option(names = "--top", defaultValue = "5", description = "Categories printed per series (default ${DEFAULT-VALUE}).")
    private int top;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (files.isEmpty() == !fromTopic) {
            throw new ParameterException(spec.commandLine(), "give either --file (one or more) or --from-topic");
        }
        if (!fromTopic && (from != null || to != null)) {
            throw new ParameterException(spec.commandLine(), "--from and --to need --from-topic");
        }
        final long now = System.currentTimeMillis();
        final long recordTime = timestamp == null ? now : time("--timestamp", timestamp);
        final DivergentConfig cfg = configOptions.load();
        final MonitorConfig monitor = monitor(cfg);
        final PrintWriter out = spec.commandLine().getOut();
        if (monitor.referenceMode() != ReferenceMode.TOPIC) {
            spec.commandLine().getErr().println("warning: monitor '" + monitor.name() + "' has reference.mode="
                    + monitor.referenceMode().label() + ": it does not read the reference topic");
        }
        final ReferenceBuilder builder = new ReferenceBuilder(monitor);
        final String origin;
        if (fromTopic) {
            final long start = from == null ? 0 : time("--from", from);
            final long end = to == null ? now : time("--to", to);
            if (end <= start) {
                throw new ParameterException(spec.commandLine(), "--to must be after --from");
            }
            final ReferencePublisher.TopicRead read = ReferencePublisher.readTopic(cfg, monitor, builder, start, end);
            origin = "topic " + monitor.inputTopic() + " [" + Instant.ofEpochMilli(start) + ", " + Instant.ofEpochMilli(end) + ")";
            read.skipped().forEach((reason, count) -> out.println("skipped " + count + " record(s): " + reason));
        } else {
            for (final Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new ParameterException(spec.commandLine(), file + " does not exist or is not a file");
                }
                try {
                    builder.addFile(file);
                } catch (final ReferenceBuilder.BadInput e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            origin = String.join(", ", files.stream().map(Path::toString).toList());
        }
        final List<SeriesReference> references = builder.references();
        if (references.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no records to count in " + origin + ": nothing to publish");
        }
        final String label = source != null ? source : "divergent reference: " + builder.records() + " records of " + origin;
        for (final SeriesReference reference : references) {
            out.println(describe(reference));
        }
        final String where = references.size() + " reference(s) to '" + cfg.referenceTopic() + "' ("
                + cfg.referenceFormat().toString().toLowerCase(Locale.ROOT) + ", record timestamp "
                + Instant.ofEpochMilli(recordTime) + ", source \"" + label + "\")";
        if (dryRun) {
            out.println("dry run: would publish " + where);
        } else {
            ReferencePublisher.publish(cfg, references, label, recordTime, weightsKind);
            out.println("published " + where);
        }
        out.flush();
        return 0;
    }

    private String describe(final SeriesReference reference) {
        final long total = reference.total();
        final StringBuilder line = new StringBuilder(reference.seriesId()).append(": total ").append(total)
                .append(", ").append(reference.counts().size()).append(" categories; top:");
        for (final Map.Entry<String, Long> e : reference.top(top)) {
            line.append(' ').append(e.getKey()).append('=').append(e.getValue())
                    .append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * e.getValue() / total));
        }
        return line.toString();
    }

    private MonitorConfig monitor(final DivergentConfig cfg) {
        final List<String> names = cfg.monitors().stream().map(MonitorConfig::name).toList();
        if (monitorName == null) {
            if (names.size() != 1) {
                throw new ParameterException(spec.commandLine(), "name the monitor with --monitor: configured are "
                        + (names.isEmpty() ? "none" : String.join(", ", names)));
            }
            return cfg.monitors().get(0);
        }
        return cfg.monitors().stream().filter(m -> m.name().equals(monitorName)).findFirst()
                .orElseThrow(() -> new ParameterException(spec.commandLine(), "no monitor '" + monitorName
                        + "': configured are " + (names.isEmpty() ? "none" : String.join(", ", names))));
    }

    /** Epoch milliseconds or an ISO-8601 instant. */
    private long time(final String option, final String text) {
        try {
            return text.chars().allMatch(Character::isDigit) && !text.isEmpty() ? Long.parseLong(text)
                    : Instant.parse(text).toEpochMilli();
        } catch (final NumberFormatException | DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), "invalid value '" + text + "' for " + option
                    + ": expected epoch milliseconds or an ISO-8601 instant such as 2026-11-23T10:00:00Z");
        }
    }
}
