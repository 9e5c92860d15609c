package io.divergent.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    private static final long S = 1_000_000_000L;

    @Test
    void doublesUpToTheMaximumAndStartsAgainAfterAQuietPeriod() {
        final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMinutes(1));
        assertThat(backoff.next(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.next(S)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.next(2 * S)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.next(3 * S)).as("capped").isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.next(3 * S + 61 * S)).as("61 s after the previous failure").isEqualTo(Duration.ofMillis(500));
    }
}
