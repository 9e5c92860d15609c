package io.divergent.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where a processor sends the records it does not count: counts each in the metric of its kind,
 * forwards it (cut to the size budget, see {@link DeadLetter#fit}) to the dead-letter branch
 * when there is a dead-letter topic ({@link #UNROUTED} otherwise),
 * and logs it without flooding the log: the first of each kind in full, then one summary line
 * per kind and minute ("and N more"), because a bad producer can send millions and every one of
 * them is in the metrics and on the dead-letter topic anyway.
 */
final class DeadLetters {

    /**
     * The budget that means no dead-letter topic: a dead letter is counted and logged, not fitted
     * nor forwarded, since nothing would write it (issue 16: a backlog read with no grace made
     * 84% of the records late, and fitting them was a third of the window thread).
     */
    static final int UNROUTED = 0;

    /** Minimum time between two log lines of one kind, wall-clock milliseconds. */
    static final long LOG_INTERVAL_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final ProcessorContext<String, Routed> context;
    private final DivergentMetrics metrics;
    private final int budget;
    private final Map<DeadLetter.Kind, long[]> logged = new EnumMap<>(DeadLetter.Kind.class);

    /**
     * @param context the processor's context, to forward to
     * @param metrics the processor's metrics
     * @param budget  bytes a dead letter may take ({@link DeadLetter#budget}), or {@link #UNROUTED}
     */
    DeadLetters(final ProcessorContext<String, Routed> context, final DivergentMetrics metrics, final int budget) {
        this.context = context;
        this.metrics = metrics;
        this.budget = budget;
    }

    /**
     * Sends one dead letter.
     *
     * @param dead      the dead letter
     * @param routeKey  key of the forwarded record (only routes it to the sink; the sink writes the dead letter's own key)
     * @param original  the source record's headers, carried along
     * @param extra     headers beyond the dead letter's own (may be empty)
     */
    void send(final DeadLetter dead, final String routeKey, final Headers original, final Headers extra) {
        metrics.skipped(dead.kind(), dead.monitor());
        log(dead);
        if (budget == UNROUTED) {
            return;
        }
        final DeadLetter.Fitted fitted = dead.fit(original, extra, budget);
        context.forward(new Record<>(routeKey, fitted.deadLetter(), dead.timestamp(), fitted.headers()));
    }

    /** As {@link #send(DeadLetter, String, Headers, Headers)} with no extra headers. */
    void send(final DeadLetter dead, final String routeKey, final Headers original) {
        send(dead, routeKey, original, new RecordHeaders());
    }

    private void log(final DeadLetter dead) {
        final long now = System.currentTimeMillis();
        // [0]: when the last line of this kind was logged, [1]: how many were not logged since.
        final long[] state = logged.computeIfAbsent(dead.kind(), k -> new long[] {Long.MIN_VALUE, 0});
        if (state[0] != Long.MIN_VALUE && now - state[0] < LOG_INTERVAL_MS) {
            state[1]++;
            return;
        }
        if (dead.kind() == DeadLetter.Kind.INTERNAL_ERROR) {
            LOG.error("Skipped {}{}", dead.describe(), more(state[1]));
        } else {
            LOG.warn("Skipped {}{}", dead.describe(), more(state[1]));
        }
        state[0] = now;
        state[1] = 0;
    }

    private static String more(final long suppressed) {
        return suppressed == 0 ? ""
                : " (and " + suppressed + " more of this kind in the last minute: see the metrics and the dead-letter topic)";
    }
}
