package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;

/** Properties of {@link MultipleTesting#adjust} over random families of p-values. */
class MultipleTestingPropertiesTest {

    /** 1 to 60 p-values, with 0, 1 and ties among them (drawn from a small set of values half of the time). */
    @Provide
    Arbitrary<double[]> families() {
        final Arbitrary<Double> p = Arbitraries.oneOf(
                Arbitraries.doubles().between(0, 1),
                Arbitraries.of(0.0, 1e-300, 0.001, 0.01, 0.05, 0.5, 1.0),
                Arbitraries.doubles().between(-12, 0).map(e -> Math.pow(10, e)));
        return p.list().ofMinSize(1).ofMaxSize(60)
                .map(list -> list.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Property(tries = 300)
    void adjustedIsInRangeAndAtLeastTheRaw(@ForAll("families") final double[] raw) {
        for (final Correction c : Correction.values()) {
            final double[] adjusted = MultipleTesting.adjust(raw, c);
            assertThat(adjusted).hasSameSizeAs(raw);
            for (int i = 0; i < raw.length; i++) {
                assertThat(adjusted[i]).as("%s %d", c, i).isBetween(raw[i], 1.0);
            }
        }
    }

    @Property(tries = 300)
    void monotoneInTheRawPValue(@ForAll("families") final double[] raw) {
        for (final Correction c : Correction.values()) {
            final double[] adjusted = MultipleTesting.adjust(raw, c);
            for (int i = 0; i < raw.length; i++) {
                for (int j = 0; j < raw.length; j++) {
                    if (raw[i] <= raw[j]) {
                        assertThat(adjusted[i]).as("%s %d <= %d", c, i, j).isLessThanOrEqualTo(adjusted[j]);
                    }
                }
            }
        }
    }

    @Property(tries = 300)
    void benjaminiHochbergIsBetweenNoneAndBonferroni(@ForAll("families") final double[] raw) {
        final double[] bh = MultipleTesting.adjust(raw, Correction.BENJAMINI_HOCHBERG);
        final double[] bonferroni = MultipleTesting.adjust(raw, Correction.BONFERRONI);
        for (int i = 0; i < raw.length; i++) {
            assertThat(bh[i]).as("%d", i).isBetween(raw[i], bonferroni[i]);
        }
    }

    @Property(tries = 300)
    void permutingTheInputPermutesTheOutput(@ForAll("families") final double[] raw, @ForAll final long seed) {
        final List<Integer> order = new java.util.ArrayList<>(IntStream.range(0, raw.length).boxed().toList());
        Collections.shuffle(order, new java.util.Random(seed));
        final double[] permuted = order.stream().mapToDouble(i -> raw[i]).toArray();
        for (final Correction c : Correction.values()) {
            final double[] adjusted = MultipleTesting.adjust(raw, c);
            final double[] adjustedPermuted = MultipleTesting.adjust(permuted, c);
            for (int i = 0; i < raw.length; i++) {
                assertThat(adjustedPermuted[i]).as("%s %d", c, i).isEqualTo(adjusted[order.get(i)]);
            }
        }
    }

    /**
     * The adjusted values reject exactly what the Benjamini-Hochberg step-up procedure rejects at
     * level q: with {@code k} the largest rank j where {@code p_(j) (m / j) <= q}, the ranks 1..k.
     */
    @Property(tries = 300)
    void rejectionsAreTheStepUpProcedure(@ForAll("families") final double[] raw,
                                         @ForAll @DoubleRange(min = 0.0, max = 0.5) final double q) {
        final int m = raw.length;
        final double[] sorted = raw.clone();
        Arrays.sort(sorted);
        int k = 0;
        for (int j = 1; j <= m; j++) {
            if (sorted[j - 1] * ((double) m / j) <= q) {
                k = j;
            }
        }
        final double threshold = k == 0 ? Double.NEGATIVE_INFINITY : sorted[k - 1];
        final double[] adjusted = MultipleTesting.adjust(raw, Correction.BENJAMINI_HOCHBERG);
        for (int i = 0; i < m; i++) {
            assertThat(adjusted[i] <= q).as("p=%s, k=%d, q=%s", raw[i], k, q).isEqualTo(raw[i] <= threshold);
        }
    }
}
