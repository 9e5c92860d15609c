package io.divergent.topology;

import io.divergent.math.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The category cap of one series in one window: merges the Space-Saving summaries of the
 * window's panes, keeps the {@code max.categories} most frequent categories and folds the rest
 * into {@value WindowProcessor#OTHER}, then folds the reference onto the same kept set.
 *
 * <p>Each pane of a series holds at most {@code max.categories + 1} counters ({@code m}). A
 * category that is in a pane's summary has a true pane count in {@code [count, count + error]}
 * (count since it took its counter, plus the inherited error: {@link PaneCounts}); one that is not has at most the pane's bound: 0 when the pane never
 * evicted, else its smallest estimate ({@code <= N_pane / m}). Summed over the panes, a
 * category's window count lies in {@code [lower, upper]} with {@code upper - lower <= N / m}.
 * The kept set is the {@code max.categories} categories with the largest {@code upper} (then the
 * largest {@code lower}, then by name); a kept category reports {@code lower}, the events it
 * surely has, and everything else (the folded categories' counts, and the events the summaries
 * could not attribute) is {@value WindowProcessor#OTHER}, so the window total stays exact.
 * When the window's distinct categories fit in {@code m} per pane, nothing was evicted, every
 * count is exact and the kept set is the exact top {@code max.categories}.
 */
final class CategoryFold {

    private CategoryFold() {
    }

    /**
     * The window after folding.
     *
     * @param observed        the window's histogram: kept categories and {@value WindowProcessor#OTHER}
     * @param total           N: every event of the window, folded or not
     * @param other           events in {@value WindowProcessor#OTHER}
     * @param kept            the kept categories, or null when nothing was folded (the reference stays as it is)
     * @param folded          distinct categories folded that the summaries still named (a lower bound:
     *                        a category evicted from every pane is folded without a name)
     * @param keptCountError  the most a kept category's count can fall short of its true count; 0 = exact
     */
    record Window(Histogram observed, long total, long other, Set<String> kept, int folded, long keptCountError) {
    }

    /**
     * A reference folded onto a window's kept set.
     *
     * @param histogram       the kept categories' weights and {@value WindowProcessor#OTHER} (the rest)
     * @param folded          distinct reference categories folded (other than a {@value WindowProcessor#OTHER} it had)
     * @param foldedWeight    their raw weight
     */
    record Reference(Histogram histogram, int folded, double foldedWeight) {
        static Reference unfolded(final Histogram histogram) {
            return new Reference(histogram, 0, 0.0);
        }
    }

    /**
     * Folds a reference onto a window's kept set: its categories outside the set go to
     * {@value WindowProcessor#OTHER} (with any {@value WindowProcessor#OTHER} weight it had).
     *
     * @param kept the window's kept set, or null when the window folded nothing
     */
    static Reference foldReference(final Histogram reference, final Set<String> kept) {
        if (kept == null) {
            return Reference.unfolded(reference);
        }
        final Histogram.Builder builder = Histogram.builder();
        double other = 0;
        double foldedWeight = 0;
        int folded = 0;
        boolean hasOther = false;
        for (int i = 0; i < reference.size(); i++) {
            final String category = reference.category(i);
            final double weight = reference.weight(i);
            if (kept.contains(category)) {
                builder.add(category, weight);
            } else {
                hasOther = true;
                other += weight;
                if (!category.equals(WindowProcessor.OTHER)) {
                    folded++;
                    foldedWeight += weight;
                }
            }
        }
        if (hasOther) {
            builder.add(WindowProcessor.OTHER, other);
        }
        return new Reference(builder.build(), folded, foldedWeight);
    }

    /** Merges the panes of one series in one window, one pane at a time, then {@link #fold}s. */
    static final class Merger {
        /** Per category: [sum of counts (lower), sum over the panes holding it of estimate - pane bound]. */
        private final Map<String, long[]> categories = new HashMap<>();
        /** Sum of the pane bounds: a category's upper bound is this plus its second cell. */
        private long boundSum;
        private long total;
        private long otherEvents;
        /** Whether the pane being added evicted, and its smallest upper bound (count + error): its bound. */
        private boolean paneEvicted;
        private long paneSmallest;

        /**
         * The window's only pane so far, not yet merged: a tumbling window has one pane, whose
         * counters the fold then reads in place (no map of the window's categories).
         */
        private PaneCounts only;
        private int panes;

        /** Adds one pane's summary of the series: every counter it holds, {@value WindowProcessor#OTHER} included. */
        void pane(final PaneCounts counters) {
            if (++panes == 1) {
                only = counters;
                return;
            }
            if (only != null) {
                merge(only);
                only = null;
            }
            merge(counters);
        }

        private void merge(final PaneCounts counters) {
            paneEvicted = false;
            paneSmallest = Long.MAX_VALUE;
            // One pass as if the pane's bound were 0, the usual case: a pane that never evicted
            // holds every category it saw (absent means 0). An evicted one takes its bound off after.
            counters.forEach((category, count, error) -> {
                paneEvicted |= error > 0;
                paneSmallest = Math.min(paneSmallest, count + error);
                total += count + error;
                final long[] cell = categories.computeIfAbsent(category, c -> new long[2]);
                cell[0] += count;
                cell[1] += count + error;
            });
            if (paneEvicted) {
                final long bound = paneSmallest;
                counters.forEach((category, count, error) -> categories.get(category)[1] -= bound);
                boundSum += bound;
            }
            otherEvents += counters.other();
            total += counters.other();
        }

        /** Keeps the {@code maxCategories} most frequent categories; see the class comment. */
        Window fold(final long maxCategories) {
            if (only != null) {
                if (only.size() <= maxCategories) {
                    final PaneCounts pane = only;
                    return exact(pane.categories(pane.other() > 0 ? 1 : 0), pane::count,
                            pane.estimateSum() + pane.other(), pane.other());
                }
                merge(only);
                only = null;
            }
            if (categories.size() <= maxCategories) {
                return exact(categories.keySet().toArray(new String[categories.size() + (otherEvents > 0 ? 1 : 0)]),
                        category -> categories.get(category)[0], total, otherEvents);
            }
            final Histogram.Builder builder = Histogram.builder();
            final List<Map.Entry<String, long[]>> ranked = new ArrayList<>(categories.entrySet());
            ranked.sort((a, b) -> {
                final long[] x = a.getValue();
                final long[] y = b.getValue();
                if (x[1] != y[1]) {
                    return Long.compare(y[1], x[1]);
                }
                return x[0] != y[0] ? Long.compare(y[0], x[0]) : a.getKey().compareTo(b.getKey());
            });
            final Set<String> kept = new HashSet<>();
            long keptEvents = 0;
            long keptError = 0;
            for (int i = 0; i < maxCategories; i++) {
                final Map.Entry<String, long[]> entry = ranked.get(i);
                final long[] cell = entry.getValue();
                kept.add(entry.getKey());
                builder.add(entry.getKey(), cell[0]);
                keptEvents += cell[0];
                keptError = Math.max(keptError, boundSum + cell[1] - cell[0]);
            }
            final long other = total - keptEvents;
            kept.add(WindowProcessor.OTHER);
            builder.add(WindowProcessor.OTHER, other);
            return new Window(builder.build(), total, other, kept, (int) (ranked.size() - maxCategories), keptError);
        }

        /**
         * Nothing evicted (an evicting pane holds maxCategories + 1 categories): every count is
         * exact and the window's histogram is the counts, with {@value WindowProcessor#OTHER} when
         * any; built from one sort of the names, without a map of its own.
         *
         * @param names the window's categories in any order, and a last free slot when {@code other > 0}
         */
        private static Window exact(final String[] names, final ToLongFunction<String> count, final long total,
                                    final long other) {
            if (other > 0) {
                names[names.length - 1] = WindowProcessor.OTHER;
            }
            Arrays.sort(names);
            final double[] weights = new double[names.length];
            for (int i = 0; i < names.length; i++) {
                // The input's own __other__ never takes a counter (PaneCounts): it is only here.
                weights[i] = other > 0 && names[i].equals(WindowProcessor.OTHER) ? other : count.applyAsLong(names[i]);
            }
            return new Window(Histogram.ofSorted(names, weights), total, other, null, 0, 0);
        }
    }
}
