package io.divergent.topology;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Byte layouts of the state store keys. Big-endian non-negative longs sort like numbers, so
 * range scans walk panes and reference versions in time order.
 *
 * <ul>
 *   <li>panes: {@code [pane start: 8][commit sequence: 8]} -> {@link PaneJournal}: pane first, in
 *       time order, then its values in commit order.</li>
 *   <li>references and history: {@code [series length: 4][series UTF-8][timestamp: 8]}, so the
 *       versions of one series are contiguous and ordered by time.</li>
 * </ul>
 */
final class StoreKeys {

    private StoreKeys() {
    }

    static Bytes paneKey(final long pane, final long seq) {
        return Bytes.wrap(ByteBuffer.allocate(16).putLong(pane).putLong(seq).array());
    }

    static long paneOf(final Bytes paneKey) {
        return ByteBuffer.wrap(paneKey.get()).getLong(0);
    }

    static long seqOfPane(final Bytes paneKey) {
        return ByteBuffer.wrap(paneKey.get()).getLong(8);
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
