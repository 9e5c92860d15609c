package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.divergent.topology.PaneJournalRestoreTest.MONITOR;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window processor's volume store as a journal (issue 16, eighth pass): restarted from its
 * stores at random commits it emits exactly what an uninterrupted processor emits (the volume
 * fields included), across compactions and forgotten series; the store stays bounded; and a
 * store of the first layout (one whole history per series key) is read and replaced at the next
 * commit.
 */
class VolumeJournalRestoreTest {

    /** 20 s panes of 60 s hopping windows (monitors()), volume over 3 sizes, series forgotten after 2 silent windows. */
    private static final WindowProcessor.Liveness LIVENESS = new WindowProcessor.Liveness(0, 2, 3);

    @Test
    void aProcessorRestartedAtRandomCommitsEmitsWhatAnUninterruptedOneEmits() {
        final Random random = new Random(816);
        final PaneJournalRestoreTest.Run plain = new PaneJournalRestoreTest.Run(PaneJournalRestoreTest.monitors(), 100, LIVENESS);
        final PaneJournalRestoreTest.Run restarted = new PaneJournalRestoreTest.Run(PaneJournalRestoreTest.monitors(), 100, LIVENESS);
        int restarts = 0;
        int compactions = 0;
        int maxKeys = 0;
        long time = 1_000;
        // 3,000 series, a third of them going quiet (forgotten) for a while now and then: each
        // 20 s advance closes a window per expected series, ~20 bytes of journal each, so the
        // 64 KiB minimum is passed and the journal compacts several times.
        for (int round = 0; round < 60; round++) {
            for (int i = 0; i < 3_000; i++) {
                if (i % 3 == 0 && (round / 10) % 2 == 1) {
                    continue;
                }
                final String series = MONITOR + "|u=" + i;
                final String category = "g" + random.nextInt(5);
                final long at = time + random.nextInt(20_000);
                plain.process(series, category, at);
                restarted.process(series, category, at);
            }
            time += 20_000;
            plain.commit();
            restarted.commit();
            final List<KeyValue<String, byte[]>> held = new ArrayList<>();
            restarted.volume().all().forEachRemaining(held::add);
            assertThat(held).allMatch(kv -> VolumeJournal.isJournalKey(kv.key));
            if (held.size() < maxKeys) {
                compactions++;
            }
            maxKeys = Math.max(maxKeys, held.size());
            if (random.nextInt(4) == 0) {
                restarted.start(false);
                restarts++;
            }
        }
        plain.process(MONITOR + "|u=1", "g0", time + 3_600_000);   // closes every window
        restarted.process(MONITOR + "|u=1", "g0", time + 3_600_000);
        final List<Object> expected = plain.output();
        assertThat(restarted.output()).isEqualTo(expected);
        assertThat(restarts).isGreaterThan(5);
        assertThat(compactions).isGreaterThan(2);
        // The events carry volume figures from the histories restored (not only first windows).
        assertThat(expected).anySatisfy(o -> assertThat(((Emitted.Window) o).events())
                .anyMatch(e -> e.getExpectedTotal() != null && e.getVolumeBaselineWindows() == 3));
        // And series silent past the horizon were forgotten, then expected again after they came back.
        assertThat(expected).anySatisfy(o -> assertThat(((Emitted.Window) o).events())
                .anyMatch(e -> e.getSeriesId().equals(MONITOR + "|u=0") && e.getExpectedTotal() == null));
    }

