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
    /** The peer: the idiomatic DSL windowed aggregate of a histogram map, divergence at window close. */
    B3("DSL groupByKey().windowedBy().emitStrategy(onWindowClose()).aggregate(Avro map), divergence per window"),
    /** Divergent's own topology, as {@code divergent run} builds it. */
    P("Divergent's topology (DivergentTopology), as `run` builds it");

    private final String description;

    Contender(final String description) {
        this.description = description;
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
