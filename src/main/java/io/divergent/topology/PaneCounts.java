package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;

import org.apache.kafka.common.utils.ByteUtils;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The category counts of one series in one pane: a mutable Space-Saving summary of at most
 * {@code m} counters (issue "category cap"), kept on the heap while the pane is open and written
 * to the panes store as one value per commit ({@link #encode}).
 *
 * <p>A counted category adds one. A new category takes a free counter or, once the {@code m} are
 * taken, evicts the counter with the smallest estimate (ties by category name) and inherits that
 * estimate as its error (its true count lies in {@code [count, count + error]}). {@value WindowProcessor#OTHER}, when the input
 * itself sends it, never takes a counter: it is folded mass already, counted apart. The smallest
 * counter of a full summary is found in an index ordered by estimate, built when it fills.
 *
 * <p>Not thread-safe: one task's processor owns it.
 */
final class PaneCounts {

    /** Category -> {count, error}. */
    private final Map<String, long[]> counters = new HashMap<>();
    private final long capacity;
    private long other;
    /** Null until the summary is full: only full summaries evict. */
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
            return;
        }
        final long[] cell = counters.get(category);
        if (cell != null) {
            if (index != null) {
                index.remove(new Slot(cell[0] + cell[1], category));
                index.add(new Slot(cell[0] + cell[1] + 1, category));
            }
            cell[0]++;
        } else if (counters.size() < capacity) {
            counters.put(category, new long[] {1, 0});
            if (counters.size() == capacity) {
                buildIndex();
            }
        } else {
            final Slot smallest = index.pollFirst();
            counters.remove(smallest.category());
            counters.put(category, new long[] {1, smallest.estimate()});
            index.add(new Slot(smallest.estimate() + 1, category));
        }
    }

    private void buildIndex() {
        index = new TreeSet<>();
        counters.forEach((category, cell) -> index.add(new Slot(cell[0] + cell[1], category)));
    }

    /** Counters held, {@value WindowProcessor#OTHER} not included: at most the capacity. */
    int size() {
        return counters.size();
    }

    /** Events counted as {@value WindowProcessor#OTHER} because the input sent that category. */
    long other() {
        return other;
    }

    /** Visits each counter: category, count since it took the counter, inherited error. */
    void forEach(final CounterVisitor visitor) {
        counters.forEach((category, cell) -> visitor.counter(category, cell[0], cell[1]));
    }

    /** One counter of a summary. */
    @FunctionalInterface
    interface CounterVisitor {
        void counter(String category, long count, long error);
    }

    /**
     * The store value: Kafka's zig-zag varints ({@code ByteUtils}): {@link #other}, the number of
     * counters, then per counter the category's UTF-8 length and bytes, its count and its error. The order of the
     * counters carries no meaning.
     */
    byte[] encode() {
        final byte[][] names = new byte[counters.size()][];
        final long[][] cells = new long[counters.size()][];
        int size = ByteUtils.sizeOfVarlong(other) + ByteUtils.sizeOfVarint(counters.size());
        int i = 0;
        for (final Map.Entry<String, long[]> entry : counters.entrySet()) {
            names[i] = entry.getKey().getBytes(StandardCharsets.UTF_8);
            cells[i] = entry.getValue();
            size += ByteUtils.sizeOfVarint(names[i].length) + names[i].length
                    + ByteUtils.sizeOfVarlong(cells[i][0]) + ByteUtils.sizeOfVarlong(cells[i][1]);
            i++;
        }
        final ByteBuffer out = ByteBuffer.allocate(size);
        ByteUtils.writeVarlong(other, out);
        ByteUtils.writeVarint(names.length, out);
        for (int k = 0; k < names.length; k++) {
            ByteUtils.writeVarint(names[k].length, out);
            out.put(names[k]);
            ByteUtils.writeVarlong(cells[k][0], out);
            ByteUtils.writeVarlong(cells[k][1], out);
        }
        return out.array();
    }

    /**
     * Reads a store value back ({@link #encode}), as restore and interactive queries do.
     *
     * @param capacity the summary's number of counters, as when it was written
     * @throws SerializationException if the bytes are not a value of this format
     */
    static PaneCounts decode(final byte[] bytes, final long capacity) {
        final PaneCounts counts = new PaneCounts(capacity);
        try {
            final ByteBuffer in = ByteBuffer.wrap(bytes);
            counts.other = ByteUtils.readVarlong(in);
            final int n = ByteUtils.readVarint(in);
            for (int i = 0; i < n; i++) {
                final byte[] name = new byte[ByteUtils.readVarint(in)];
                in.get(name);
                counts.counters.put(new String(name, StandardCharsets.UTF_8),
                        new long[] {ByteUtils.readVarlong(in), ByteUtils.readVarlong(in)});
            }
            if (in.hasRemaining()) {
                throw new SerializationException(in.remaining() + " bytes left over after a pane's counts");
            }
        } catch (final BufferUnderflowException | NegativeArraySizeException | IllegalArgumentException e) {
            throw new SerializationException("a pane's counts are truncated or malformed", e);
        }
        if (counts.counters.size() >= capacity) {
            counts.buildIndex();
        }
        return counts;
    }
}
