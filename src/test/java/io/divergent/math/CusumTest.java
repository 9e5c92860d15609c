package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** {@link Cusum}: hand-computed steps, the score against scipy, validation. */
class CusumTest {

    @Test
    void stepsByHand() {
        // k = 0.5, h = 3, cap = 4; every value a multiple of 0.5, so exact in binary.
        final Cusum cusum = new Cusum(0.5, 3.0, 4.0);
        final double[] z = {1.5, 2.0, -0.5, 1.0, 3.0, -2.0, -3.0, 3.5};
        final double[] expected = {
            1.0, // max(0, 0   + 1.5 - 0.5) = 1.0
            2.5, // 1.0 + 2.0 - 0.5 = 2.5
            1.5, // 2.5 - 0.5 - 0.5 = 1.5
            2.0, // 1.5 + 1.0 - 0.5 = 2.0
            4.0, // 2.0 + 3.0 - 0.5 = 4.5, capped at 4.0: alarm (>= 3)
            1.5, // 4.0 - 2.0 - 0.5 = 1.5: no alarm
            0.0, // 1.5 - 3.0 - 0.5 = -2.0, floored at 0
            3.0, // 0.0 + 3.5 - 0.5 = 3.0: exactly h, alarm
        };
        final boolean[] alarms = {false, false, false, false, true, false, false, true};
        double s = 0;
        for (int t = 0; t < z.length; t++) {
            s = cusum.step(s, z[t]);
            assertThat(s).as("S_%d", t + 1).isEqualTo(expected[t]);
            assertThat(cusum.alarm(s)).as("alarm at S_%d", t + 1).isEqualTo(alarms[t]);
        }
    }

    @Test
    void stateAboveTheCapIsBroughtDown() {
        assertThat(new Cusum(0.5, 3.0, 4.0).step(10.0, 0.5)).isEqualTo(4.0);
    }

    @Test
    void scoreMatchesScipy() {
        // scipy 1.17.1: scipy.stats.norm.isf(p), printed with repr.
        assertThat(Cusum.score(0.5)).isEqualTo(0.0);
        assertThat(Cusum.score(0.3)).isCloseTo(0.5244005127080409, within(1e-15));
        assertThat(Cusum.score(0.05)).isCloseTo(1.6448536269514729, within(1e-15));
        assertThat(Cusum.score(0.025)).isCloseTo(1.9599639845400545, within(1e-15));
        assertThat(Cusum.score(0.975)).isCloseTo(-1.959963984540054, within(1e-15));
        // Small p without forming 1 - p (which would round to 1 and give +Infinity).
        assertThat(Cusum.score(1e-15)).isCloseTo(7.941345326170998, within(1e-13));
    }

    @Test
    void scoreIsClamped() {
        assertThat(Cusum.score(0.0)).isEqualTo(Cusum.Z_MAX);
        assertThat(Cusum.score(1.0)).isEqualTo(-Cusum.Z_MAX);
        // isf(1e-20) = 9.262340089798409 > Z_MAX
        assertThat(Cusum.score(1e-20)).isEqualTo(Cusum.Z_MAX);
        assertThat(Cusum.score(1 - 1e-16)).isEqualTo(-Cusum.Z_MAX);
    }

    @Test
    void oneExtremeWindowAloneAlarmsTheDefaults() {
        // Documented: Z_MAX - k > h, so a window with p <= 6e-16 alarms from S = 0.
        assertThat(Cusum.DEFAULTS.alarm(Cusum.DEFAULTS.step(0, Cusum.score(0.0)))).isTrue();
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> new Cusum(-0.1, 5, 6)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k");
        assertThatThrownBy(() -> new Cusum(Double.NaN, 5, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Cusum(0.5, 0, 6)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("h");
        assertThatThrownBy(() -> new Cusum(0.5, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Cusum(0.5, 5, 4.9)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap");
        assertThatThrownBy(() -> new Cusum(0.5, 5, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        final Cusum cusum = new Cusum(0, 5, 5);
        assertThat(cusum.step(0, 1)).isEqualTo(1.0);
        assertThatThrownBy(() -> cusum.step(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cusum.step(0, Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        for (final double bad : new double[] {Double.NaN, -1e-9, 1.5}) {
            assertThatThrownBy(() -> Cusum.score(bad)).as("%s", bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
