package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The volume store's journal (issue 16): replaying its values rebuilds exactly the histories the
 * window processor built by applying the same changes ({@link VolumeHistory#first},
 * {@link VolumeHistory#append}, forgetting), however the changes fall into values; keys sort in
 * commit order and are told from the first layout's series keys.
 */
class VolumeJournalTest {

    private static final long ADVANCE = 10_000;
    private static final int CAPACITY = 18;

    @Test
    void replayingRandomChangesInRandomValuesRebuildsTheHistories() {
        final Random random = new Random(16);
        for (int trial = 0; trial < 50; trial++) {
            final Map<String, VolumeHistory> direct = new TreeMap<>();
            final List<byte[]> values = new ArrayList<>();
            final VolumeJournal.Writer writer = new VolumeJournal.Writer();
            long end = 1_700_000_000_000L;
            for (int step = 0; step < 400; step++) {
                // Windows close in time order, now and then several at one end, now and then with a gap.
                end += random.nextInt(4) == 0 ? 0 : ADVANCE * (random.nextInt(10) == 0 ? 3 : 1);
                final String series = "genres|country=" + (char) ('A' + random.nextInt(8)) + "\u00e9";
                final int kind = random.nextInt(20);
                if (kind == 0) {
                    direct.remove(series);
                    writer.forget(series);
                } else if (kind == 1) {
                    // A compaction: every series whole, after a clear.
                    writer.clear();
                    direct.forEach(writer::set);
                } else {
                    final long count = random.nextInt(5) == 0 ? 0 : random.nextInt(1_000);
                    final VolumeHistory before = direct.get(series);
                    direct.put(series, before == null ? VolumeHistory.first(end, count)
                            : before.append(end, ADVANCE, count, CAPACITY));
                    writer.append(series, end, count);
                }
                if (random.nextInt(7) == 0) {
                    values.add(writer.finish());
                }
            }
            values.add(writer.finish());

            final Map<String, VolumeHistory> replayed = new TreeMap<>();
            // Values of the first layout the store may still hold are applied first, then cleared by a compaction.
            replayed.put("genres|country=Z", VolumeHistory.first(1, 1));
            final List<byte[]> withClear = new ArrayList<>();
            final VolumeJournal.Writer clear = new VolumeJournal.Writer();
            clear.clear();
            withClear.add(clear.finish());
            withClear.addAll(values);
            for (final byte[] value : withClear) {
                VolumeJournal.replay(value, replayed, ADVANCE, CAPACITY);
            }
            assertThat(replayed.keySet()).as("trial %d", trial).isEqualTo(direct.keySet());
            direct.forEach((series, history) -> {
                final VolumeHistory got = replayed.get(series);
                assertThat(got.lastSeen()).as("%s lastSeen", series).isEqualTo(history.lastSeen());
                assertThat(got.lastEnd()).as("%s lastEnd", series).isEqualTo(history.lastEnd());
                assertThat(got.counts()).as("%s counts", series).containsExactly(history.counts());
            });
        }
    }

    /** One window's change of a series is five bytes after the series' first entry in the value. */
    @Test
    void anAppendOfTheSameSeriesTakesFiveBytes() {
        final VolumeJournal.Writer writer = new VolumeJournal.Writer();
        writer.append("genres|country=DE", 1_700_000_060_000L, 42);
        final int first = writer.finish().length;
        for (int i = 0; i < 100; i++) {
            writer.append("genres|country=DE", 1_700_000_060_000L, 42);
        }
        final int hundred = writer.finish().length;
        final int id = "genres|country=DE".length();
        // Version byte, then per entry: op, bytes shared with the previous id, the length and bytes
        // of the rest, end delta (the first from 0), count.
        assertThat(first).isEqualTo(1 + 1 + 1 + 1 + id + org.apache.kafka.common.utils.ByteUtils.sizeOfVarlong(1_700_000_060_000L) + 1);
        assertThat((hundred - first) / 99.0).isEqualTo(1 + 1 + 1 + 1 + 1);
    }

    @Test
    void aValueIsFullAtItsBound() {
        final VolumeJournal.Writer writer = new VolumeJournal.Writer();
        assertThat(writer.isEmpty()).isTrue();
        int entries = 0;
        while (!writer.isFull()) {
            writer.append("genres|series-" + entries, 60_000L * entries, entries);
            entries++;
        }
        assertThat(writer.isEmpty()).isFalse();
        final byte[] value = writer.finish();
        assertThat(value.length).isBetween(VolumeJournal.MAX_VALUE_BYTES, VolumeJournal.MAX_VALUE_BYTES + 64);
        assertThat(writer.isEmpty()).isTrue();
        final Map<String, VolumeHistory> replayed = new TreeMap<>();
        VolumeJournal.replay(value, replayed, 60_000L, CAPACITY);
        assertThat(replayed).hasSize(entries);
    }

    @Test
    void keysSortInCommitOrderAndAreToldFromSeriesKeys() {
        final List<Long> seqs = List.of(0L, 1L, 15L, 16L, 255L, 4_096L, 1L << 40, Long.MAX_VALUE);
        final List<String> keys = seqs.stream().map(VolumeJournal::key).toList();
        // The store orders keys by their UTF-8 bytes (String serde); every key is ASCII here.
        assertThat(keys).isSorted();
        assertThat(keys.stream().map(VolumeJournal::seqOf).toList()).isEqualTo(seqs);
        assertThat(keys).allMatch(VolumeJournal::isJournalKey);
        assertThat(VolumeJournal.isJournalKey("genres|country=DE")).isFalse();
        assertThat(VolumeJournal.isJournalKey("genres")).isFalse();
        assertThat(VolumeJournal.isJournalKey("")).isFalse();
    }

    @Test
    void aCorruptValueIsASerializationError() {
        final VolumeJournal.Writer writer = new VolumeJournal.Writer();
        writer.append("genres|country=DE", 60_000L, 3);
        final byte[] value = writer.finish();
        final Map<String, VolumeHistory> expected = new TreeMap<>();
        assertThatThrownBy(() -> VolumeJournal.replay(java.util.Arrays.copyOf(value, value.length - 2), expected, 60_000L, 3))
                .isInstanceOf(SerializationException.class).hasMessageContaining("ends early");
        final byte[] otherVersion = value.clone();
        otherVersion[0] = 9;
        assertThatThrownBy(() -> VolumeJournal.replay(otherVersion, expected, 60_000L, 3))
                .isInstanceOf(SerializationException.class).hasMessageContaining("version 9");
    }
}
