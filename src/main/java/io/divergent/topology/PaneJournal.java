package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The panes store's layout (issue 16): one value per (pane, commit) holding what changed in the
 * pane's series in that commit, replayed in key order to rebuild them. The only writer and
 * reader of the layout: the window processor writes and restores with it, the open-window
 * query ({@link OpenWindows}) and tests read with it.
 *
 * <p>Key ({@link StoreKeys#paneKey}): {@code [pane start: 8][commit sequence: 8]}, big-endian, so
 * one pane's values are contiguous and in commit order (the sequence is per task and only grows,
 * across restarts too).
 *
 * <p>Value, in Kafka's zig-zag varints ({@code ByteUtils}): the dictionary (the number of
 * distinct categories, then each one's UTF-8 length and bytes, once), the number of series, then
 * per series: its id without the monitor name that starts every id of the store, front-coded
 * against the previous id of the value (the number of leading UTF-8 bytes they share, then the
 * length and bytes of the rest: ids of one monitor share their field names), a header
 * {@code 2 * n + kind}, and
 * <ul>
 *   <li>kind 0, delta: {@value WindowProcessor#OTHER} events to add, then {@code n} times
 *       (category index, count to add) &mdash; written for a summary that has not evicted
 *       since its last write: counts commute, the sum is exact;</li>
 *   <li>kind 1, set: {@value WindowProcessor#OTHER} events, then {@code n} times (category
 *       index, count, error) &mdash; the whole summary, which replaces the series' summary:
 *       written for a summary that evicted (order matters) and by compaction.</li>
 * </ul>
 * A series absent from a value did not change in its commit.
 */
final class PaneJournal {

    /**
     * The size at which a value is finished and the pane's remaining series go into the next:
     * a value is one producer record of the changelog, which the producer refuses beyond
     * {@code max.request.size} (1 MiB by default); one series' change is at most
     * {@code max.categories} + 1 counters, so a value stays within a few hundred KiB of this.
     */
    static final int MAX_VALUE_BYTES = 256 * 1024;

    private static final int DELTA = 0;
    private static final int SET = 1;

    private PaneJournal() {
    }

    /**
     * Builds one value. Not thread-safe; reusable: {@link #finish} returns the value and starts
     * the next one.
     */
    static final class Writer {
        private final int prefix;
        private final Map<String, Integer> dictionary = new HashMap<>();
        private final List<byte[]> categories = new ArrayList<>();
        private ByteBufferOutputStream body = new ByteBufferOutputStream(256);
        private int series;
        private int dictionaryBytes;
        /** The ids of this value, each written as what differs from the one before. */
        private final FrontCoding ids = new FrontCoding();

        /** @param monitor the monitor whose series ids the store holds (each starts with it) */
        Writer(final String monitor) {
            this.prefix = monitor.length();
        }

        /** Whether a series was added since the last {@link #finish}. */
        boolean isEmpty() {
            return series == 0;
        }

        /** Whether the value being built has reached {@link #MAX_VALUE_BYTES}: finish it and go on in a new one. */
        boolean isFull() {
            return body.position() + dictionaryBytes >= MAX_VALUE_BYTES;
        }

        /** Adds what changed in a series' summary since its last write (delta or set), and marks it written. */
        void changes(final String seriesId, final PaneCounts counts) {
            if (counts.deltaExact()) {
                seriesHeader(seriesId, counts.pendingSize(), DELTA, counts.otherPending());
                counts.forEachPending((category, count, error) -> {
                    body.ensureRemaining(15);
                    ByteUtils.writeVarint(index(category), body.buffer());
                    ByteUtils.writeVarlong(count, body.buffer());
                });
            } else {
                whole(seriesId, counts);
                return;
            }
            counts.markWritten();
        }

        /** Adds a series' whole summary (set), and marks it written. */
        void whole(final String seriesId, final PaneCounts counts) {
            seriesHeader(seriesId, counts.size(), SET, counts.other());
            counts.forEach((category, count, error) -> {
                body.ensureRemaining(25);
                ByteUtils.writeVarint(index(category), body.buffer());
                ByteUtils.writeVarlong(count, body.buffer());
                ByteUtils.writeVarlong(error, body.buffer());
            });
            counts.markWritten();
        }

        private void seriesHeader(final String seriesId, final int counters, final int kind, final long other) {
            ids.write(seriesId.substring(prefix).getBytes(StandardCharsets.UTF_8), body);
            body.ensureRemaining(5 + 10);
            ByteUtils.writeVarint(2 * counters + kind, body.buffer());
            ByteUtils.writeVarlong(other, body.buffer());
            series++;
        }

        private int index(final String category) {
            Integer index = dictionary.get(category);
            if (index == null) {
                index = categories.size();
                dictionary.put(category, index);
                final byte[] bytes = category.getBytes(StandardCharsets.UTF_8);
                categories.add(bytes);
                dictionaryBytes += bytes.length + 5;
            }
            return index;
        }

        /** The value of the series added since the last call; the writer is then empty. */
        byte[] finish() {
            int size = ByteUtils.sizeOfVarint(categories.size()) + ByteUtils.sizeOfVarint(series) + body.position();
            for (final byte[] category : categories) {
                size += ByteUtils.sizeOfVarint(category.length) + category.length;
            }
            final ByteBuffer out = ByteBuffer.allocate(size);
            ByteUtils.writeVarint(categories.size(), out);
            for (final byte[] category : categories) {
                ByteUtils.writeVarint(category.length, out);
                out.put(category);
            }
            ByteUtils.writeVarint(series, out);
            out.put(body.buffer().array(), body.buffer().arrayOffset(), body.position());
            dictionary.clear();
            categories.clear();
            dictionaryBytes = 0;
            series = 0;
            ids.reset();
            if (body.buffer().capacity() > 1 << 20) {
                // One big compaction should not pin its buffer for the task's life.
                body = new ByteBufferOutputStream(256);
            } else {
                body.position(0);
            }
            return out.array();
        }
    }

    /**
     * Applies one value ({@link Writer}) to the summaries it names, in its order: deltas add,
     * sets replace. Values of a pane must be applied in key order.
     *
     * @param value     the stored value
     * @param monitor   the monitor whose store it is (ids are stored without its name)
     * @param summaryOf the summary of a series id to apply its change to, or null to skip the series
     * @throws SerializationException if the bytes are not a value of this layout
     */
    static void replay(final byte[] value, final String monitor, final Function<String, PaneCounts> summaryOf) {
        try {
            final ByteBuffer in = ByteBuffer.wrap(value);
            final String[] dictionary = new String[ByteUtils.readVarint(in)];
            for (int i = 0; i < dictionary.length; i++) {
                dictionary[i] = string(in);
            }
            final int series = ByteUtils.readVarint(in);
            final FrontCoding ids = new FrontCoding();
            for (int s = 0; s < series; s++) {
                final byte[] id = ids.read(in, "a pane's journal value");
                final PaneCounts counts = summaryOf.apply(monitor + new String(id, StandardCharsets.UTF_8));
                final int header = ByteUtils.readVarint(in);
                final int counters = header >>> 1;
                final long other = ByteUtils.readVarlong(in);
                if ((header & 1) == SET) {
                    if (counts != null) {
                        counts.clearForSet(other);
                    }
                    for (int i = 0; i < counters; i++) {
                        final String category = dictionary[ByteUtils.readVarint(in)];
                        final long count = ByteUtils.readVarlong(in);
                        final long error = ByteUtils.readVarlong(in);
                        if (counts != null) {
                            counts.applySet(category, count, error);
                        }
                    }
                } else {
                    if (counts != null) {
                        counts.applyOther(other);
                    }
                    for (int i = 0; i < counters; i++) {
                        final String category = dictionary[ByteUtils.readVarint(in)];
                        final long count = ByteUtils.readVarlong(in);
                        if (counts != null) {
                            counts.applyDelta(category, count);
                        }
                    }
                }
            }
            if (in.hasRemaining()) {
                throw new SerializationException(in.remaining() + " bytes left over after a pane's journal value");
            }
        } catch (final BufferUnderflowException | NegativeArraySizeException | IllegalArgumentException
                       | IndexOutOfBoundsException e) {
            throw new SerializationException("a pane's journal value is truncated or malformed", e);
        }
    }

    private static String string(final ByteBuffer in) {
        final int length = ByteUtils.readVarint(in);
        final String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }
}
