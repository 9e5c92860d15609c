package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.AlertState;
import io.divergent.avro.DriftAlert;
import io.divergent.config.MonitorConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.Map;

/**
 * Keeps the recent events of each series and its firing alerts (the latest alert event of each
 * rule, until it resolves) in
 * {@link DivergentTopology#RECENT_EVENTS_STORE} (layout: {@link RecentEvents}), for the live
 * view's interactive queries. A leaf: it forwards nothing. It runs in the window task, so a
 * series' history lives on the partition of its series id.
 */
final class RecentEventsProcessor implements Processor<String, Routed, Void, Void> {

    private final Map<String, MonitorConfig> monitors;
    private final int capacity;
    private final Serializer<DivergenceEvent> events;
    private final Serializer<DriftAlert> alerts;
    private final String eventsTopic;
    private final String alertsTopic;
    private KeyValueStore<String, byte[]> store;

    /**
     * @param monitors by name: each monitor's window advance sizes the slots
     * @param capacity events kept per series, >= 1
     * @param events   serializer of the stored events (registry wire format)
     * @param alerts   serializer of the stored alerts
     * @param eventsTopic the topic whose subject the event serializer uses (the output topic: already registered)
     * @param alertsTopic the topic whose subject the alert serializer uses (the alerts topic)
     */
    RecentEventsProcessor(final Map<String, MonitorConfig> monitors, final int capacity,
                          final Serializer<DivergenceEvent> events, final Serializer<DriftAlert> alerts,
                          final String eventsTopic, final String alertsTopic) {
        this.monitors = monitors;
        this.capacity = capacity;
        this.events = events;
        this.alerts = alerts;
        this.eventsTopic = eventsTopic;
        this.alertsTopic = alertsTopic;
    }

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        store = context.getStateStore(DivergentTopology.RECENT_EVENTS_STORE);
    }

    @Override
    public void process(final Record<String, Routed> record) {
        if (record.value() instanceof Emitted.Event e) {
            final DivergenceEvent event = e.event();
            final MonitorConfig monitor = monitors.get(event.getMonitor());
            final byte[] bytes = events.serialize(eventsTopic, event);
            store.put(RecentEvents.eventKey(event.getSeriesId(), event.getWindowStart().toEpochMilli(),
                    monitor.windowAdvance().toMillis(), capacity), bytes);
            store.put(RecentEvents.latestKey(event.getSeriesId()), bytes);
        } else if (record.value() instanceof Emitted.Alert a) {
            final DriftAlert alert = a.alert();
            final String key = RecentEvents.alertKey(alert.getSeriesId(), alert.getKind().name(), alert.getMeasure());
            final byte[] serialized = alerts.serialize(alertsTopic, alert);
            final String historyKey = RecentEvents.alertHistoryKey(alert.getSeriesId());
            store.put(historyKey, RecentEvents.appendAlert(store.get(historyKey), serialized));
            if (alert.getState() == AlertState.RESOLVED) {
                store.delete(key);
            } else {
                store.put(key, serialized);
            }
        }
    }
}
