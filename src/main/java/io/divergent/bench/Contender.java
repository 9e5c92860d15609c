package io.divergent.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What is measured over the same pre-filled input. */
public enum Contender {
    /** The limit: a plain {@code KafkaConsumer} loop that decodes every value and drops it. */
    B0("plain consumer loop: poll, Avro-decode, discard"),
    /** The framework: Kafka Streams reading and decoding every record, no state, no output. */
    B1("Kafka Streams source + Avro decode, no output (the floor of any Streams app)"),
    /**
     * The framework with one repartition: read, re-key by series, repartition (the category as
     * value), count per key ({@code groupByKey().count()}); no windows, no output.
     */
    B2("Kafka Streams source + Avro decode, selectKey(series), repartition, groupByKey().count(); no windows, no output"),
    /** The peer: the idiomatic DSL windowed aggregate of a histogram map, divergence at window close. */
    B3("DSL groupByKey().windowedBy().emitStrategy(onWindowClose()).aggregate(Avro map), divergence per window"),
    /** Apache Flink, heap state: only in the Flink bench jar ({@code mvn -Pflink package}). */
    B4H("Flink 2.2 MiniCluster, parallelism 2: Kafka source, keyBy(series), event-time windows, HashMap histogram "
            + "aggregate, JS distance per window (discarded); HashMapStateBackend, exactly-once checkpoints every 100 ms", true),
    /** Apache Flink, RocksDB state: only in the Flink bench jar ({@code mvn -Pflink package}). */
    B4R("the same Flink job with EmbeddedRocksDBStateBackend", true),
    /** Divergent's own topology, as {@code divergent run} builds it. */
    P("Divergent's topology (DivergentTopology), as `run` builds it"),
    /**
     * P told that its input is already partitioned by series ({@code input.partitioned.by.series=true}):
     * it counts where it reads, with no observations repartition. Runs only on a workload whose
     * input keeps that promise ({@link #runsOn}).
     */
    PK("P with input.partitioned.by.series=true: counted in the source sub-topology, no observations repartition"),
    /** P as two instances of one application (the work per instance: one-series workload). */
    P2("P, two Kafka Streams instances of one application id in this JVM"),
    /** P as three instances of one application. */
    P3("P, three Kafka Streams instances of one application id in this JVM");

    /** What {@code divergent bench} runs when not told otherwise. */
    public static final String DEFAULTS = "B0,B1,B2,B3,P";

    private final String description;
    private final boolean flink;

    Contender(final String description) {
        this(description, false);
    }

    Contender(final String description, final boolean flink) {
        this.description = description;
        this.flink = flink;
    }

    /** Whether this contender runs on Flink, so only from the Flink bench jar. */
    public boolean flink() {
        return flink;
    }

    /**
     * Whether this contender can run here: every Kafka Streams one can; a Flink one only where the
     * Flink bench jar's implementation is on the classpath.
     */
    public boolean available() {
        return !flink || ExternalContender.find(this).isPresent();
    }

    /** Whether this is Divergent's topology (P, on one or more instances, or PK). */
    public boolean divergent() {
        return this == P || this == PK || this == P2 || this == P3;
    }

    /** Whether this contender runs with {@code input.partitioned.by.series=true} (PK). */
    public boolean partitionedBySeries() {
        return this == PK;
    }

    /**
     * Whether this contender can run a workload: PK only where the input is partitioned by series
     * as it promises (one partition, keyed by series); every other contender everywhere.
     */
    public boolean runsOn(final Workload workload) {
        return !partitionedBySeries() || workload.keyedBySeries();
    }

    /** Why {@link #runsOn} is false for a workload, one line. */
    public String whyNot(final Workload workload) {
        return name() + " not run on " + workload.name() + ": its input (" + workload.partitions()
                + " partitions keyed by user, " + (workload.segmented() ? "segmented" : "one series without segments")
                + ") is not partitioned by series, so input.partitioned.by.series=true would not hold "
                + "(it would dead-letter the records off their series' partition, or not start)";
    }

    /** Kafka Streams instances this contender runs (1 but for P2, P3). */
    public int instances() {
        return this == P2 ? 2 : this == P3 ? 3 : 1;
    }

    /**
     * Parses a comma-separated list of contender names, case-insensitively.
     *
     * @param names e.g. {@code B0,P}
     * @return the contenders in the order given
     * @throws IllegalArgumentException naming an unknown name and every known one
     */
    public static List<Contender> parse(final String names) {
        final List<Contender> chosen = new ArrayList<>();
        for (final String raw : names.split(",")) {
            final String name = raw.trim().toUpperCase(Locale.ROOT);
            chosen.add(Arrays.stream(values()).filter(c -> c.name().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("unknown contender '" + raw.trim() + "'; known: "
                            + String.join(", ", Arrays.stream(values()).map(Contender::name).toList()))));
        }
        return chosen;
    }

    /** One line on what the contender does. */
    public String description() {
        return description;
    }
}
