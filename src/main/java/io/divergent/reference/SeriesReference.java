package io.divergent.reference;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The counted categories of one series: the weights of the reference published for it.
 *
 * @param seriesId the series id, the key of the reference record
 * @param counts   category to count (each positive), sorted by category
 */
public record SeriesReference(String seriesId, Map<String, Long> counts) {

    /** The sum of the counts. */
    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The categories with the largest counts, largest first, ties by name.
     *
     * @param n how many at most
     * @return category and count
     */
    public List<Map.Entry<String, Long>> top(final int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(n).toList();
    }
}
