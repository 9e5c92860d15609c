package io.divergent.topology;

/**
 * What the processors forward: observations to count, events and alerts to emit, and dead
 * letters. The topology splits a stream of these into its sinks.
 */
public sealed interface Routed permits Observation, DeadLetter, Emitted.Window,
        Emitted.Event, Emitted.Alert {
}
