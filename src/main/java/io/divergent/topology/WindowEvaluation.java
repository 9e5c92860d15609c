package io.divergent.topology;

import io.divergent.alert.WindowAlerts;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.config.MonitorConfig;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;

import java.util.List;

/**
 * What the topology does when a window closes, without Kafka: the event of a series from its
 * window's histogram and a topic reference ({@link EventFactory}), and the alerts of a window's
 * events ({@link WindowAlerts}). For simulations that must compute exactly what the topology
 * computes, at a scale where feeding every record through a test driver is too slow (the alert
 * soak); a test keeps the two paths equal. Counting, the category cap and past-window baselines
 * are not part of it.
 */
public final class WindowEvaluation {

    private final EventFactory events;
    private final WindowAlerts alerts;

    public WindowEvaluation(final MonitorConfig monitor) {
        this.events = new EventFactory(monitor);
        this.alerts = new WindowAlerts(monitor);
    }

    /**
     * The event of one series in one closed window against a topic reference.
     *
     * @param observed           the window's counts (no category beyond the cap)
     * @param reference          the reference version's weights, or null when the series has none
     * @param referenceTimestamp that version's timestamp
     * @param kind               what the weights are
     */
    public DivergenceEvent event(final String series, final long start, final long end, final Histogram observed,
                                 final Histogram reference, final long referenceTimestamp, final BaselineKind kind) {
        return events.create(series, start, end, observed, (long) observed.total(), 0,
                reference == null ? null : EventFactory.Baseline.fromTopic(reference, referenceTimestamp, kind));
    }

    /** The alerts of one window's events, as {@link AlertProcessor} raises them; annotates the events in place. */
    public List<DriftAlert> alerts(final List<DivergenceEvent> windowEvents, final WindowAlerts.States states) {
        return alerts.evaluate(windowEvents, states);
    }
}
