package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The two-sample G-test against reference values. Source: {@code src/test/resources/gtest/
 * homogeneity_reference.py}, {@code G = 2 sum O ln(O / E)} over the non-empty cells of the 2 x K
 * table at 50 significant digits with mpmath, the p-value as mpmath's regularised upper
 * incomplete gamma Q(df/2, G/2); scipy's {@code chi2_contingency(lambda_="log-likelihood",
 * correction=False)} agrees to 1e-14 except on "close", where its plain sum loses 5 digits.
 * Tolerance: 1e-12 relative on G and the p-value (both are printed to 20 digits).
 */
class GTestTest {

    private static final double RELATIVE_PERCENT = 1e-10;   // 1e-12 relative

    static Stream<Arguments> references() {
        return Stream.of(
                Arguments.of("three", Map.of("a", 10, "b", 20, "c", 30), Map.of("a", 20, "b", 20, "c", 10),
                        12.952596352875820253, 2, 0.001539499098102369006),
                // a only in P, c only in Q: finite, unlike goodness of fit
                Arguments.of("disjoint", Map.of("a", 3, "b", 7), Map.of("b", 4, "c", 6),
                        13.305288196567171629, 2, 0.0012906051032734411013),
                // z is empty on both sides: not a cell, df = 2 - 1
                Arguments.of("zeros", Map.of("a", 1, "b", 4, "z", 0), Map.of("a", 2, "b", 1, "z", 0),
                        1.7619025653769572516, 1, 0.18438738353686539854),
                // near-identical large samples: no cancellation
                Arguments.of("close", Map.of("a", 1_000_000, "b", 1_000_001), Map.of("a", 1_000_001, "b", 1_000_000),
                        9.9999950000029166648e-7, 1, 0.99920211577164882387),
                Arguments.of("fractional", Map.of("a", 2.5, "b", 1.5), Map.of("a", 0.5, "b", 3.5),
                        2.2783446152123621885, 1, 0.13119183386560154639),
                Arguments.of("genres",
                        Map.of("action", 30, "comedy", 25, "drama", 20, "horror", 15, "documentary", 10),
                        Map.of("action", 300, "comedy", 200, "drama", 250, "horror", 150, "documentary", 100),
                        2.0271852605418589672, 4, 0.73075858605268649197));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void homogeneityMatchesTheReferenceValues(final String name, final Map<String, Number> p, final Map<String, Number> q,
                                              final double g, final int df, final double pValue) {
        final GTest.Result r = GTest.homogeneity(Histogram.of(p), Histogram.of(q));
        assertThat(r.kind()).as(name).isEqualTo(GTest.Kind.HOMOGENEITY);
        assertThat(r.statistic()).as(name + " G").isCloseTo(g, withinPercentage(RELATIVE_PERCENT));
        assertThat(r.degreesOfFreedom()).as(name + " df").isEqualTo(df);
        assertThat(r.pValue()).as(name + " p-value").isCloseTo(pValue, withinPercentage(RELATIVE_PERCENT));
        // Symmetric in the two samples.
        final GTest.Result swapped = GTest.homogeneity(Histogram.of(q), Histogram.of(p));
        assertThat(swapped.statistic()).as(name + " swapped").isCloseTo(g, withinPercentage(RELATIVE_PERCENT));
    }

    @Test
    void scalingBothSamplesScalesG() {
        final Histogram p = Histogram.of(Map.of("a", 10, "b", 20, "c", 30));
        final Histogram q = Histogram.of(Map.of("a", 20, "b", 20, "c", 10));
        final Histogram p7 = Histogram.of(Map.of("a", 70, "b", 140, "c", 210));
        final Histogram q7 = Histogram.of(Map.of("a", 140, "b", 140, "c", 70));
        assertThat(GTest.homogeneity(p7, q7).statistic())
                .isCloseTo(7 * GTest.homogeneity(p, q).statistic(), withinPercentage(1e-12));
    }

    @Test
    void samplesInTheSameProportionsHaveGZeroWhateverTheirSizes() {
        final GTest.Result r = GTest.homogeneity(Histogram.of(Map.of("a", 1, "b", 3)),
                Histogram.of(Map.of("a", 1000, "b", 3000)));
        assertThat(r.statistic()).isZero();
        assertThat(r.pValue()).isEqualTo(1.0);
    }

    @Test
    void oneNonEmptyCategoryHasNoDegreeOfFreedom() {
        final GTest.Result r = GTest.homogeneity(Histogram.of(Map.of("a", 5, "b", 0)), Histogram.of(Map.of("a", 9)));
        assertThat(r.degreesOfFreedom()).isZero();
        assertThat(r.statistic()).isZero();
        assertThat(r.pValue()).isEqualTo(1.0);
    }

    @Test
    void anEmptySampleIsRefusedObservedSideFirst() {
        final Histogram empty = Histogram.of(Map.of("a", 0));
        final Histogram some = Histogram.of(Map.of("a", 1));
        assertThatThrownBy(() -> GTest.homogeneity(empty, empty)).isInstanceOf(EmptyHistogramException.class)
                .extracting(e -> ((EmptyHistogramException) e).side()).isEqualTo(EmptyHistogramException.OBSERVED);
        assertThatThrownBy(() -> GTest.homogeneity(some, empty)).isInstanceOf(EmptyHistogramException.class)
                .extracting(e -> ((EmptyHistogramException) e).side()).isEqualTo(EmptyHistogramException.REFERENCE);
        assertThatThrownBy(() -> GTest.homogeneity(null, some)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void pValueEdgesAndValidation() {
        assertThat(GTest.pValue(3.0, 0)).isEqualTo(1.0);
        assertThat(GTest.pValue(Double.POSITIVE_INFINITY, 2)).isZero();
        assertThat(GTest.pValue(3.0, 2)).isEqualTo(ChiSquaredDistribution.of(2).survivalProbability(3.0));
        assertThatThrownBy(() -> GTest.pValue(-1.0, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GTest.pValue(Double.NaN, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GTest.pValue(1.0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCalculatorUsesTheTestOfTheBaselineKindAndKeepsEveryOtherMeasure() {
        final Histogram p = Histogram.of(Map.of("a", 3, "b", 7));
        final Histogram q = Histogram.of(Map.of("b", 4, "c", 6));
        final DivergenceCalculator calc = DivergenceCalculator.withDefaults();
        final Divergence fixed = calc.compute(p, q, BaselineKind.FIXED);
        assertThat(fixed).isEqualTo(calc.compute(p, q));
        assertThat(fixed.gTest()).isEqualTo(GTest.Kind.GOODNESS_OF_FIT);
        assertThat(fixed.gStatistic()).isInfinite();

        final Divergence sample = calc.compute(p, q, BaselineKind.SAMPLE);
        assertThat(sample.gTest()).isEqualTo(GTest.Kind.HOMOGENEITY);
        assertThat(sample.gStatistic()).isCloseTo(13.305288196567171629, withinPercentage(RELATIVE_PERCENT));
        assertThat(sample.gDegreesOfFreedom()).isEqualTo(2);
        assertThat(sample.gPValue()).isCloseTo(0.0012906051032734411013, withinPercentage(RELATIVE_PERCENT));
        assertThat(sample.jsDivergence()).isEqualTo(fixed.jsDivergence());
        assertThat(sample.klPq()).isEqualTo(fixed.klPq());
        assertThat(sample.topContributors()).isEqualTo(fixed.topContributors());
        assertThat(sample).isNotEqualTo(fixed);
        assertThat(sample.toString()).contains("g_test=HOMOGENEITY");
    }
}
