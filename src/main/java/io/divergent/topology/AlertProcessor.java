package io.divergent.topology;

import io.divergent.alert.AlertStatus;
import io.divergent.alert.WindowAlerts;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.config.MonitorConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;

/**
 * Receives each closed window's events together ({@link Emitted.Window}), lets the monitor's
 * {@link WindowAlerts} correct the p-values of each family (the series of one partition of the
 * window task's input, as {@link SeriesPartitioner} places them: what one task closes together) and move its alerts, and forwards the events, then
 * the alert events, one by one, keyed by series id. The alert statuses live in a changelogged
 * store per monitor, key {@code <series id> NUL <rule>}, so they commit with the counts and the
 * output: exactly-once across crashes and failover. Anything else (dead letters) passes through.
 */
final class AlertProcessor implements Processor<String, Routed, String, Routed> {

    private static final char SEPARATOR = '\u0000';

    private final Map<String, WindowAlerts> alerts = new HashMap<>();
    private final SeriesPartitioner placement;
    private final int partitions;
    /** Each monitor's alert status store, by monitor name. */
    private final Map<String, String> storeNames;
    private final Map<String, KeyValueStore<String, byte[]>> stores = new HashMap<>();
    private ProcessorContext<String, Routed> context;
    private DivergentMetrics metrics;

    /**
     * @param monitors   every monitor
     * @param storeNames each monitor's alert status store, by monitor name
     * @param placement  where the window task's input holds a series
     * @param partitions partitions of the window task's input (the observations repartition topic,
     *                   or the input itself when it is partitioned by series)
     */
    AlertProcessor(final List<MonitorConfig> monitors, final Map<String, String> storeNames,
                   final SeriesPartitioner placement, final int partitions) {
        this.placement = placement;
        this.partitions = partitions;
        for (final MonitorConfig monitor : monitors) {
            alerts.put(monitor.name(), new WindowAlerts(monitor));
        }
        this.storeNames = Map.copyOf(storeNames);
    }

    @Override
    public void init(final ProcessorContext<String, Routed> context) {
        this.context = context;
        this.metrics = new DivergentMetrics(context.metrics());
        for (final Map.Entry<String, String> entry : storeNames.entrySet()) {
            stores.put(entry.getKey(), context.getStateStore(entry.getValue()));
        }
    }

    /**
     * The window's events by the partition of the window task's input their series is in
     * ({@link SeriesPartitioner}): one task closes exactly one family,
     * so a replay on one task corrects the same families as a deployment on many.
     */
    private Collection<List<DivergenceEvent>> families(final List<DivergenceEvent> events) {
        if (partitions == 1) {
            return List.of(events);
        }
        final Map<Integer, List<DivergenceEvent>> families = new TreeMap<>();
        for (final DivergenceEvent event : events) {
            final int partition = placement.partition(event.getSeriesId(), partitions);
            families.computeIfAbsent(partition, p -> new ArrayList<>()).add(event);
        }
        return families.values();
    }

    @Override
    public void process(final Record<String, Routed> record) {
        if (!(record.value() instanceof Emitted.Window window)) {
            context.forward(record);
            return;
        }
        final KeyValueStore<String, byte[]> store = stores.get(window.monitor());
        // What each (series, rule) held when read: a status written back unchanged (most are
        // quiet, hence absent) is not written again, so it costs no changelog record.
        final Map<String, byte[]> read = new HashMap<>();
        final WindowAlerts.States states = new WindowAlerts.States() {
            @Override
            public AlertStatus get(final String series, final String rule) {
                final String key = series + SEPARATOR + rule;
                final byte[] bytes = store.get(key);
                read.put(key, bytes);
                return AlertStatus.decode(bytes);
            }

            @Override
            public void put(final String series, final String rule, final AlertStatus status) {
                final String key = series + SEPARATOR + rule;
                final byte[] before = read.containsKey(key) ? read.get(key) : store.get(key);
                final byte[] after = status.inactive() ? null : status.encode();
                if (Arrays.equals(before, after)) {
                    return;
                }
                if (after == null) {
                    store.delete(key);
                } else {
                    store.put(key, after);
                }
                read.put(key, after);
            }
        };
        final List<DriftAlert> raised = new ArrayList<>();
        for (final List<DivergenceEvent> family : families(window.events())) {
            raised.addAll(alerts.get(window.monitor()).evaluate(family, states));
        }
        final long timestamp = window.end() - 1;
        for (final DivergenceEvent event : window.events()) {
            context.forward(new Record<>(event.getSeriesId(), new Emitted.Event(event), timestamp));
            if (!event.getNoData()) {
                metrics.windowEmitted(window.monitor());
            }
        }
        for (final DriftAlert alert : raised) {
            context.forward(new Record<>(alert.getSeriesId(), new Emitted.Alert(alert), timestamp));
            metrics.alertRaised(window.monitor());
        }
    }
}
