package io.divergent.math;

/**
 * What a reference's weights are, which decides the G-test of a window against it (see
 * {@code docs/divergence.md}, "Extended (issue 13)").
 */
public enum BaselineKind {
    /**
     * A fixed distribution: probabilities, or counts from a whole population. Its noise is
     * nil, so the window is tested for goodness of fit to it ({@link GTest.Kind#GOODNESS_OF_FIT}).
     */
    FIXED,
    /**
     * A sample's counts: a past window, the sum of the last N windows, or a topic reference
     * that declares it. Both sides are noisy, so the test is of homogeneity of the two samples
     * ({@link GTest.Kind#HOMOGENEITY}); the weights are read as raw counts and their total is the
     * sample size N_Q.
     */
    SAMPLE
}
