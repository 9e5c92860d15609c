package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The observation batches' encoding: what is written is read back, in order; a broken batch is refused. */
class ObservationBatchTest {

    private record Entry(String series, Observation observation, long timestamp) {
    }

    private static List<Entry> read(final byte[] batch) {
        final List<Entry> entries = new ArrayList<>();
        ObservationBatch.read("t", batch, (s, o, ts) -> entries.add(new Entry(s, o, ts)));
        return entries;
    }

    private static byte[] write(final ObservationBatch.Writer writer, final List<Entry> entries) {
        entries.forEach(e -> writer.add(e.series(), e.observation(), e.timestamp()));
        return writer.drain();
    }

    /** Random entries: repeated and new strings (non-ASCII, long), offsets and times that go back as well as forward, extremes. */
    private static List<Entry> randomEntries(final Random random, final int n) {
        final String[] categories = {"rock", "jazz", "\u00e9t\u00e9", "\uD83C\uDFB5", "x".repeat(300), "a|b=c"};
        final long[] extremes = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, 1_700_000_000_000L};
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final String series = "genres|country=" + (random.nextInt(4) == 0 ? "C" + i : "C" + random.nextInt(20));
            final long offset = random.nextInt(10) == 0 ? extremes[random.nextInt(extremes.length)] : random.nextInt(1_000_000);
            final long time = random.nextInt(10) == 0 ? extremes[random.nextInt(extremes.length)]
                    : 1_700_000_000_000L + random.nextInt(600_000) - 300_000;
            final long timestamp = random.nextInt(10) == 0 ? extremes[random.nextInt(extremes.length)] : time + random.nextInt(1000);
            entries.add(new Entry(series, new Observation(categories[random.nextInt(categories.length)],
                    random.nextInt(10) == 0 ? Integer.MAX_VALUE : random.nextInt(64), offset, time), timestamp));
        }
        return entries;
    }

    @Test
    void whatIsWrittenIsReadBackInOrderAcrossManyBatchesOfOneWriter() {
        final Random random = new Random(16);
        final ObservationBatch.Writer writer = new ObservationBatch.Writer();
        for (int batch = 0; batch < 200; batch++) {
            // sizes from one entry to past the writer's kept buffer, so batches also follow a grown buffer
            final List<Entry> entries = randomEntries(random, 1 + random.nextInt(batch % 10 == 0 ? 3000 : 50));
            assertThat(read(write(writer, entries))).as("batch %d", batch).isEqualTo(entries);
        }
    }

    @Test
    void aSeriesOrCategoryIsWrittenOncePerBatchAndEachBatchStandsAlone() {
        final ObservationBatch.Writer writer = new ObservationBatch.Writer();
        final Observation first = new Observation("rock", 0, 41, 1_000);
        writer.add("genres|country=DE", first, 1_000);
        final int one = writer.size();
        writer.add("genres|country=DE", new Observation("rock", 0, 42, 1_001), 1_001);
        // two refs, the partition and three one-byte deltas: the strings are not repeated
        assertThat(writer.size() - one).isEqualTo(6);
        assertThat(writer.maxTimestamp()).isEqualTo(1_001);
        writer.drain();
        assertThat(writer.isEmpty()).isTrue();
        // the next batch introduces its strings again: it is read without the one before
        assertThat(read(write(writer, List.of(new Entry("genres|country=DE", first, 1_000)))))
                .containsExactly(new Entry("genres|country=DE", first, 1_000));
    }

    @Test
    void whatTheConsumerOfAnEntryThrowsIsNotCalledACorruptBatch() {
        final byte[] batch = write(new ObservationBatch.Writer(), randomEntries(new Random(3), 5));
        assertThatThrownBy(() -> ObservationBatch.read("t", batch, (s, o, ts) -> {
            throw new IllegalArgumentException("downstream");
        })).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("downstream");
    }

    @Test
    void anEmptyBatchHasNoEntries() {
        assertThat(read(new ObservationBatch.Writer().drain())).isEmpty();
    }

    @Test
    void aTruncatedOrCorruptBatchIsRefusedWithTheTopicAndPosition() {
        final byte[] batch = write(new ObservationBatch.Writer(), randomEntries(new Random(7), 20));
        for (int length = 0; length < batch.length; length++) {
            final byte[] truncated = Arrays.copyOf(batch, length);
            assertThatThrownBy(() -> read(truncated)).as("cut at %d", length)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageStartingWith("corrupt observation batch on t at byte ");
        }
        final byte[] longer = Arrays.copyOf(batch, batch.length + 1);
        assertThatThrownBy(() -> read(longer)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("1 bytes after the last entry");
        // a reference to a string the batch has not introduced
        assertThatThrownBy(() -> read(new byte[] {1, 5, 0, 0, 0, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("at byte 2 of 7");
        // a string longer than what is left
        assertThatThrownBy(() -> read(new byte[] {1, 0, 100, 'a'}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt observation batch on t");
    }
}
