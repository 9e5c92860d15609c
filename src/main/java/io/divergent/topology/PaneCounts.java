package io.divergent.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The category counts of one series in one pane: a mutable Space-Saving summary of at most
 * {@code m} counters (issue "category cap"), kept on the heap while the pane is open, which also
 * knows what changed since it was last written to the panes store ({@link PaneJournal}).
 *
 * <p>A counted category adds one. A new category takes a free counter or, once the {@code m} are
 * taken, evicts the counter with the smallest estimate (ties by category name) and inherits that
 * estimate as its error (its true count lies in {@code [count, count + error]}). {@value WindowProcessor#OTHER}, when the input
 * itself sends it, never takes a counter: it is folded mass already, counted apart. The smallest
 * counter of a full summary is found in an index ordered by estimate, built at the first
 * eviction (and after a restore changed the counters).
 *
 * <p>Changes since the last {@link #markWritten}: until the summary evicts, each counter keeps
 * what it gained ({@code pending}) and the counters that gained are listed once, so a commit
 * writes a delta of the categories counted in it; increments commute, so the deltas replay
 * exactly. A summary that evicted since then (order matters) is written whole instead.
 *
 * <p>Not thread-safe: one task's processor owns it.
 */
final class PaneCounts {

    /** One counter: mutable, so counting allocates nothing once a category has its counter. */
    private static final class Counter {
        final String category;
        long count;
        long error;
        /** Added to count since the last {@link PaneCounts#markWritten} (meaningful while nothing evicted). */
        long pending;

        Counter(final String category, final long count, final long error) {
            this.category = category;
            this.count = count;
            this.error = error;
        }
    }

    private final Map<String, Counter> counters = new HashMap<>();
    private final long capacity;
    private long other;
    private long otherPending;
    /** Counters with pending > 0, each once; null until first needed. Not kept once the summary evicted. */
    private List<Counter> changed;
    /** Evicted since the last {@link #markWritten}: the next write is the whole summary. */
    private boolean evicted;
    /** Null until an eviction needs it (and after a restore changed the counters): only full summaries evict. */
    private TreeSet<Slot> index;

    /** A counter in the index: smallest estimate first, ties by category. */
    private record Slot(long estimate, String category) implements Comparable<Slot> {
        @Override
        public int compareTo(final Slot that) {
            return estimate != that.estimate ? Long.compare(estimate, that.estimate) : category.compareTo(that.category);
        }
    }

    /**
     * An empty summary.
     *
     * @param capacity the number of counters {@code m} ({@code max.categories + 1}), or Long.MAX_VALUE for no cap
     */
    PaneCounts(final long capacity) {
        this.capacity = capacity;
    }

    /** Counts one event of a category. */
    void add(final String category) {
        if (category.equals(WindowProcessor.OTHER)) {
            other++;
            otherPending++;
            return;
        }
        final Counter counter = counters.get(category);
        if (counter != null) {
            if (index != null) {
                index.remove(new Slot(counter.count + counter.error, category));
                index.add(new Slot(counter.count + counter.error + 1, category));
            }
            counter.count++;
            if (counter.pending++ == 0 && !evicted) {
                changed().add(counter);
            }
        } else if (counters.size() < capacity) {
            final Counter fresh = new Counter(category, 1, 0);
            fresh.pending = 1;
            counters.put(category, fresh);
            if (!evicted) {
                changed().add(fresh);
            }
        } else {
            if (index == null) {
                buildIndex();
            }
            final Slot smallest = index.pollFirst();
            counters.remove(smallest.category());
            counters.put(category, new Counter(category, 1, smallest.estimate()));
            index.add(new Slot(smallest.estimate() + 1, category));
            evicted = true;
            if (changed != null) {
                changed.clear();
            }
        }
    }

    private List<Counter> changed() {
        if (changed == null) {
            changed = new ArrayList<>(4);
        }
        return changed;
    }

    private void buildIndex() {
        index = new TreeSet<>();
        counters.forEach((category, counter) -> index.add(new Slot(counter.count + counter.error, category)));
    }

    /** Counters held, {@value WindowProcessor#OTHER} not included: at most the capacity. */
    int size() {
        return counters.size();
    }

    /** The categories that hold a counter, in no order, in a new array with {@code spare} free slots after them. */
    String[] categories(final int spare) {
        return counters.keySet().toArray(new String[counters.size() + spare]);
    }

    /** The count of a category since it took its counter; 0 when it holds none. */
    long count(final String category) {
        final Counter counter = counters.get(category);
        return counter == null ? 0 : counter.count;
    }

    /** The sum of the counters' estimates (count + error): the events they account for. */
    long estimateSum() {
        long sum = 0;
        for (final Counter counter : counters.values()) {
            sum += counter.count + counter.error;
        }
        return sum;
    }

    /** Events counted as {@value WindowProcessor#OTHER} because the input sent that category. */
    long other() {
        return other;
    }

    /** Visits each counter: category, count since it took the counter, inherited error. */
    void forEach(final CounterVisitor visitor) {
        counters.forEach((category, counter) -> visitor.counter(category, counter.count, counter.error));
    }

    /** One counter of a summary. */
    @FunctionalInterface
    interface CounterVisitor {
        void counter(String category, long count, long error);
    }

    /**
     * Whether what changed since the last {@link #markWritten} can be written as a delta
     * ({@link #forEachPending}): false once the summary evicted since then.
     */
    boolean deltaExact() {
        return !evicted;
    }

    /** {@value WindowProcessor#OTHER} events counted since the last {@link #markWritten}. */
    long otherPending() {
        return otherPending;
    }

    /**
     * Visits each counter that gained since the last {@link #markWritten}, with what it gained
     * (the error is 0: meaningful only while {@link #deltaExact}).
     */
    void forEachPending(final CounterVisitor visitor) {
        if (changed != null) {
            for (final Counter counter : changed) {
                visitor.counter(counter.category, counter.pending, 0);
            }
        }
    }

    /** Counters that gained since the last {@link #markWritten} (while {@link #deltaExact}). */
    int pendingSize() {
        return changed == null ? 0 : changed.size();
    }

    /** What changed has been written (as a delta or whole): the changes start again from nothing. */
    void markWritten() {
        if (evicted) {
            for (final Counter counter : counters.values()) {
                counter.pending = 0;
            }
            evicted = false;
        } else if (changed != null) {
            for (final Counter counter : changed) {
                counter.pending = 0;
            }
        }
        if (changed != null) {
            changed.clear();
        }
        otherPending = 0;
    }

    /** Restore: adds a written delta ({@link PaneJournal}); the summary then has nothing pending. */
    void applyDelta(final String category, final long count) {
        final Counter counter = counters.get(category);
        if (counter == null) {
            counters.put(category, new Counter(category, count, 0));
        } else {
            counter.count += count;
        }
        index = null;
    }

    /** Restore: adds written {@value WindowProcessor#OTHER} events. */
    void applyOther(final long count) {
        other += count;
    }

    /** Restore: a written whole summary replaces this one's content; {@link #applySet} its counters next. */
    void clearForSet(final long other) {
        counters.clear();
        this.other = other;
        index = null;
    }

    /** Restore: one counter of a written whole summary. */
    void applySet(final String category, final long count, final long error) {
        counters.put(category, new Counter(category, count, error));
    }
}
