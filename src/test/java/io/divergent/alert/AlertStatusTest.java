package io.divergent.alert;

import io.divergent.config.Severity;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The alert status store's value: layout 2 written and read, layout 1 (before issue 16's eighteenth pass) still read. */
class AlertStatusTest {

    private static final long MINUTE = 60_000;
    private static final long T = 1_764_000_000_000L;

    @Property(tries = 500)
    void whatIsEncodedDecodesToAnEqualStatus(@ForAll("statuses") final AlertStatus status) {
        final byte[] bytes = status.encode();
        assertThat(AlertStatus.decode(bytes)).isEqualTo(status);
        assertThat(bytes.length).isLessThanOrEqualTo(1 + 1 + 3 * 5 + 3 * 10 + 8);
    }

    @Provide
    Arbitrary<AlertStatus> statuses() {
        final Arbitrary<Integer> count = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 200)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers()));
        final Arbitrary<Long> time = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(T - 100 * MINUTE, T + 100 * MINUTE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
        final Arbitrary<Double> statistic = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0.0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.doubles()),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, -0.0)));
        return Combinators.combine(Arbitraries.of(true, false), count, count, time, time, time, count,
                        Arbitraries.of(Severity.class))
                .as((firing, trues, falses, started, triggerStart, triggerEnd, since, severity) ->
                        new AlertStatus(firing, trues, falses, started, triggerStart, triggerEnd, since, severity, 0.0))
                .flatMap(s -> statistic.map(s::withStatistic));
    }

    @Test
    void aQuietChangeDetectorsStatusTakesFourteenBytes() {
        // Version, flags, three one-byte counts, startedAt 0 in one byte, the statistic's 8 bytes.
        final AlertStatus quiet = AlertStatus.INACTIVE.withStatistic(0.37);
        assertThat(quiet.encode()).hasSize(14);
        // A pending streak since an epoch-ms time: its zigzag varlong is 6 bytes.
        final AlertStatus pending = new AlertStatus(false, 1, 0, T, 0, 0, 0, Severity.WARNING, 0.37);
        assertThat(pending.encode()).hasSize(19);
        // Firing: the trigger window as differences, 3 bytes each for a minute.
        final AlertStatus firing = new AlertStatus(true, 3, 0, T, T + 2 * MINUTE, T + 3 * MINUTE, 1, Severity.CRITICAL, 4.2);
        assertThat(firing.encode()).hasSize(25);
        assertThat(AlertStatus.decode(firing.encode())).isEqualTo(firing);
    }

    @Test
    void layoutOneAsAVersionBeforeWroteItIsStillRead() {
        // Written by AlertStatus.encode of 2026-12-02's c4412ab: FIRING, streaks 3 and 0, started
        // 1,764,000,000,000, trigger [1,764,000,120,000, 1,764,000,180,000), 1 window since notified,
        // CRITICAL, statistic 4.25.
        final byte[] v1 = HexFormat.of().parseHex("01" + "01" + "00000003" + "00000000" + "0000019ab697e800"
                + "0000019ab699bcc0" + "0000019ab69aa720" + "00000001" + "01" + "4011000000000000");
        assertThat(AlertStatus.decode(v1)).isEqualTo(
                new AlertStatus(true, 3, 0, T, T + 2 * MINUTE, T + 3 * MINUTE, 1, Severity.CRITICAL, 4.25));
    }

    @Test
    void bytesOfNoLayoutAreRefusedSayingWhatTheyAre() {
        assertThatThrownBy(() -> AlertStatus.decode(new byte[]{3, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2 or 1")
                .hasMessageContaining("3 bytes, version byte 3");
        assertThatThrownBy(() -> AlertStatus.decode(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version byte none");
        assertThatThrownBy(() -> AlertStatus.decode(new byte[]{1, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3 bytes");
        final byte[] whole = AlertStatus.INACTIVE.withStatistic(1.5).encode();
        assertThatThrownBy(() -> AlertStatus.decode(java.util.Arrays.copyOf(whole, whole.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end inside its fields");
        assertThatThrownBy(() -> AlertStatus.decode(java.util.Arrays.copyOf(whole, whole.length + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 bytes after the fields");
    }

    @Test
    void nullIsInactive() {
        assertThat(AlertStatus.decode(null)).isSameAs(AlertStatus.INACTIVE);
    }
}
