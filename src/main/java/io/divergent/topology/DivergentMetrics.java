package io.divergent.topology;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.streams.StreamsMetrics;

import java.util.HashMap;
import java.util.Map;

/**
 * Divergent's own metrics, registered with Kafka Streams (so they appear in
 * {@code KafkaStreams#metrics()} and over JMX) in group {@value #GROUP}, tagged by monitor.
 * Recorded only for rare things (skipped records, closed windows, alerts), never per counted
 * record: per-record sensors are what makes Streams apps slow (KAFKA-3769).
 */
public final class DivergentMetrics {

    /** Metric group of every Divergent metric. */
    public static final String GROUP = "divergent-metrics";

    private final StreamsMetrics metrics;
    /** By metric name, then monitor tag: looked up per emitted event, so no key is built per call. */
    private final Map<String, Map<String, Sensor>> sensors = new HashMap<>();

    /** @param metrics the task's metrics, where the sensors are added */
    DivergentMetrics(final StreamsMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Name of the cumulative count of records skipped for a kind, tagged by monitor, in group
     * {@link #GROUP}: {@code <kind label>-records-total}, e.g. {@code late-records-total}.
     *
     * @param kind why the records were skipped
     * @return the metric name
     */
    public static String skippedMetric(final DeadLetter.Kind kind) {
        return kind.label() + "-records-total";
    }

    /** Counts one skipped record of a kind, e.g. {@code late-records-total{monitor=genres}}. */
    void skipped(final DeadLetter.Kind kind, final String monitor) {
        count(skippedMetric(kind), monitor, "Records not counted because: " + kind.label());
    }

    /** Counts one attempt that waits for the Schema Registry ({@code registry-unavailable-total{monitor=all}}). */
    void registryUnavailable() {
        count("registry-unavailable-total", null, "Records whose schema could not be fetched because the registry was unavailable (each retry counts)");
    }

    /** Counts the divergence events of one closed window, {@code emitted} of them, in one recording. */
    void windowEmitted(final String monitor, final int emitted) {
        count("windows-emitted-total", monitor, "Divergence events emitted (one per series per closed window)", emitted);
    }

    void noData(final String monitor) {
        count("no-data-windows-total", monitor, "No-data events emitted: an expected series without events in a closed window (not in windows-emitted-total)");
    }

    void alertRaised(final String monitor) {
        count("alerts-total", monitor, "Drift alerts raised");
    }

    private void count(final String name, final String monitor, final String description) {
        count(name, monitor, description, 1);
    }

    private void count(final String name, final String monitor, final String description, final int n) {
        final String tag = monitor == null ? "all" : monitor;
        sensors.computeIfAbsent(name, k -> new HashMap<>()).computeIfAbsent(tag, t -> {
            final Sensor sensor = metrics.addSensor("divergent." + name + "." + tag, Sensor.RecordingLevel.INFO);
            sensor.add(new MetricName(name, GROUP, description, Map.of("monitor", tag)), new CumulativeSum());
            return sensor;
        }).record(n);
    }
}
