package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;

/** Outputs of the window processor. */
public final class Emitted {

    private Emitted() {
    }

    /** A divergence event for one series and one closed window. */
    public record Event(DivergenceEvent event) implements Routed {
    }

    /** A drift alert: a threshold crossed in one closed window. */
    public record Alert(DriftAlert alert) implements Routed {
    }
}
