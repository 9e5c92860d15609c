package io.divergent.math;

/**
 * A histogram that cannot be normalised: its total weight is 0 and no pseudo-count
 * ({@code alpha > 0}) makes it a distribution, or the category union is empty. The measures
 * are undefined for it; they are never reported as NaN.
 *
 * <p>The message says which side is empty ({@link #OBSERVED} or {@link #REFERENCE}).
 */
public class EmptyHistogramException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** {@link #side()} of the observed histogram (P, the window). */
    public static final String OBSERVED = "observed";
    /** {@link #side()} of the reference histogram (Q). */
    public static final String REFERENCE = "reference";

    private final String side;

    /**
     * @param side {@link #OBSERVED} or {@link #REFERENCE}
     */
    public EmptyHistogramException(final String side) {
        super(side + " histogram has total weight 0: its distribution is undefined"
                + " (give it weight or smooth with alpha > 0)");
        this.side = side;
    }

    /** Which histogram is empty: {@link #OBSERVED} or {@link #REFERENCE}. */
    public String side() {
        return side;
    }
}
