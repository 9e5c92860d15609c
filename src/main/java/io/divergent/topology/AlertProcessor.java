package io.divergent.topology;

import io.divergent.alert.AlertStatus;
import io.divergent.alert.WindowAlerts;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.config.MonitorConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
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
 *
 * <p>The statuses that are not inactive are also kept on the heap, by series then rule, loaded
 * from the (restored) store at {@link #init}: a window reads a status per (series, rule), and
 * most are inactive, hence absent, so a store read per pair was a miss through the cache into
 * RocksDB. Kafka Streams re-initializes a task's processors after any restore or revival, so
 * the heap never outlives the store it mirrors. Writes go to both.
 */
final class AlertProcessor implements Processor<String, Routed, String, Routed> {

    private static final char SEPARATOR = '\u0000';

    private final Map<String, WindowAlerts> alerts = new HashMap<>();
    private final SeriesPartitioner placement;
    private final int partitions;
    /** Each monitor's alert status store, by monitor name. */
    private final Map<String, String> storeNames;
    private final Map<String, KeyValueStore<String, byte[]>> stores = new HashMap<>();
    /** Each monitor's statuses that are not inactive, by series, then rule: the store's content. */
    private final Map<String, Map<String, Map<String, AlertStatus>>> statuses = new HashMap<>();
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
            final KeyValueStore<String, byte[]> store = context.getStateStore(entry.getValue());
            stores.put(entry.getKey(), store);
            statuses.put(entry.getKey(), load(store, entry.getValue()));
        }
    }

    /** A store's statuses by series, then rule (the key's last NUL separates them: rule names hold none). */
    private static Map<String, Map<String, AlertStatus>> load(final KeyValueStore<String, byte[]> store,
                                                              final String storeName) {
        final Map<String, Map<String, AlertStatus>> loaded = new HashMap<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                final KeyValue<String, byte[]> entry = all.next();
                final int separator = entry.key.lastIndexOf(SEPARATOR);
                if (separator < 0) {
                    throw new IllegalStateException("alert status store '" + storeName + "' holds key '"
                            + entry.key.replace(SEPARATOR, ' ') + "' without a rule");
                }
                final AlertStatus status = AlertStatus.decode(entry.value);
                if (!status.inactive()) {
                    loaded.computeIfAbsent(entry.key.substring(0, separator), s -> new HashMap<>(4))
                            .put(entry.key.substring(separator + 1), status);
                }
            }
        }
        return loaded;
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
        final Map<String, Map<String, AlertStatus>> held = statuses.get(window.monitor());
        final WindowAlerts.States states = new WindowAlerts.States() {
            @Override
            public AlertStatus get(final String series, final String rule) {
                final Map<String, AlertStatus> ofSeries = held.get(series);
                final AlertStatus status = ofSeries == null ? null : ofSeries.get(rule);
                return status == null ? AlertStatus.INACTIVE : status;
            }

            @Override
            public void put(final String series, final String rule, final AlertStatus status) {
                // A status written back unchanged (most are quiet, hence absent) is not written
                // again, so it costs no changelog record.
                final Map<String, AlertStatus> ofSeries = held.get(series);
                final AlertStatus before = ofSeries == null ? null : ofSeries.get(rule);
                if (status.inactive()) {
                    if (before != null) {
                        ofSeries.remove(rule);
                        if (ofSeries.isEmpty()) {
                            held.remove(series);
                        }
                        store.delete(series + SEPARATOR + rule);
                    }
                } else if (!status.equals(before)) {
                    held.computeIfAbsent(series, s -> new HashMap<>(4)).put(rule, status);
                    store.put(series + SEPARATOR + rule, status.encode());
                }
            }
        };
        final List<DriftAlert> raised = new ArrayList<>();
        for (final List<DivergenceEvent> family : families(window.events())) {
            raised.addAll(alerts.get(window.monitor()).evaluate(family, states));
        }
        final long timestamp = window.end() - 1;
        int emitted = 0;
        for (final DivergenceEvent event : window.events()) {
            context.forward(new Record<>(event.getSeriesId(), new Emitted.Event(event), timestamp));
            if (!event.getNoData()) {
                emitted++;
            }
        }
        if (emitted > 0) {
            metrics.windowEmitted(window.monitor(), emitted);
        }
        for (final DriftAlert alert : raised) {
            context.forward(new Record<>(alert.getSeriesId(), new Emitted.Alert(alert), timestamp));
            metrics.alertRaised(window.monitor());
        }
    }
}
