package io.divergent.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded waiting on a condition, for tests that must not sleep.
 *
 * <p>The bound only limits how long a broken test hangs; it is never what a test asserts.
 */
public final class Waits {

    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Waits() {
    }

    /**
     * Polls {@code condition} until it is true, parking briefly between polls.
     *
     * @param bound     the longest time to wait; must be positive
     * @param condition checked at least once, then again after each short park
     * @param describe  describes the awaited state for the failure message; called only on failure
     * @throws AssertionError         if the condition is still false when the bound has passed;
     *                                its message is {@code describe.get()} and the bound
     * @throws IllegalStateException  if the thread is interrupted while waiting
     */
    public static void waitUntil(final Duration bound, final BooleanSupplier condition,
                                 final Supplier<String> describe) {
        waitUntil(bound, Duration.ofNanos(PARK_NANOS), condition, describe);
    }

    /**
     * {@link #waitUntil(Duration, BooleanSupplier, Supplier)} polling every {@code every}: for
     * conditions that cost the broker or the test JVM real work (several admin requests, a
     * consumer that reads a backlog), which at the default 20 ms take CPU from the application
     * whose progress they wait for.
     *
     * @param every the park between polls; must be positive
     * @throws IllegalArgumentException if {@code bound} or {@code every} is not positive
     */
    public static void waitUntil(final Duration bound, final Duration every, final BooleanSupplier condition,
                                 final Supplier<String> describe) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(describe, "describe");
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive: " + every);
        }
        final long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("waited " + bound + " for: " + describe.get());
            }
            LockSupport.parkNanos(Math.min(every.toNanos(), Math.max(1, deadline - System.nanoTime())));
            if (Thread.interrupted()) {
                throw new IllegalStateException("interrupted while waiting for: " + describe.get());
            }
        }
    }
}
