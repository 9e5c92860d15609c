package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;

/** Outputs of the window and alert processors. */
public final class Emitted {

    private Emitted() {
    }

    /** A divergence event for one series and one closed window. */
    public record Event(DivergenceEvent event) implements Routed {
    }

    /**
     * The events of one monitor's window, closed together: the alert processor corrects their
     * p-values together before it forwards them one by one.
     *
     * @param monitor the monitor's name
     * @param end     the window's end (epoch ms)
     * @param events  the window's events, series in sorted order
     */
    public record Window(String monitor, long end, java.util.List<DivergenceEvent> events) implements Routed {
        public Window {
            events = java.util.List.copyOf(events);
        }
    }

    /** A drift alert event: an alert going FIRING or RESOLVED. */
    public record Alert(DriftAlert alert) implements Routed {
    }
}
