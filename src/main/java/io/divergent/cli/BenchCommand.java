package io.divergent.cli;

import io.divergent.bench.Bench;
import io.divergent.bench.BenchReport;
import io.divergent.bench.Contender;
import io.divergent.bench.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code divergent bench}: Divergent against a plain consumer, the Streams floor and the idiomatic DSL. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Benchmarks Divergent against a plain consumer, the Kafka Streams floor and the idiomatic DSL.",
        description = {"Runs each contender over each workload in a JVM of its own (--no-fork: all in this one), which",
                "starts a Kafka broker, fills the workload's input topic with synthetic Avro events, then measures",
                "B0 (plain consumer), B1 (Kafka Streams floor), B2 (the floor with one repartition),",
                "B3 (DSL windowed aggregate) and P (Divergent; P2, P3: on 2 or 3 instances) over the same records:",
                "records/s, CPU s per M records, allocated bytes per record (ThreadMXBean), changelog bytes per record,",
                "peak heap; medians of --reps runs after --warmups unmeasured ones. B4H and B4R (Flink) run from the Flink",
                "bench jar only (mvn -Pflink package -DskipTests; see docs/benchmarks.md)."})
public final class BenchCommand implements Callable<Integer> {

    /** The smallest restore size: one series with all of its categories. */
    private static final long MIN_RESTORE_COUNTS = 100;

    @Spec
    private CommandSpec spec;

    @Option(names = "--records", defaultValue = "300000",
            description = {"Input records per workload (default ${DEFAULT-VALUE}: every workload has its 10,000 series",
                    "from 300,000 on; the whole default run takes about 40 minutes on 2 cores, a JVM and a broker per contender and workload)."})
    private long records;

    @Option(names = "--workloads", defaultValue = "all",
            description = "Comma-separated: tumbling-64, tumbling-1024, hopping-60s-10s, zipf, out-of-order, one-series, "
                    + "or all (default).")
    private String workloads;

    @Option(names = "--contenders", defaultValue = Contender.DEFAULTS,
            description = "Comma-separated, of B0,B1,B2,B3,P,PK,P2,P3 (default ${DEFAULT-VALUE}); B4H and B4R from the Flink bench jar only.")
    private String contenders;

    @Option(names = "--reps", defaultValue = "3", description = "Measured runs per workload and contender (default ${DEFAULT-VALUE}).")
    private int reps;

    @Option(names = "--warmups", defaultValue = "3", description = {"Unmeasured runs before the reps, in each contender's "
            + "JVM (default ${DEFAULT-VALUE}: the JIT", "still compiles through a first and often a second run of 300,000 records)."})
    private int warmups;

    @Option(names = "--no-warmup", description = "No unmeasured run: --warmups 0.")
    private boolean noWarmup;

    @Option(names = "--restore", description = "Also measure state restoration of --restore-counts counts.")
    private boolean restore;

    @Option(names = "--restore-counts", defaultValue = "1000000",
            description = "Counts in the restored store (default ${DEFAULT-VALUE}).")
    private long restoreCounts;

    @Option(names = "--quick", description = "Smoke run: 2,000 records, 1 rep, no warm-up, a 5,000-count restore, "
            + "every contender in this JVM.")
    private boolean quick;

    @Option(names = "--latency", description = "Only measure the latency of live traffic: window end + grace to the "
            + "event readable with read_committed, while traffic flows and after it stops (about 20 s).")
    private boolean latency;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"Override a key of the configuration the Kafka "
            + "Streams contenders run with, as run's --set (repeatable): P's (e.g. --set partitions=2) and the "
            + "kafka.* settings B1, B2 and B3 share (e.g. --set kafka.commit.interval.ms=1000)."})
    private Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--json", description = "Write the machine-readable summary here.")
    private Path json;

    @Option(names = "--forks", defaultValue = "1", description = {"JVMs each contender runs each workload in, one after "
            + "the other, their reps pooled", "(default ${DEFAULT-VALUE}; one JVM's figures can differ from the next one's by "
            + "20%%, as the JIT decides)."})
    private int forks;

    @Option(names = "--no-fork", description = {"--forks 0: every contender in this JVM, interleaved, on one broker (as before",
            "issue 16's seventh pass): faster, but the contenders share the JIT's profiles, which slows B3 2-3x."})
    private boolean noFork;

    @Option(names = Bench.FORK_CHILD_OPTION, hidden = true,
            description = "Internal: this JVM is a forked child; write its measurements to this file.")
    private Path forkChild;

    @Override
    public Integer call() throws Exception {
        if (latency) {
            Bench.latency(System.out);
            return 0;
        }
        if (records < 1_000 || reps < 1 || warmups < 0 || forks < 0 || restoreCounts < MIN_RESTORE_COUNTS) {
            throw new ParameterException(spec.commandLine(), "--records must be at least 1000, --reps at least 1, "
                    + "--warmups and --forks at least 0, "
                    + "--restore-counts at least " + MIN_RESTORE_COUNTS);
        }
        final List<Workload> chosen;
        final List<Contender> who;
        try {
            chosen = Workload.parse(workloads);
            who = Contender.parse(contenders);
            for (final Contender contender : who) {
                if (!contender.available()) {
                    throw new IllegalArgumentException(contender + " runs on Flink, which this jar does not carry: build "
                            + "the Flink bench jar (mvn -Pflink package -DskipTests) and run java -jar "
                            + "target/flink/divergent-bench-flink.jar (see docs/benchmarks.md)");
                }
            }
        } catch (final IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        final Bench.Options options = quick
                ? new Bench.Options(2_000, chosen, who, 1, 0, 5_000, 0, settings, System.out)
                : new Bench.Options(records, chosen, who, reps, noWarmup ? 0 : warmups, restore ? restoreCounts : 0, noFork ? 0 : forks,
                        settings, System.out);
        if (forkChild != null) {
            Bench.child(options, forkChild);
            return 0;
        }
        final BenchReport report = Bench.run(options);
        System.out.println();
        report.printTable(System.out);
        if (json != null) {
            report.writeJson(json);
            System.out.println("JSON summary: " + json);
        }
        return 0;
    }
}