    /**
     * A young journal (no compaction yet) is not compacted while it is smaller than the
     * compaction would be ({@value WindowProcessor#MIN_HISTORY_BYTES} bytes or more per expected
     * series), even past {@value WindowProcessor#MIN_VOLUME_COMPACTION_BYTES} bytes; once it is
     * {@value WindowProcessor#VOLUME_COMPACTION_RATIO} times that, it is.
     */
    @Test
    void aYoungJournalIsNotReplacedByACompactionLargerThanItself() {
        final PaneJournalRestoreTest.Run run = new PaneJournalRestoreTest.Run(PaneJournalRestoreTest.monitors(), 100, LIVENESS);
        final int series = 5_000;
        final long floor = (long) WindowProcessor.VOLUME_COMPACTION_RATIO * WindowProcessor.MIN_HISTORY_BYTES * series;
        long time = 1_000;
        long maxUncompacted = 0;
        boolean compacted = false;
        int maxKeys = 0;
        for (int round = 0; round < 12 && !compacted; round++) {
            for (int i = 0; i < series; i++) {
                // one record per series and 20 s advance: each advance closes a window of each
                run.process(MONITOR + "|u=" + i, "g" + (i % 3), time + i % 20_000);
            }
            time += 20_000;
            run.commit();
            final List<KeyValue<String, byte[]>> held = new ArrayList<>();
            run.volume().all().forEachRemaining(held::add);
            final long bytes = held.stream().mapToLong(kv -> kv.value.length).sum();
            if (held.size() < maxKeys) {
                compacted = true;
            } else {
                maxUncompacted = bytes;
            }
            maxKeys = Math.max(maxKeys, held.size());
        }
        // Held uncompacted past the 64 KiB minimum (which alone compacted it before), never past
        // 3 x 8 bytes x 5,000 series; and compacted in the end.
        assertThat(compacted).as("compacted").isTrue();
        assertThat(maxUncompacted).isBetween((long) WindowProcessor.MIN_VOLUME_COMPACTION_BYTES, floor);
    }

    @Test
    void aStoreOfTheFirstLayoutIsReadAndReplacedAtTheNextCommit() {
        final String series = MONITOR + "|u=7";
        // Window [0, 60 s) ends at 60 s; the next hops end at 80 s, 100 s, ...: a history whose
        // newest count is the window ending at 60 s, as the first layout stored it.
        final VolumeHistory history = new VolumeHistory(60_000, 60_000, new long[] {9, 10, 11, 12, 13, 14, 15, 16, 17});
        final PaneJournalRestoreTest.Run legacy = new PaneJournalRestoreTest.Run(PaneJournalRestoreTest.monitors(), 100, LIVENESS);
        legacy.volume().put(series, history.encode());
        final PaneJournalRestoreTest.Run journal = new PaneJournalRestoreTest.Run(PaneJournalRestoreTest.monitors(), 100, LIVENESS);
        final VolumeJournal.Writer writer = new VolumeJournal.Writer();
        writer.set(series, history);
        journal.volume().put(VolumeJournal.key(0), writer.finish());
        for (final PaneJournalRestoreTest.Run run : List.of(legacy, journal)) {
            run.start(false);
            run.process(series, "g1", 61_000);   // in the windows ending at 80 s, 100 s and 120 s
            run.process(series, "g2", 100_000);  // closes the window ending at 80 s ([20 s, 80 s))
            run.commit();
        }
        final List<Object> out = legacy.output();
        assertThat(out).isEqualTo(journal.output());
        final DivergenceEvent event = ((Emitted.Window) out.get(0)).events().get(0);
        assertThat(event.getWindowEnd().toEpochMilli()).isEqualTo(80_000);
        // The history's counts are of windows ending 60 s, 40 s, 20 s, ... back (newest last); the
        // non-overlapping ones before [20 s, 80 s) end at 20 s, -40 s, -100 s: counts 15, 12, 9.
        assertThat(event.getVolumeBaselineWindows()).isEqualTo(3);
        assertThat(event.getExpectedTotal()).isEqualTo(io.divergent.math.VolumeTest.expected(15 + 12 + 9, 3));
        final List<String> keys = new ArrayList<>();
        legacy.volume().all().forEachRemaining(kv -> keys.add(kv.key));
        assertThat(keys).isNotEmpty().allMatch(VolumeJournal::isJournalKey);
    }
}
