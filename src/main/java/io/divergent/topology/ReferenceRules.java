package io.divergent.topology;

import io.divergent.math.Histogram;
import io.divergent.math.InvalidHistogramException;

import java.util.Map;

/**
 * The rules a reference record's weights must meet: what {@link ReferenceProcessor} applies to
 * every record of the reference topic and {@code replay} to every reference line up front.
 */
public final class ReferenceRules {

    private ReferenceRules() {
    }

    /**
     * The histogram of a reference's weights, if they make a valid reference: the rules the
     * topology applies to every reference record (a record that breaks them is skipped and counted
     * as {@code invalid-reference}), and {@code replay} to every reference line up front.
     *
     * <p>A reference whose total weight is 0 is refused even though the measures read a
     * zero-total histogram as uniform when {@code alpha > 0}: that reading belongs to the
     * computation, while an all-zero reference is almost surely a bug of its publisher, and
     * monitoring against a uniform distribution nobody published would raise false alerts.
     *
     * @param weights category to weight, as decoded from the record
     * @return the histogram, with a total weight {@code > 0}
     * @throws InvalidHistogramException naming the category, for a null or empty category or a
     *                                   negative, NaN or infinite weight (see {@link Histogram#of})
     * @throws IllegalArgumentException  if the total weight is 0 (no weights, or all of them 0)
     */
    public static Histogram histogramOf(final Map<String, ? extends Number> weights) {
        return histogramOf(weights, null);
    }

    /**
     * {@link #histogramOf(Map)}, faster when the weights have the categories of {@code like}
     * ({@link Histogram#of(Map, Histogram)}): for a run of references over one category set.
     *
     * @param like the previous reference's histogram, or null
     */
    public static Histogram histogramOf(final Map<String, ? extends Number> weights, final Histogram like) {
        final Histogram histogram = Histogram.of(weights, like);
        if (!(histogram.total() > 0)) {
            throw new IllegalArgumentException("total weight is 0: a reference needs at least one positive weight"
                    + " (an all-zero reference is refused, not read as uniform)");
        }
        return histogram;
    }
}
