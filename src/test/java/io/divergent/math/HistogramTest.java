package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HistogramTest {

    @Test
    void ofSortsCategoriesWhateverTheMapOrder() {
        final Map<String, Number> weights = new LinkedHashMap<>();
        weights.put("drama", 20);
        weights.put("action", 40L);
        weights.put("horror", 10.0);
        weights.put("comedy", new BigDecimal("30"));
        final Histogram h = Histogram.of(weights);

        assertThat(h.size()).isEqualTo(4);
        assertThat(List.of(h.category(0), h.category(1), h.category(2), h.category(3)))
                .containsExactly("action", "comedy", "drama", "horror");
        assertThat(new double[] {h.weight(0), h.weight(1), h.weight(2), h.weight(3)})
                .containsExactly(40, 30, 20, 10);
        assertThat(h.total()).isEqualTo(100.0);
        assertThat(h.toMap()).containsExactly(
                Map.entry("action", 40.0), Map.entry("comedy", 30.0),
                Map.entry("drama", 20.0), Map.entry("horror", 10.0));
    }

    @Test
    void sortOrderIsStringCompareToNotLocale() {
        final Histogram h = Histogram.of(Map.of("b", 1, "B", 1, "a", 1, "10", 1, "9", 1));
        assertThat(h.toMap().keySet()).containsExactly("10", "9", "B", "a", "b");
    }

    @Test
    void zeroWeightCategoriesAreKept() {
        final Histogram h = Histogram.of(Map.of("a", 0, "b", 2));
        assertThat(h.size()).isEqualTo(2);
        assertThat(h.weightOf("a")).isZero();
        assertThat(h.total()).isEqualTo(2.0);
    }

    @Test
    void negativeZeroIsStoredAsZero() {
        final Histogram h = Histogram.ofSorted(new String[] {"a"}, new double[] {-0.0});
        assertThat(Double.doubleToRawLongBits(h.weight(0))).isZero();
        assertThat(h).isEqualTo(Histogram.of(Map.of("a", 0.0)));
    }

    @Test
    void weightOfAbsentCategoryIsZero() {
        final Histogram h = Histogram.of(Map.of("a", 1, "c", 3));
        assertThat(h.weightOf("c")).isEqualTo(3.0);
        assertThat(h.weightOf("b")).isZero();
        assertThat(h.weightOf("")).isZero();
        assertThat(Histogram.empty().weightOf("a")).isZero();
    }

    @Test
    void builderSumsRepeatedCategories() {
        final Histogram h = Histogram.builder().add("b", 1).add("a", 2).add("b", 3.5).add("c", 0).build();
        assertThat(h.toMap()).containsExactly(Map.entry("a", 2.0), Map.entry("b", 4.5), Map.entry("c", 0.0));
        assertThat(Histogram.builder().build()).isEqualTo(Histogram.empty());
    }

    @Test
    void emptyHistogram() {
        final Histogram empty = Histogram.empty();
        assertThat(empty.size()).isZero();
        assertThat(empty.total()).isZero();
        assertThat(empty.toMap()).isEmpty();
        assertThat(Histogram.of(Map.of())).isEqualTo(empty);
        assertThat(empty).hasToString("Histogram{}");
    }

    @Test
    void plusMergesCategoryWise() {
        final Histogram a = Histogram.of(Map.of("a", 1, "c", 3, "e", 5));
        final Histogram b = Histogram.of(Map.of("b", 2, "c", 30, "f", 6));
        final Histogram sum = a.plus(b);
        assertThat(sum.toMap()).containsExactly(Map.entry("a", 1.0), Map.entry("b", 2.0), Map.entry("c", 33.0),
                Map.entry("e", 5.0), Map.entry("f", 6.0));
        assertThat(sum.total()).isEqualTo(47.0);
        assertThat(sum).isEqualTo(b.plus(a));
        assertThat(a.plus(Histogram.empty())).isSameAs(a);
        assertThat(Histogram.empty().plus(b)).isSameAs(b);
    }

    @Test
    void equalsAndHashCodeByContent() {
        final Map<String, Integer> map = new HashMap<>(Map.of("x", 1, "y", 2));
        final Histogram a = Histogram.of(map);
        final Histogram b = Histogram.ofSorted(new String[] {"x", "y"}, new double[] {1, 2});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Histogram.of(Map.of("x", 1, "y", 3)));
        assertThat(a).isNotEqualTo(Histogram.of(Map.of("x", 1, "z", 2)));
        assertThat(a).isNotEqualTo("x=1, y=2");
    }

    @Test
    void toStringShowsWeightsAndSummarisesLongHistograms() {
        assertThat(Histogram.of(Map.of("a", 1, "b", 2.5))).hasToString("Histogram{a=1.0, b=2.5}");
        final Histogram.Builder builder = Histogram.builder();
        for (int i = 0; i < 25; i++) {
            builder.add(String.format("c%02d", i), i);
        }
        assertThat(builder.build().toString()).startsWith("Histogram{c00=0.0, c01=1.0").endsWith(", ... (25 categories)}");
    }

    @Test
    void toMapIsUnmodifiable() {
        final Map<String, Double> map = Histogram.of(Map.of("a", 1)).toMap();
        assertThatThrownBy(() -> map.put("b", 2.0)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void negativeWeightIsRejectedNamingTheCategory() {
        assertThatThrownBy(() -> Histogram.of(Map.of("action", 40, "drama", -2)))
                .isInstanceOf(InvalidHistogramException.class)
                .hasMessage("weight of 'drama' is negative (-2)")
                .extracting(e -> ((InvalidHistogramException) e).category()).isEqualTo("drama");
        assertThatThrownBy(() -> Histogram.builder().add("x", -0.5))
                .isInstanceOf(InvalidHistogramException.class)
                .hasMessage("weight of 'x' is negative (-0.5)");
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void nonFiniteWeightIsRejectedNamingTheCategory(final double weight) {
        for (final Runnable build : List.<Runnable>of(
                () -> Histogram.of(Map.of("ok", 1.0, "bad", weight)),
                () -> Histogram.ofSorted(new String[] {"bad", "ok"}, new double[] {weight, 1}),
                () -> Histogram.builder().add("bad", weight))) {
            assertThatThrownBy(build::run)
                    .isInstanceOf(InvalidHistogramException.class)
                    .hasMessageStartingWith("weight of 'bad' is ")
                    .satisfies(e -> assertThat(((InvalidHistogramException) e).category()).isEqualTo("bad"));
        }
    }

    @Test
    void nullOrEmptyCategoryIsRejected() {
        final Map<String, Integer> withNull = new HashMap<>();
        withNull.put(null, 1);
        assertThatThrownBy(() -> Histogram.of(withNull))
                .isInstanceOf(InvalidHistogramException.class).hasMessage("category name is null");
        assertThatThrownBy(() -> Histogram.of(Map.of("", 1)))
                .isInstanceOf(InvalidHistogramException.class).hasMessage("category name is empty")
                .satisfies(e -> assertThat(((InvalidHistogramException) e).category()).isEmpty());
        assertThatThrownBy(() -> Histogram.builder().add(null, 1))
                .isInstanceOf(InvalidHistogramException.class);
    }

    @Test
    void nullWeightIsRejected() {
        final Map<String, Integer> withNull = new TreeMap<>();
        withNull.put("a", null);
        assertThatThrownBy(() -> Histogram.of(withNull))
                .isInstanceOf(InvalidHistogramException.class).hasMessage("weight of 'a' is missing (null)");
    }

    @Test
    void ofSortedChecksOrderUniquenessAndLength() {
        assertThatThrownBy(() -> Histogram.ofSorted(new String[] {"b", "a"}, new double[] {1, 1}))
                .isInstanceOf(InvalidHistogramException.class)
                .hasMessageContaining("'a' is out of order (after 'b')");
        assertThatThrownBy(() -> Histogram.ofSorted(new String[] {"a", "a"}, new double[] {1, 1}))
                .isInstanceOf(InvalidHistogramException.class)
                .hasMessage("category 'a' appears twice");
        assertThatThrownBy(() -> Histogram.ofSorted(new String[] {"a"}, new double[] {1, 2}))
                .isNotInstanceOf(InvalidHistogramException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("differ in length");
        assertThatThrownBy(() -> Histogram.ofSorted(null, new double[0])).isInstanceOf(NullPointerException.class);
    }

    @Test
    void overflowingTotalIsRejected() {
        assertThatThrownBy(() -> Histogram.of(Map.of("a", Double.MAX_VALUE, "b", Double.MAX_VALUE)))
                .isInstanceOf(InvalidHistogramException.class)
                .hasMessage("total weight overflows at 'b': weights must sum to a finite number");
        assertThatThrownBy(() -> Histogram.builder().add("a", Double.MAX_VALUE).add("a", Double.MAX_VALUE))
                .isInstanceOf(InvalidHistogramException.class).hasMessage("weight of 'a' overflows");
        final Histogram big = Histogram.of(Map.of("a", Double.MAX_VALUE));
        assertThatThrownBy(() -> big.plus(big)).isInstanceOf(InvalidHistogramException.class);
    }

    @Test
    void totalIsCompensated() {
        // 1 + 1e-16 * 10: a naive sum keeps 1.0, the compensated one the tail.
        final Histogram.Builder builder = Histogram.builder().add("a", 1.0);
        for (int i = 0; i < 10; i++) {
            builder.add("b" + i, 1e-16);
        }
        assertThat(builder.build().total()).isEqualTo(1.000000000000001);
    }

    /**
     * of(weights, like) is of(weights) in every case: the same categories in another map order,
     * another set of the same size, fewer or more categories, no hint, and each invalid input
     * (null, negative, NaN, infinite weight; an overflowing total) with the same message.
     */
    @Test
    void ofWithAHistogramOfTheSameCategoriesIsOfWithoutIt() {
        final java.util.Random random = new Random(1024);
        final Map<String, Double> base = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            base.put("category-" + Integer.toHexString(random.nextInt()), (double) random.nextInt(50));
        }
        final Histogram like = Histogram.of(base);
        final List<Map<String, Double>> cases = new ArrayList<>();
        final Map<String, Double> shuffled = new HashMap<>();
        base.forEach((c, w) -> shuffled.put(c, w + random.nextInt(3)));
        cases.add(shuffled);                                       // same set, other weights, hash order
        final Map<String, Double> renamed = new HashMap<>(shuffled);
        renamed.remove(base.keySet().iterator().next());
        renamed.put("zz-new", 4.0);                                // same size, one category other
        cases.add(renamed);
        final Map<String, Double> fewer = new HashMap<>(shuffled);
        fewer.remove("zz-new");
        fewer.remove(base.keySet().iterator().next());
        cases.add(fewer);                                          // one category fewer
        final Map<String, Double> more = new HashMap<>(shuffled);
        more.put("aa-new", 1.0);
        cases.add(more);                                           // one more
        for (final Map<String, Double> weights : cases) {
            assertThat(Histogram.of(weights, like)).isEqualTo(Histogram.of(weights));
            assertThat(Histogram.of(weights, null)).isEqualTo(Histogram.of(weights));
            assertThat(Histogram.of(weights, Histogram.empty())).isEqualTo(Histogram.of(weights));
        }
        final String second = new ArrayList<>(base.keySet()).get(1);
        final String last = new ArrayList<>(base.keySet()).get(base.size() - 1);
        for (final Double bad : new Double[] {null, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            final Map<String, Double> weights = new HashMap<>(shuffled);
            weights.put(last, -2.0);                               // the later of two bad weights
            weights.put(second, bad);
            final Throwable expected = catchThrowable(() -> Histogram.of(weights));
            assertThat(expected).isInstanceOf(InvalidHistogramException.class);
            assertThatThrownBy(() -> Histogram.of(weights, like)).isInstanceOf(InvalidHistogramException.class)
                    .hasMessage(expected.getMessage());
        }
        final Map<String, Double> huge = new HashMap<>(shuffled);
        huge.put(second, Double.MAX_VALUE);
        huge.put(last, Double.MAX_VALUE);
        final Throwable overflow = catchThrowable(() -> Histogram.of(huge));
        assertThat(overflow).isInstanceOf(InvalidHistogramException.class);
        assertThatThrownBy(() -> Histogram.of(huge, like)).hasMessage(overflow.getMessage());
    }
}
