package io.divergent.topology;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
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
 * <p>Value (layout 2; Kafka's varints, {@code ByteUtils}, zig-zag unless said unsigned): the
 * layout marker {@value #LAYOUT_2} (a zig-zag varint no value of the first layout starts with),
 * the dictionary (the number of distinct categories, then each one's UTF-8 bytes front-coded
 * against the one before, {@link FrontCoding}), the number of series, then per series, in the
 * order of their ids: the id without the monitor name that starts every id of the store,
 * front-coded against the previous id (ids of one monitor share their field names, sorted ones
 * all but their last bytes), a header {@code 2 * n + kind} and the
 * {@value WindowProcessor#OTHER} events, then {@code n} counters in increasing dictionary index,
 * each an unsigned varint {@code 2 * gap + (count == 1 ? 0 : 1)}, where {@code gap} is the index
 * less the previous counter's less one (the first: the index), then the count if it is not 1,
 * then for kind 1 the error:
 * <ul>
 *   <li>kind 0, delta: the counts to add &mdash; written for a summary that has not evicted
 *       since its last write: counts commute, the sum is exact;</li>
 *   <li>kind 1, set: the whole summary, counts and errors, which replaces the series'
 *       summary: written for a summary that evicted (order matters) and by compaction.</li>
 * </ul>
 * A series absent from a value did not change in its commit. Sorted ids and gaps instead of
 * indices make a value 35-50% smaller after the producer's zstd than the first layout did.
 *
 * <p>The first layout (stores written before it) is read too: the dictionary size first (each
 * name's length and bytes), then per series the id, the header, the other events, and per
 * counter the index, the count and (kind 1) the error, each a zig-zag varint.
 */
final class PaneJournal {

    /**
     * The size at which a value is finished and the pane's remaining series go into the next:
     * a value is one producer record of the changelog, which the producer refuses beyond
     * {@code max.request.size} (1 MiB by default); one series' change is at most
     * {@code max.categories} + 1 counters, so a value stays within a few hundred KiB of this.
     */
    static final int MAX_VALUE_BYTES = 256 * 1024;

    /** The first zig-zag varint of a value of layout 2; a value of the first layout starts with a size, >= 0. */
    static final int LAYOUT_2 = -2;

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
        /** The dictionary's names as written: front-coded, in index order. */
        private ByteBufferOutputStream names = new ByteBufferOutputStream(256);
        private final FrontCoding nameCoding = new FrontCoding();
        private ByteBufferOutputStream body = new ByteBufferOutputStream(256);
        private int series;
        /** The ids of this value, each written as what differs from the one before. */
        private final FrontCoding ids = new FrontCoding();
        /** The counters of the series being written: {@code index << 32 | slot}, sorted to write them in index order. */
        private long[] order = new long[16];
        /** By slot: each collected counter's count (gained, or whole) and error. */
        private long[] amounts = new long[16];
        private long[] errors = new long[16];
        private int collected;

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
            return body.position() + names.position() >= MAX_VALUE_BYTES;
        }

        /**
         * Adds what changed in a series' summary since its last write (delta or set), and marks
         * it written. Series written in the order of their ids make the smallest values.
         */
        void changes(final String seriesId, final PaneCounts counts) {
            if (!counts.deltaExact()) {
                whole(seriesId, counts);
                return;
            }
            counts.forEachPending(this::collect);
            writeSeries(seriesId, DELTA, counts.otherPending());
            counts.markWritten();
        }

        /** Adds a series' whole summary (set), and marks it written. */
        void whole(final String seriesId, final PaneCounts counts) {
            counts.forEach(this::collect);
            writeSeries(seriesId, SET, counts.other());
            counts.markWritten();
        }

        private void collect(final String category, final long count, final long error) {
            if (collected == order.length) {
                order = Arrays.copyOf(order, 2 * collected);
                amounts = Arrays.copyOf(amounts, 2 * collected);
                errors = Arrays.copyOf(errors, 2 * collected);
            }
            order[collected] = (long) index(category) << 32 | collected;
            amounts[collected] = count;
            errors[collected] = error;
            collected++;
        }

        /** Writes the series' id, header and the counters collected, in index order. */
        private void writeSeries(final String seriesId, final int kind, final long other) {
            ids.write(seriesId.substring(prefix).getBytes(StandardCharsets.UTF_8), body);
            body.ensureRemaining(5 + 10 + collected * 25);
            final ByteBuffer buffer = body.buffer();
            ByteUtils.writeUnsignedVarint(2 * collected + kind, buffer);
            ByteUtils.writeVarlong(other, buffer);
            Arrays.sort(order, 0, collected);
            int previous = -1;
            for (int i = 0; i < collected; i++) {
                final int index = (int) (order[i] >>> 32);
                final int slot = (int) order[i];
                final long count = amounts[slot];
                ByteUtils.writeUnsignedVarint(2 * (index - previous - 1) + (count == 1 ? 0 : 1), buffer);
                if (count != 1) {
                    ByteUtils.writeVarlong(count, buffer);
                }
                if (kind == SET) {
                    ByteUtils.writeVarlong(errors[slot], buffer);
                }
                previous = index;
            }
            collected = 0;
            series++;
        }

        private int index(final String category) {
            Integer index = dictionary.get(category);
            if (index == null) {
                index = dictionary.size();
                dictionary.put(category, index);
                nameCoding.write(category.getBytes(StandardCharsets.UTF_8), names);
            }
            return index;
        }

        /** The value of the series added since the last call; the writer is then empty. */
        byte[] finish() {
            final ByteBuffer out = ByteBuffer.allocate(ByteUtils.sizeOfVarint(LAYOUT_2)
                    + ByteUtils.sizeOfUnsignedVarint(dictionary.size()) + names.position()
                    + ByteUtils.sizeOfUnsignedVarint(series) + body.position());
            ByteUtils.writeVarint(LAYOUT_2, out);
            ByteUtils.writeUnsignedVarint(dictionary.size(), out);
            out.put(names.buffer().array(), names.buffer().arrayOffset(), names.position());
            ByteUtils.writeUnsignedVarint(series, out);
            out.put(body.buffer().array(), body.buffer().arrayOffset(), body.position());
            dictionary.clear();
            series = 0;
            ids.reset();
            nameCoding.reset();
            names = reset(names);
            body = reset(body);
            return out.array();
        }

        private static ByteBufferOutputStream reset(final ByteBufferOutputStream stream) {
            if (stream.buffer().capacity() > 1 << 20) {
                // One big compaction should not pin its buffer for the task's life.
                return new ByteBufferOutputStream(256);
            }
            stream.position(0);
            return stream;
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
            final int first = ByteUtils.readVarint(in);
            final boolean layout2 = first == LAYOUT_2;
            if (!layout2 && first < 0) {
                throw new SerializationException("a pane's journal value of an unknown layout (" + first + ")");
            }
            final String[] dictionary = new String[layout2 ? ByteUtils.readUnsignedVarint(in) : first];
            final FrontCoding names = new FrontCoding();
            for (int i = 0; i < dictionary.length; i++) {
                dictionary[i] = layout2 ? new String(names.read(in, "a pane's journal value"), StandardCharsets.UTF_8) : string(in);
            }
            final int series = layout2 ? ByteUtils.readUnsignedVarint(in) : ByteUtils.readVarint(in);
            final FrontCoding ids = new FrontCoding();
            for (int s = 0; s < series; s++) {
                final byte[] id = ids.read(in, "a pane's journal value");
                final PaneCounts counts = summaryOf.apply(monitor + new String(id, StandardCharsets.UTF_8));
                final int header = layout2 ? ByteUtils.readUnsignedVarint(in) : ByteUtils.readVarint(in);
                final int counters = header >>> 1;
                final boolean set = (header & 1) == SET;
                final long other = ByteUtils.readVarlong(in);
                if (counts != null) {
                    if (set) {
                        counts.clearForSet(other);
                    } else {
                        counts.applyOther(other);
                    }
                }
                int index = -1;
                for (int i = 0; i < counters; i++) {
                    final long count;
                    if (layout2) {
                        final int code = ByteUtils.readUnsignedVarint(in);
                        index += (code >>> 1) + 1;
                        count = (code & 1) == 0 ? 1 : ByteUtils.readVarlong(in);
                    } else {
                        index = ByteUtils.readVarint(in);
                        count = ByteUtils.readVarlong(in);
                    }
                    final String category = dictionary[index];
                    if (set) {
                        final long error = ByteUtils.readVarlong(in);
                        if (counts != null) {
                            counts.applySet(category, count, error);
                        }
                    } else if (counts != null) {
                        counts.applyDelta(category, count);
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
