package io.divergent.topology;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Byte layouts of the state store keys. Big-endian non-negative longs sort like numbers, so
 * range scans walk panes and reference versions in time order.
 *
 * <ul>
 *   <li>counts: {@code [pane start: 8][series length: 4][series UTF-8][category UTF-8]} -> count.
 *       Pane first, so closing a window is one range scan and expiring old panes another.</li>
 *   <li>references and history: {@code [series length: 4][series UTF-8][timestamp: 8]}, so the
 *       versions of one series are contiguous and ordered by time.</li>
 * </ul>
 */
final class StoreKeys {

    private StoreKeys() {
    }

    static Bytes countKey(final long pane, final String series, final String category) {
        final byte[] s = series.getBytes(StandardCharsets.UTF_8);
        final byte[] c = category.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(12 + s.length + c.length).putLong(pane).putInt(s.length).put(s).put(c).array());
    }

    /** The prefix of every count key of one series in one pane. */
    static Bytes countPrefix(final long pane, final String series) {
        final byte[] s = series.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(12 + s.length).putLong(pane).putInt(s.length).put(s).array());
    }

    /** The smallest possible key of a pane: every count key of that pane sorts at or after it. */
    static Bytes paneLowerBound(final long pane) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(pane).array());
    }

    static long paneOf(final Bytes countKey) {
        return ByteBuffer.wrap(countKey.get()).getLong(0);
    }

    static String seriesOfCount(final Bytes countKey) {
        final byte[] key = countKey.get();
        final int length = ByteBuffer.wrap(key).getInt(8);
        return new String(key, 12, length, StandardCharsets.UTF_8);
    }

    static String categoryOfCount(final Bytes countKey) {
        final byte[] key = countKey.get();
        final int length = ByteBuffer.wrap(key).getInt(8);
        return new String(key, 12 + length, key.length - 12 - length, StandardCharsets.UTF_8);
    }

    static Bytes versionKey(final String series, final long timestamp) {
        final byte[] s = series.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(12 + s.length).putInt(s.length).put(s).putLong(timestamp).array());
    }

    static long timestampOfVersion(final Bytes versionKey) {
        final byte[] key = versionKey.get();
        return ByteBuffer.wrap(key).getLong(key.length - 8);
    }
}
