package io.divergent.topology;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
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
    /** The watermark gauges of this task, by metric name then monitor (removed with the task: {@link #close}). */
    private final Map<String, Map<String, Sensor>> gauges = new HashMap<>();
    private final String task;

    /**
     * @param metrics the task's metrics, where the sensors are added
     * @param task    the task's id, the {@code task} tag of its gauges
     */
    DivergentMetrics(final StreamsMetrics metrics, final String task) {
        this.metrics = metrics;
        this.task = task;
    }

    /** @param metrics the task's metrics, where the sensors are added (no gauges: {@link #watermark} needs a task) */
    DivergentMetrics(final StreamsMetrics metrics) {
        this(metrics, "none");
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

    /**
     * Records a monitor's watermark in this task, at each commit: gauges
     * {@code watermark-ms{monitor,task}} (epoch milliseconds: its windows close by it) and
     * {@code watermark-skew-ms{monitor,task}} (the largest event time heard minus the watermark:
     * how far the input partitions still sending hold it back). Nothing until there is a watermark.
     */
    void watermark(final String monitor, final long watermark, final long skew) {
        gauge("watermark-ms", monitor, "Event time (epoch ms) up to which the monitor's input has come in this task: "
                + "the least of the input partitions' event times still sending; windows close by it", watermark);
        gauge("watermark-skew-ms", monitor, "The largest event time the task heard for the monitor minus its "
                + "watermark: how far the slowest input partition still sending holds the windows back", skew);
    }

    private void gauge(final String name, final String monitor, final String description, final long value) {
        gauges.computeIfAbsent(name, k -> new HashMap<>()).computeIfAbsent(monitor, m -> {
            final Sensor sensor = metrics.addSensor("divergent." + name + "." + monitor + "." + task, Sensor.RecordingLevel.INFO);
            sensor.add(new MetricName(name, GROUP, description, Map.of("monitor", monitor, "task", task)), new Value());
            return sensor;
        }).record(value);
    }

    /** Removes this task's gauges (the task closes: another instance or a later start reports them). */
    void close() {
        gauges.values().forEach(byMonitor -> byMonitor.values().forEach(metrics::removeSensor));
        gauges.clear();
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
