package io.divergent.math;

import java.util.Arrays;
import java.util.Comparator;

/** Stub: replaced by the math branch. */
public final class MultipleTesting {
    private MultipleTesting() {
    }

    public static double[] adjust(final double[] p, final Correction correction) {
        final int m = p.length;
        final double[] out = new double[m];
        switch (correction) {
            case NONE -> System.arraycopy(p, 0, out, 0, m);
            case BONFERRONI -> {
                for (int i = 0; i < m; i++) {
                    out[i] = Math.min(1, p[i] * m);
                }
            }
            case BENJAMINI_HOCHBERG -> {
                final Integer[] order = new Integer[m];
                for (int i = 0; i < m; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
                double min = 1;
                for (int r = m - 1; r >= 0; r--) {
                    min = Math.min(min, p[order[r]] * m / (r + 1));
                    out[order[r]] = min;
                }
            }
        }
        return out;
    }
}
