package io.divergent.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A window task's view of the global reference store ({@link ReferenceProcessor}): the version
 * of a series in force for a window, decoded once per content and remembered per series.
 *
 * <p>The version in force for a window ending at {@code end} is the series' latest with a
 * timestamp {@code < end}; none, or a tombstone, means no reference. Looking it up is a reverse
 * range scan of the series' versions and a read of the version's bytes; a series closes a
 * window every hop, and the references change rarely, so the answer is remembered per series
 * together with the window ends it holds for (from just after its version's timestamp up to the
 * next version's) and the store's {@link Generation} when it was looked up. Any write to the store (every series) bumps
 * the generation and the next lookup of each series scans again (issue 16, lever 5).
 *
 * <p>Memory: decoded versions are shared by content and bounded by a budget of categories
 * ({@link DecodedReferences}); the remembered answers by {@value #SERIES_REMEMBERED} series,
 * and forgotten whenever the budget lets a decoded version go, so that they never keep one alive.
 * Not thread-safe: one per task (the generation alone is shared with the global thread).
 */
final class ReferenceLookup {

    /** Series whose answer is remembered at most; past it, all are forgotten and looked up again. */
    static final int SERIES_REMEMBERED = 200_000;

    /**
     * Counts the writes to the reference store: the reference processor bumps it after each
     * write, the lookups of every task read it. One per topology, shared by its processors.
     */
    static final class Generation {
        private final AtomicLong writes = new AtomicLong();

        /** Called by the writer after a write (put or delete) has reached the store. */
        void advance() {
            writes.incrementAndGet();
        }

        long current() {
            return writes.get();
        }
    }

    /**
     * A series' version in force.
     *
     * @param stored    the decoded version, null when the series has none (or a tombstone) for the window
     * @param timestamp the version's timestamp (epoch ms); meaningless when {@code stored} is null
     */
    record Found(HistogramCodec.Stored stored, long timestamp) {
        static final Found NONE = new Found(null, Long.MIN_VALUE);
    }

    /** A remembered answer: {@code found} holds for window ends in {@code (after, until]} while the generation is {@code generation}. */
    private record Remembered(long generation, long after, long until, Found found) {
        boolean holds(final long generationNow, final long end) {
            return generation == generationNow && end > after && end <= until;
        }
    }

    private final ReadOnlyKeyValueStore<Bytes, byte[]> store;
    private final Generation generation;
    private final DecodedReferences decoded;
    private final Map<String, Remembered> bySeries = new HashMap<>();
    private long evictionsSeen;

    /**
     * @param store      the global reference store (keys {@link StoreKeys#versionKey}, values {@link HistogramCodec})
     * @param generation the generation its writer bumps
     * @param budget     categories kept decoded ({@link DecodedReferences})
     */
    ReferenceLookup(final ReadOnlyKeyValueStore<Bytes, byte[]> store, final Generation generation, final long budget) {
        this.store = store;
        this.generation = generation;
        this.decoded = new DecodedReferences(budget);
    }

    /** The version of {@code series} in force for the window ending at {@code end} (exclusive), or {@link Found#NONE}. */
    Found inForce(final String series, final long end) {
        // Read before the scan: a write during the scan leaves the answer one generation behind, so it is looked up again.
        final long now = generation.current();
        final Remembered remembered = bySeries.get(series);
        if (remembered != null && remembered.holds(now, end)) {
            return remembered.found();
        }
        // One scan, newest version first: the first one older than the window end is in force,
        // and the one seen just before it (the next newer) ends the answer. A window usually closes
        // after its series' newest version, so the scan reads one; a replay of old windows reads
        // the versions newer than each (a reference is republished rarely).
        KeyValue<Bytes, byte[]> latest = null;
        long next = Long.MAX_VALUE;
        try (KeyValueIterator<Bytes, byte[]> it = store.reverseRange(StoreKeys.versionKey(series, 0),
                StoreKeys.versionKey(series, Long.MAX_VALUE))) {
            while (it.hasNext()) {
                final KeyValue<Bytes, byte[]> version = it.next();
                final long timestamp = StoreKeys.timestampOfVersion(version.key);
                if (timestamp < end) {
                    latest = version;
                    break;
                }
                next = timestamp;
            }
        }
        final Found found = latest == null || latest.value.length == 0 ? Found.NONE
                : new Found(decoded.decode(latest.value), StoreKeys.timestampOfVersion(latest.key));
        if (decoded.evictions() != evictionsSeen || bySeries.size() >= SERIES_REMEMBERED) {
            evictionsSeen = decoded.evictions();
            bySeries.clear();
        }
        bySeries.put(series, new Remembered(now, latest == null ? Long.MIN_VALUE
                : StoreKeys.timestampOfVersion(latest.key), next, found));
        return found;
    }

    /** Series whose answer is remembered now. */
    int remembered() {
        return bySeries.size();
    }

    /** The decoded versions (for tests). */
    DecodedReferences decoded() {
        return decoded;
    }

    /**
     * Decoded reference versions by their stored bytes, the most recently used first out at a
     * budget of categories: series that share a reference share one entry, and memory stays
     * bounded however many series and categories the references hold.
     */
    static final class DecodedReferences extends java.util.LinkedHashMap<DecodedReferences.Key, HistogramCodec.Stored> {
        /** Categories kept decoded per window processor (one task): about 50 MB at most. */
        static final long BUDGET = 500_000;
        private final long budget;
        private long categories;
        private long evictions;

        /** @param budget categories kept decoded, at least the most recent version's */
        DecodedReferences(final long budget) {
            super(64, 0.75f, true);
            this.budget = budget;
        }

        /** How many versions were let go to stay within the budget, ever. */
        long evictions() {
            return evictions;
        }

        /** Categories held decoded now. */
        long categories() {
            return categories;
        }

        /** Whether these bytes are held decoded. */
        boolean holds(final byte[] value) {
            return containsKey(new Key(value));
        }

        HistogramCodec.Stored decode(final byte[] value) {
            final Key key = new Key(value);
            HistogramCodec.Stored stored = get(key);
            if (stored == null) {
                stored = HistogramCodec.decode(value);
                put(key, stored);
                categories += stored.histogram().size();
                final var it = entrySet().iterator();
                while (categories > budget && size() > 1) {
                    categories -= it.next().getValue().histogram().size();
                    it.remove();
                    evictions++;
                }
            }
            return stored;
        }

        /**
         * Stored bytes as a key. The hash reads the length and at most {@value #SAMPLED} bytes spread
         * over the value, not all of it: a reference of 1,024 categories is ~10 KB, read per closing
         * window, and a full hash of it was 4% of the stream thread (issue 16). Values that the
         * sample does not tell apart share a bucket; equality compares every byte.
         */
        static final class Key {
            private static final int SAMPLED = 64;
            private final byte[] bytes;
            private final int hash;

            Key(final byte[] bytes) {
                this.bytes = bytes;
                int h = bytes.length;
                final int step = Math.max(1, bytes.length / SAMPLED);
                for (int i = bytes.length - 1; i >= 0; i -= step) {
                    h = 31 * h + bytes[i];
                }
                this.hash = h;
            }

            @Override
            public int hashCode() {
                return hash;
            }

            @Override
            public boolean equals(final Object o) {
                return o instanceof Key k && hash == k.hash && java.util.Arrays.equals(bytes, k.bytes);
            }
        }
    }

}
