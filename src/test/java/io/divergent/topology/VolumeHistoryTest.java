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
