package io.divergent.topology;

import io.divergent.math.Histogram;
import io.divergent.math.InvalidHistogramException;

import java.util.Map;

/**
 * One validated reference version on its way to the window tasks: the weights in
 * {@link HistogramCodec} encoding, or {@link #TOMBSTONE} (empty bytes) for a removal.
 *
 * @param encoded the encoded histogram, or an empty array for a tombstone
 */
public record ReferenceVersion(byte[] encoded) implements Routed {

    /** A removal: from this record's timestamp on, the series has no reference. */
    public static final ReferenceVersion TOMBSTONE = new ReferenceVersion(new byte[0]);

    /**
     * The histogram of a reference's weights, if they make a valid reference: the rules the
     * topology applies to every reference record (a record that breaks them is dead-lettered as
     * {@code invalid-reference}), and {@code replay} to every reference line up front.
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
        final Histogram histogram = Histogram.of(weights);
        if (!(histogram.total() > 0)) {
            throw new IllegalArgumentException("total weight is 0: a reference needs at least one positive weight"
                    + " (an all-zero reference is refused, not read as uniform)");
        }
        return histogram;
    }

    public boolean isTombstone() {
        return encoded.length == 0;
    }
}
