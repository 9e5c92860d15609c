package io.divergent.topology;

import java.time.Duration;

/**
 * Exponential backoff for a failure that repeats: the first pause is {@code initial}, each
 * further one doubles up to {@code max}; a failure more than {@code quiet} after the previous
 * one starts again from {@code initial}. Thread-safe.
 */
final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private final long quietNanos;
    private long lastFailure;
    private long current;

    Backoff(final Duration initial, final Duration max, final Duration quiet) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.quietNanos = quiet.toNanos();
    }

    /** Records a failure now and returns how long to pause before the next attempt. */
    synchronized Duration next() {
        return next(System.nanoTime());
    }

    /** {@link #next()} at a given {@link System#nanoTime()}, for tests. */
    synchronized Duration next(final long now) {
        current = current == 0 || now - lastFailure > quietNanos ? initialNanos : Math.min(maxNanos, current * 2);
        lastFailure = now;
        return Duration.ofNanos(current);
    }
}
