package io.divergent.topology;

import io.divergent.math.Histogram;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window tasks' reference lookup (issue 16, lever 5): the version in force for a window, the
 * same as a scan of the store would give, but remembered per series until the store changes.
 * Versions are written as {@link ReferenceProcessor} writes them: a put, then the generation bumped.
 */
class ReferenceLookupTest {

    private static final long S = 1_000;

    private KeyValueStore<Bytes, byte[]> store;
    private final AtomicInteger scans = new AtomicInteger();
    private final ReferenceLookup.Generation generation = new ReferenceLookup.Generation();
    private ReferenceLookup lookup;

    @BeforeEach
    void store() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("references"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
        final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        lookup = new ReferenceLookup(new CountingStore(store, scans), generation, 1_000_000);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void publish(final String series, final long timestamp, final double a) {
        store.put(StoreKeys.versionKey(series, timestamp), a < 0 ? new byte[0]
                : HistogramCodec.encode(Histogram.builder().add("a", a).add("b", 1).build(), "test"));
        generation.advance();
    }

    private static double weightOfA(final ReferenceLookup.Found found) {
        return found.stored().histogram().toMap().get("a");
    }

    @Test
    void theLatestVersionBeforeTheEndIsInForceAndIsRememberedWhileNothingChanges() {
        publish("s", 0, 1);
        publish("s", 100 * S, 2);                                    // in force from windows ending after 100s
        final ReferenceLookup.Found first = lookup.inForce("s", 60 * S);
        assertThat(weightOfA(first)).isEqualTo(1.0);
        assertThat(first.timestamp()).isZero();
        final int afterFirst = scans.get();
        assertThat(afterFirst).as("one scan finds the version and the next one's timestamp").isEqualTo(1);
        // Windows ending in (0, 100s] use the same version: answered without a scan.
        assertThat(lookup.inForce("s", 100 * S)).isSameAs(first);
        assertThat(scans.get()).isEqualTo(afterFirst);
        // A window ending after 100s: the next version, found by a scan.
        final ReferenceLookup.Found second = lookup.inForce("s", 120 * S);
        assertThat(weightOfA(second)).isEqualTo(2.0);
        assertThat(second.timestamp()).isEqualTo(100 * S);
        assertThat(scans.get()).isEqualTo(afterFirst + 1);
        // A window between older versions, with a series whose id extends this one's alongside.
        publish("s", 200 * S, 4);
        publish("s2", 150 * S, 9);
        assertThat(weightOfA(lookup.inForce("s", 150 * S))).isEqualTo(2.0);
        assertThat(weightOfA(lookup.inForce("s", 200 * S))).isEqualTo(2.0);
        assertThat(weightOfA(lookup.inForce("s", 200 * S + 1))).isEqualTo(4.0);
        assertThat(weightOfA(lookup.inForce("s2", 200 * S))).isEqualTo(9.0);
    }

    @Test
    void aNewVersionIsSeenByTheNextLookupOfEverySeries() {
        publish("s", 0, 1);
        publish("t", 0, 5);
        assertThat(weightOfA(lookup.inForce("s", 60 * S))).isEqualTo(1.0);
        assertThat(weightOfA(lookup.inForce("t", 60 * S))).isEqualTo(5.0);
        publish("s", 30 * S, 3);                                     // in force for windows ending after 30s
        assertThat(weightOfA(lookup.inForce("s", 120 * S))).isEqualTo(3.0);
        assertThat(weightOfA(lookup.inForce("s", 60 * S))).isEqualTo(3.0);
        assertThat(weightOfA(lookup.inForce("t", 120 * S))).isEqualTo(5.0);
        publish("s", 90 * S, -1);                                    // a tombstone: no reference after 90s
        assertThat(lookup.inForce("s", 120 * S)).isEqualTo(ReferenceLookup.Found.NONE);
        assertThat(weightOfA(lookup.inForce("s", 90 * S))).isEqualTo(3.0);
    }

    @Test
    void aSeriesWithoutAVersionHasNoneUntilOneIsInForce() {
        publish("s", 100 * S, 1);
        assertThat(lookup.inForce("s", 60 * S)).isEqualTo(ReferenceLookup.Found.NONE);
        final int scanned = scans.get();
        assertThat(lookup.inForce("s", 100 * S)).isEqualTo(ReferenceLookup.Found.NONE);   // 100s is not < 100s
        assertThat(scans.get()).isEqualTo(scanned);
        assertThat(weightOfA(lookup.inForce("s", 100 * S + 1))).isEqualTo(1.0);
        assertThat(lookup.inForce("unknown", 60 * S)).isEqualTo(ReferenceLookup.Found.NONE);
    }

    @Test
    void rememberedAnswersAreBoundedAndNeverOutliveTheDecodedVersionsTheyHold() {
        final ReferenceLookup small = new ReferenceLookup(store, generation, 2);  // 2 categories: one version
        publish("s", 0, 1);
        publish("t", 0, 7);
        small.inForce("s", 60 * S);
        assertThat(small.remembered()).isEqualTo(1);
        small.inForce("t", 60 * S);                                  // decoding t lets s's version go
        assertThat(small.decoded()).hasSize(1);
        assertThat(small.remembered()).isEqualTo(1);
        assertThat(weightOfA(small.inForce("s", 60 * S))).isEqualTo(1.0);
        for (int i = 0; i < ReferenceLookup.SERIES_REMEMBERED + 10; i++) {
            lookup.inForce("none-" + i, 60 * S);
        }
        assertThat(lookup.remembered()).isLessThanOrEqualTo(ReferenceLookup.SERIES_REMEMBERED);
    }

    /** Counts the range scans a lookup makes (reads go to the real store). */
    private static final class CountingStore implements org.apache.kafka.streams.state.ReadOnlyKeyValueStore<Bytes, byte[]> {
        private final KeyValueStore<Bytes, byte[]> store;
        private final AtomicInteger scans;

        CountingStore(final KeyValueStore<Bytes, byte[]> store, final AtomicInteger scans) {
            this.store = store;
            this.scans = scans;
        }

        @Override
        public byte[] get(final Bytes key) {
            return store.get(key);
        }

        @Override
        public org.apache.kafka.streams.state.KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
            scans.incrementAndGet();
            return store.range(from, to);
        }

        @Override
        public org.apache.kafka.streams.state.KeyValueIterator<Bytes, byte[]> reverseRange(final Bytes from, final Bytes to) {
            scans.incrementAndGet();
            return store.reverseRange(from, to);
        }

        @Override
        public org.apache.kafka.streams.state.KeyValueIterator<Bytes, byte[]> all() {
            return store.all();
        }

        @Override
        public long approximateNumEntries() {
            return store.approximateNumEntries();
        }
    }
}
