package io.divergent.topology;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeHistoryTest {

    @Test
    void randomHistoriesRoundTrip() {
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            final long[] counts = new long[1 + random.nextInt(80)];
            for (int c = 0; c < counts.length; c++) {
                counts[c] = random.nextInt(4) == 0 ? random.nextLong(0, Long.MAX_VALUE) : random.nextInt(200);
            }
            final long lastEnd = random.nextLong(-1_000_000_000_000L, 4_102_444_800_000L);
            final long lastSeen = lastEnd - random.nextLong(0, 1_000_000_000L);
            final VolumeHistory history = new VolumeHistory(lastSeen, lastEnd, counts);
            final VolumeHistory decoded = VolumeHistory.decode(history.encode());
            assertThat(decoded.lastSeen()).isEqualTo(lastSeen);
            assertThat(decoded.lastEnd()).isEqualTo(lastEnd);
            assertThat(decoded.counts()).containsExactly(counts);
        }
    }

    /**
     * A window emitted again (at-least-once, after a restart) replaces its count and the later
     * ones: the history is what appending the windows in order once would have made, and the
     * re-emitted window's baseline is the one it had the first time. Windows of 60 s advancing by
     * 20 s, capacity 9.
     */
    @Test
    void aWindowAppendedAgainReplacesItsCountAndTheLaterOnes() {
        final long s = 1_000;
        VolumeHistory history = VolumeHistory.first(60 * s, 5);
        for (long end = 80 * s, count = 6; end <= 200 * s; end += 20 * s, count++) {
            history = history.append(end, 20 * s, end == 140 * s ? 0 : count, 9);
        }
        // Counts 5, 6, 7, 8, 0, 10, 11, 12 for the windows ending 60 s, 80 s, ..., 200 s; last seen 200 s.
        VolumeHistory upTo = VolumeHistory.first(60 * s, 5);
        for (long end = 80 * s, count = 6; end <= 140 * s; end += 20 * s, count++) {
            upTo = upTo.append(end, 20 * s, end == 140 * s ? 0 : count, 9);
        }
        // Before the window ending at 160 s: the history up to 140 s.
        assertThat(history.baseline(160 * s, 60 * s, 20 * s, 3)).isEqualTo(upTo.baseline(160 * s, 60 * s, 20 * s, 3));
        final VolumeHistory again = history.append(160 * s, 20 * s, 0, 9);
        assertThat(again.lastEnd()).isEqualTo(160 * s);
        assertThat(again.counts()).containsExactly(5, 6, 7, 8, 0, 0);
        // Neither 160 s nor 140 s had events: the last window with events ended at 120 s.
        assertThat(again.lastSeen()).isEqualTo(120 * s);
        assertThat(again).usingRecursiveComparison().isEqualTo(upTo.append(160 * s, 20 * s, 0, 9));
        // A window older than every count kept: the history starts again from it.
        final VolumeHistory old = history.append(20 * s, 20 * s, 3, 9);
        assertThat(old.lastEnd()).isEqualTo(20 * s);
        assertThat(old.counts()).containsExactly(3);
    }

    @Test
    void twelveSmallCountsTakeAFifthOfTheFixedWidthLayout() {
        final long[] counts = {3, 0, 7, 12, 1, 0, 0, 9, 4, 2, 8, 5};
        final byte[] encoded = new VolumeHistory(1_764_460_800_000L, 1_764_460_800_000L, counts).encode();
        // Fixed width: 1 + 8 + 8 + 4 + 12 x 8 = 117 bytes.
        assertThat(encoded.length).isLessThanOrEqualTo(25);
    }

    @Test
    void theFixedWidthLayoutOfEarlierReleasesIsStillRead() {
        // Version 1, as 0.1.0 wrote it: [1][lastSeen: 8][lastEnd: 8][n: 4][count: 8]...
        final ByteBuffer old = ByteBuffer.allocate(1 + 8 + 8 + 4 + 2 * 8);
        old.put((byte) 1).putLong(60_000).putLong(120_000).putInt(2).putLong(5).putLong(0);
        final VolumeHistory history = VolumeHistory.decode(old.array());
        assertThat(history.lastSeen()).isEqualTo(60_000);
        assertThat(history.lastEnd()).isEqualTo(120_000);
        assertThat(history.counts()).containsExactly(5, 0);
    }

    @Test
    void anUnknownVersionIsRefused() {
        assertThatThrownBy(() -> VolumeHistory.decode(new byte[] {9, 0, 0}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("version 9");
    }
}
