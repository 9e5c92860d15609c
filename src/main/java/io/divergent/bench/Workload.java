package io.divergent.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One benchmark workload: the shape of the synthetic input and the windows every contender
 * computes over it.
 *
 * @param name               the name used on the command line, in the table and in the JSON
 * @param series             distinct series (keys) at full size; a small run uses fewer
 * @param categories         distinct categories
 * @param zipf               Zipf exponent of both the series and the category choice; 0 means
 *                           uniform series and a mildly skewed (exponent 0.5) category choice
 * @param sizeMs             window size in event time
 * @param advanceMs          window advance; equal to {@code sizeMs} for tumbling windows
 * @param outOfOrderFraction fraction of records whose timestamp is moved back by up to
 *                           {@code graceMs - 1} ms (never late)
 * @param graceMs            grace period of the windows
 * @param partitions         partitions of the input topic: 1 (keyed by series, one task for every
 *                           contender), or more for an input keyed by something else (the record's
 *                           user id) and spread round-robin, so that the series must be re-keyed
 */
public record Workload(String name, int series, int categories, double zipf, long sizeMs, long advanceMs,
                       double outOfOrderFraction, long graceMs, int partitions) {

    private static final long MINUTE = 60_000L;

    /**
     * The workloads of issue #6, in table order, then issue #16's one-series workload: one monitor
     * without segments (one model's predicted class), so one series, over an input of 8 partitions
     * keyed by user, as the most common deployment has it.
     *
     * <p>One-series has a grace of an hour, the longest span of event time an input has
     * ({@link SyntheticEvents}), so no window closes while it is read and no record can be late.
     * Its 8 partitions are read by 8 tasks, each at its own pace through a backlog, and the one
     * task that counts the series takes them as they come: with no grace its stream time ran up to
     * ten minutes of event time ahead of the slowest partition, and P and B3 alike left 84% of the
     * records out of their windows as late (issue 16, fourteenth pass). Kafka Streams orders event
     * time within a task, not across the tasks that feed a repartition topic. Since the sixteenth
     * pass P's windows close by the least event time of the partitions still sending and it
     * leaves none out with no grace ({@code --set monitor.bench.window.grace=0ms}); the DSL
     * code still would, so the workload keeps the hour for every contender to count the same records.
     */
    public static final List<Workload> ALL = List.of(
            new Workload("tumbling-64", 10_000, 64, 0, MINUTE, MINUTE, 0, 0, 1),
            new Workload("tumbling-1024", 10_000, 1_024, 0, MINUTE, MINUTE, 0, 0, 1),
            new Workload("hopping-60s-10s", 10_000, 64, 0, MINUTE, 10_000L, 0, 0, 1),
            new Workload("zipf", 10_000, 64, 1.1, MINUTE, MINUTE, 0, 0, 1),
            new Workload("out-of-order", 10_000, 64, 0, MINUTE, MINUTE, 0.05, 10_000L, 1),
            new Workload("one-series", 1, 64, 0, MINUTE, MINUTE, 0, 60 * MINUTE, 8));

    /** Whether windows overlap. */
    public boolean hopping() {
        return advanceMs < sizeMs;
    }

    /** Whether the input's record key is the series (else every contender must re-key by series). */
    public boolean keyedBySeries() {
        return partitions == 1;
    }

    /**
     * Whether P's monitor segments by the {@code series} field; a one-series workload's monitor has
     * no segments, so its one series id is the monitor's name.
     */
    public boolean segmented() {
        return series > 1;
    }

    /**
     * The workloads named in a comma-separated list ({@code all} for every one).
     *
     * @throws IllegalArgumentException naming an unknown workload and the known ones
     */
    public static List<Workload> parse(final String names) {
        if (names == null || names.isBlank() || names.trim().equalsIgnoreCase("all")) {
            return ALL;
        }
        final List<Workload> chosen = new ArrayList<>();
        for (final String raw : names.split(",")) {
            final String name = raw.trim().toLowerCase(Locale.ROOT);
            chosen.add(ALL.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("unknown workload '" + name + "'; known: "
                            + String.join(", ", ALL.stream().map(Workload::name).toList()))));
        }
        return chosen;
    }
}
