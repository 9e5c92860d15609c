package io.divergent.config;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The "did you mean" of every unknown-key message: the known key nearest by edit distance,
 * when it is near enough to be a typo.
 */
final class DidYouMean {

    private DidYouMean() {
    }

    /**
     * @param key   the key as written
     * @param known the keys that exist
     * @return the nearest known key (the alphabetically first on a tie) if at most
     *         {@code max(2, key.length() / 4)} single-character edits away, else empty
     */
    static Optional<String> nearest(final String key, final Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : new TreeSet<>(known)) {
            final int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character. */
    static int distance(final String a, final String b) {
        final int[] previous = new int[b.length() + 1];
        final int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                current[j] = Math.min(Math.min(current[j - 1], previous[j]) + 1,
                        previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            System.arraycopy(current, 0, previous, 0, current.length);
        }
        return previous[b.length()];
    }
}
