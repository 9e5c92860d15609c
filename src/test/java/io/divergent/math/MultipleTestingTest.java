package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * {@link MultipleTesting#adjust}: hand-computed examples, and scipy's values.
 *
 * <p>The scipy values were computed with scipy 1.17.1 (numpy 2.4.6, Python 3) by
 * {@code scipy.stats.false_discovery_control(ps, method='bh')} and printed with {@code repr}; they
 * are written here unchanged. {@link MultipleTesting} does the same arithmetic as scipy
 * ({@code p * (m / j)}, then the running minimum from the largest rank down), so they are expected
 * to the last bit; the tolerance is one unit of 1e-16 to allow for nothing else.
 */
class MultipleTestingTest {

    private static final double EXACT = 1e-16;

    @Test
    void benjaminiHochbergByHand() {
        // m = 4; sorted: 0.02 (rank 1), 0.03 (rank 2), 0.04 (rank 3), 0.9 (rank 4)
        // p (m / j): 0.02 * 4/1 = 0.08, 0.03 * 4/2 = 0.06, 0.04 * 4/3 = 0.0533.., 0.9 * 4/4 = 0.9
        // running minimum from rank 4 down: 0.9; min(0.9, 0.0533) = 0.0533; min(0.0533, 0.06) = 0.0533;
        // min(0.0533, 0.08) = 0.0533: the step-up makes ranks 1-3 share rank 3's value.
        // Back in input order [0.03, 0.02, 0.04, 0.9]:
        final double[] adjusted = MultipleTesting.adjust(new double[] {0.03, 0.02, 0.04, 0.9},
                Correction.BENJAMINI_HOCHBERG);
        assertThat(adjusted).containsExactly(new double[] {0.16 / 3, 0.16 / 3, 0.16 / 3, 0.9}, within(1e-15));
    }

    @Test
    void bonferroniByHand() {
        // m = 4: 4 * [0.03, 0.02, 0.04, 0.9] = [0.12, 0.08, 0.16, 3.6 -> capped at 1]
        final double[] adjusted = MultipleTesting.adjust(new double[] {0.03, 0.02, 0.04, 0.9}, Correction.BONFERRONI);
        assertThat(adjusted).containsExactly(new double[] {0.12, 0.08, 0.16, 1.0}, within(1e-15));
    }

    @Test
    void noneIsACopy() {
        final double[] raw = {0.03, 0.02, 0.04, 0.9};
        final double[] adjusted = MultipleTesting.adjust(raw, Correction.NONE);
        assertThat(adjusted).containsExactly(raw).isNotSameAs(raw);
    }

    @Test
    void scipyDocumentationExample() {
        // The 15 p-values of scipy's documentation example (Benjamini and Hochberg 1995, table).
        final double[] raw = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
            0.4262, 0.5719, 0.6528, 0.7590, 1.000};
        final double[] scipy = {0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286,
            0.06385714285714286, 0.0645, 0.07650000000000001, 0.486, 0.5811818181818181, 0.7148749999999999,
            0.7532307692307693, 0.8132142857142857, 1.0};
        assertThat(MultipleTesting.adjust(raw, Correction.BENJAMINI_HOCHBERG)).containsExactly(scipy, within(EXACT));
    }

    @Test
    void scipyUnsortedInputKeepsItsOrder() {
        final double[] raw = {0.9, 0.001, 0.2, 0.04, 0.04, 0.7, 0.0123, 1.0};
        final double[] scipy = {1.0, 0.008, 0.32000000000000006, 0.08, 0.08, 0.9333333333333332, 0.0492, 1.0};
        assertThat(MultipleTesting.adjust(raw, Correction.BENJAMINI_HOCHBERG)).containsExactly(scipy, within(EXACT));
    }

    @Test
    void scipyTiesShareOneValue() {
        // Three tied 0.02 at ranks 1-3 of m = 5: all take rank 3's 0.02 * 5/3.
        final double[] raw = {0.02, 0.02, 0.5, 0.02, 0.9};
        final double[] scipy = {0.03333333333333333, 0.03333333333333333, 0.625, 0.03333333333333333, 0.9};
        assertThat(MultipleTesting.adjust(raw, Correction.BENJAMINI_HOCHBERG)).containsExactly(scipy, within(EXACT));
    }

    @Test
    void scipyHandExample() {
        // By hand: sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04 (no step-up change);
        // scipy's 0.03 * (4 / 3) rounds to 0.039999999999999994.
        final double[] raw = {0.01, 0.04, 0.03, 0.005};
        final double[] scipy = {0.02, 0.04, 0.039999999999999994, 0.02};
        assertThat(MultipleTesting.adjust(raw, Correction.BENJAMINI_HOCHBERG)).containsExactly(scipy, within(EXACT));
    }

    @Test
    void edgeCases() {
        for (final Correction c : Correction.values()) {
            assertThat(MultipleTesting.adjust(new double[0], c)).as(c.name()).isEmpty();
            // scipy: false_discovery_control([0.3]) == [0.3]; one test needs no correction.
            assertThat(MultipleTesting.adjust(new double[] {0.3}, c)).as(c.name()).containsExactly(0.3);
            // scipy: [1, 1, 1] -> [1, 1, 1]
            assertThat(MultipleTesting.adjust(new double[] {1, 1, 1}, c)).as(c.name()).containsExactly(1, 1, 1);
        }
        // scipy: [0, 0, 0.5] -> [0, 0, 0.5]
        assertThat(MultipleTesting.adjust(new double[] {0, 0, 0.5}, Correction.BENJAMINI_HOCHBERG))
                .containsExactly(0, 0, 0.5);
    }

    @Test
    void theInputIsNotModified() {
        final double[] raw = {0.9, 0.001, 0.2};
        MultipleTesting.adjust(raw, Correction.BENJAMINI_HOCHBERG);
        assertThat(raw).containsExactly(0.9, 0.001, 0.2);
    }

    @Test
    void invalidPValuesAreRejected() {
        for (final double bad : new double[] {Double.NaN, -0.01, 1.01, Double.POSITIVE_INFINITY}) {
            for (final Correction c : Correction.values()) {
                assertThatThrownBy(() -> MultipleTesting.adjust(new double[] {0.1, bad}, c))
                        .as(c + " " + bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p-value 1");
            }
        }
        assertThatThrownBy(() -> MultipleTesting.adjust(null, Correction.NONE)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> MultipleTesting.adjust(new double[0], null)).isInstanceOf(NullPointerException.class);
    }
}
