package io.divergent.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class WaitsTest {

    @Test
    void returnsOnceTheConditionHolds() {
        final AtomicInteger polls = new AtomicInteger();

        Waits.waitUntil(Duration.ofSeconds(30), () -> polls.incrementAndGet() >= 3, () -> "three polls");

        assertThat(polls).hasValue(3);
    }

    @Test
    void failsWithTheDescriptionWhenTheBoundPasses() {
        assertThatThrownBy(() -> Waits.waitUntil(Duration.ofMillis(50), () -> false, () -> "a record on 'plays'"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("a record on 'plays'");
    }

    @Test
    void rejectsANonPositiveBound() {
        assertThatThrownBy(() -> Waits.waitUntil(Duration.ZERO, () -> true, () -> "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pollsAtItsOwnIntervalUntilTheConditionHolds() {
        final AtomicInteger polls = new AtomicInteger();

        Waits.waitUntil(Duration.ofSeconds(30), Duration.ofMillis(1), () -> polls.incrementAndGet() >= 3, () -> "three polls");

        assertThat(polls).hasValue(3);
    }

    @Test
    void rejectsANonPositivePollInterval() {
        assertThatThrownBy(() -> Waits.waitUntil(Duration.ofSeconds(1), Duration.ZERO, () -> true, () -> "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
