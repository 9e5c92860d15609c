package io.divergent.bench;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Where a Kafka Streams contender's stream threads wait, from the clients' own cumulative
 * metrics: for each stream thread, the time its main consumer waited in the network selector
 * (its {@code poll} idle for want of fetched data: {@code io-wait-time-ns-total}) and the time
 * its producer blocked in an exactly-once commit ({@code flush-time-ns-total},
 * {@code txn-send-offsets-time-ns-total}, {@code txn-commit-time-ns-total}). Taken as deltas
 * between two snapshots and divided by the wall time, next to the thread's CPU time, they show
 * whether a thread that is not busy waits for input (the hand-over through a repartition topic,
 * readable only once the writing task's transaction commits) or on its own commits.
 * What is left of the wall time is neither: waiting for a core, locks, the JVM's safepoints.
 */
final class StreamWaits {

    /** One wait: its label, and the cumulative metric (group, name) of the client whose id ends with {@code client}. */
    private record Wait(String label, String group, String client, String metric) {
    }

    /** The waits, in the order {@link #describe} prints them. */
    private static final List<Wait> WAITS = List.of(
            new Wait("poll idle", "consumer-metrics", "-consumer", "io-wait-time-ns-total"),
            new Wait("flush", "producer-metrics", "-producer", "flush-time-ns-total"),
            new Wait("send offsets", "producer-metrics", "-producer", "txn-send-offsets-time-ns-total"),
            new Wait("commit", "producer-metrics", "-producer", "txn-commit-time-ns-total"));

    private final Map<String, double[]> byThread;

    private StreamWaits(final Map<String, double[]> byThread) {
        this.byThread = byThread;
    }

    /** The cumulative waits of every stream thread of these instances now, keyed by thread name. */
    static StreamWaits snapshot(final List<KafkaStreams> instances) {
        final Map<String, double[]> byThread = new TreeMap<>();
        for (final KafkaStreams streams : instances) {
            for (final Map.Entry<MetricName, ? extends Metric> metric : streams.metrics().entrySet()) {
                final MetricName name = metric.getKey();
                final String client = name.tags().getOrDefault("client-id", "");
                for (int i = 0; i < WAITS.size(); i++) {
                    final Wait wait = WAITS.get(i);
                    // The main consumer and producer of a stream thread: "<client>-StreamThread-N-consumer"
                    // (not "-restore-consumer", nor the global thread's consumer).
                    if (name.group().equals(wait.group()) && name.name().equals(wait.metric())
                            && client.contains("-StreamThread-") && client.endsWith(wait.client())
                            && !client.endsWith("-restore-consumer")
                            && metric.getValue().metricValue() instanceof Double value) {
                        final String thread = client.substring(0, client.length() - wait.client().length());
                        byThread.computeIfAbsent(thread, t -> new double[WAITS.size()])[i] += value;
                    }
                }
            }
        }
        return new StreamWaits(byThread);
    }

    /**
     * One line per stream thread: its CPU time and each wait since {@code before}, as fractions of
     * {@code wallNanos}; {@code cpuNanos} gives a thread's CPU time over the same span by name.
     */
    List<String> describe(final StreamWaits before, final long wallNanos,
                          final ToLongFunction<String> cpuNanos, final String trimPrefix) {
        final List<String> lines = new ArrayList<>();
        byThread.forEach((thread, totals) -> {
            final double[] earlier = before.byThread.getOrDefault(thread, new double[WAITS.size()]);
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: CPU %.2f",
                    thread.startsWith(trimPrefix) ? thread.substring(trimPrefix.length()) : thread,
                    (double) cpuNanos.applyAsLong(thread) / wallNanos));
            double waited = 0;
            for (int i = 0; i < WAITS.size(); i++) {
                final double share = (totals[i] - earlier[i]) / wallNanos;
                waited += share;
                line.append(String.format(Locale.ROOT, ", %s %.2f", WAITS.get(i).label(), share));
            }
            line.append(String.format(Locale.ROOT, " (waits %.2f)", waited));
            lines.add(line.toString());
        });
        return lines;
    }
}
