package io.divergent.serde;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one timestamp format and the strict JSON reader: the inputs that used to wrap around or slip through. */
class TimestampsAndStrictJsonTest {

    @Test
    void acceptsEpochMillisAndIsoInstants() {
        assertThat(Timestamps.epochMillis(1_000)).isEqualTo(1_000L);
        assertThat(Timestamps.epochMillis(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(Timestamps.epochMillis(BigInteger.valueOf(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThat(Timestamps.epochMillis(new BigDecimal("2000.000"))).isEqualTo(2_000L);
        assertThat(Timestamps.epochMillis("1970-01-01T00:00:02Z")).isEqualTo(2_000L);
        assertThat(Timestamps.epochMillis("1970-01-01T01:00:02+01:00")).isEqualTo(2_000L);
        assertThat(Timestamps.epochMillis(Instant.ofEpochMilli(5))).isEqualTo(5L);
    }

    @Test
    void anIntegerBeyondALongIsRefusedNotWrapped() {
        // 18446744073709556616 = 2^64 + 5000: BigInteger.longValue() gives 5000, window [0, 10 s).
        assertThatThrownBy(() -> Timestamps.epochMillis(new BigInteger("18446744073709556616")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond the range");
        assertThatThrownBy(() -> Timestamps.epochMillis(BigInteger.ONE.shiftLeft(63)))
                .hasMessageContaining("beyond the range");
        assertThatThrownBy(() -> Timestamps.epochMillis(new BigInteger("9".repeat(1_000))))
                .hasMessageContaining("1000 characters");
    }

    @Test
    void otherBadTimestampsAreRefusedWithWhatWasFound() {
        assertThatThrownBy(() -> Timestamps.epochMillis(null)).hasMessage("is missing or null");
        assertThatThrownBy(() -> Timestamps.epochMillis(-5)).hasMessage("is negative (-5)");
        assertThatThrownBy(() -> Timestamps.epochMillis(1.5)).hasMessageContaining("a fraction (1.5)");
        assertThatThrownBy(() -> Timestamps.epochMillis(new BigDecimal("1.5"))).hasMessageContaining("whole number");
        assertThatThrownBy(() -> Timestamps.epochMillis("yesterday")).hasMessage("is 'yesterday': " + Timestamps.EXPECTED);
        assertThatThrownBy(() -> Timestamps.epochMillis(Map.of())).hasMessageContaining("a record/object");
        assertThatThrownBy(() -> Timestamps.epochMillis(List.of())).hasMessageContaining("an array");
        // Parses as an Instant, but toEpochMilli() would throw ArithmeticException.
        assertThatThrownBy(() -> Timestamps.epochMillis("+1000000000-01-01T00:00:00Z")).hasMessageContaining("beyond the range");
        assertThatThrownBy(() -> Timestamps.epochMillis(Instant.MAX)).hasMessageContaining("beyond the range");
    }

    @Test
    void trailingContentAfterAJsonValueIsRefused() {
        assertThatThrownBy(() -> StrictJson.readValue(utf8("{\"genre\":\"drama\"} trailing garbage")))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(StrictJson.describe((IOException) e)).contains("'trailing'").contains("line 1"));
        assertThatThrownBy(() -> StrictJson.readTree("{\"a\":1}{\"a\":2}")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> StrictJson.readTree(utf8("[1] x"))).isInstanceOf(IOException.class);
    }

    @Test
    void valuesBeyondTheReadLimitsAreRefusedWithAReasonAndNoLocation() {
        final byte[] deep = utf8("[".repeat(1_001) + "]".repeat(1_001));
        assertThatThrownBy(() -> StrictJson.readValue(deep)).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(StrictJson.describe((IOException) e)).contains("nesting depth"));
        final byte[] longNumber = utf8("{\"genre\":\"drama\",\"n\":" + "1".repeat(1_001) + "}");
        assertThatThrownBy(() -> StrictJson.readValue(longNumber)).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(StrictJson.describe((IOException) e)).contains("Number value length"));
    }

    @Test
    void oneValueWithSurroundingWhitespaceIsRead() throws IOException {
        assertThat(StrictJson.readValue(utf8(" {\"genre\":\"drama\"}\n"))).isEqualTo(Map.of("genre", "drama"));
    }

    private static byte[] utf8(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
