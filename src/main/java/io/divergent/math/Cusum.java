package io.divergent.math;

import org.apache.commons.statistics.distribution.NormalDistribution;

/** Stub: replaced by the math branch. */
public record Cusum(double k, double h, double cap) {
    public static final double Z_MAX = 8;
    public static final Cusum DEFAULTS = new Cusum(0.5, 8, 12);

    /** The same detector with another allowance and threshold, its cap scaled with the threshold. */
    public Cusum with(final double allowance, final double threshold) {
        return new Cusum(allowance, threshold, threshold * cap / h);
    }

    public double step(final double s, final double z) {
        return Math.min(cap, Math.max(0, s + z - k));
    }

    public boolean alarm(final double s) {
        return s >= h;
    }

    public static double score(final double p) {
        final double z = NormalDistribution.of(0, 1).inverseSurvivalProbability(p);
        return Math.max(-Z_MAX, Math.min(Z_MAX, z));
    }
}
