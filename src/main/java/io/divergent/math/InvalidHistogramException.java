package io.divergent.math;

/**
 * A histogram entry that cannot be accepted: a weight that is negative, NaN or infinite, a
 * category name that is {@code null} or empty, categories out of order or repeated (for
 * {@link Histogram#ofSorted}), or weights whose sum overflows.
 *
 * <p>The message names the category and the problem, for example
 * {@code weight of 'drama' is negative (-2)}, so that it can be shown to a user as it is.
 */
public class InvalidHistogramException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String category;

    /**
     * @param category the offending category name; may be {@code null} or empty when that is the problem
     * @param message  the complete, user-readable message
     */
    public InvalidHistogramException(final String category, final String message) {
        super(message);
        this.category = category;
    }

    /** The category the problem is about; {@code null} or empty when the name itself is the problem. */
    public String category() {
        return category;
    }
}
